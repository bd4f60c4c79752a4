package dev.memoria.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void normalizeTurnsIntegralNumbersIntoLongsAndOthersIntoDoubles() {
        Map<String, Object> in = new LinkedHashMap<>();
        in.put("int", 1);
        in.put("short", (short) 2);
        in.put("byte", (byte) 3);
        in.put("big", BigInteger.valueOf(4));
        in.put("float", 0.5f);
        in.put("decimal", new BigDecimal("0.25"));
        in.put("negativeZero", -0.0);
        Map<String, Object> out = Json.copyOf(in, "m", 1000);
        assertThat(out).containsEntry("int", 1L).containsEntry("short", 2L).containsEntry("byte", 3L)
                .containsEntry("big", 4L).containsEntry("float", 0.5).containsEntry("decimal", 0.25);
        assertThat((Double) out.get("negativeZero")).isEqualTo(0.0).matches(d -> Double.doubleToRawLongBits(d) == 0L);
        assertThatThrownBy(() -> out.put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void normalizeRefusesWhatIsNotJson() {
        assertThatThrownBy(() -> Json.normalize(BigInteger.TWO.pow(64), "v")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("v: integer 18446744073709551616 does not fit in a Long");
        assertThatThrownBy(() -> Json.normalize(new int[0], "v")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("v: [I is not a JSON value");
        Object deep = "leaf";
        for (int i = 0; i < 65; i++) {
            deep = List.of(deep);
        }
        Object tooDeep = deep;
        assertThatThrownBy(() -> Json.normalize(tooDeep, "v")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith("nested deeper than 64 levels");
    }

    @Test
    void encodedSizeIsTheUtf8LengthOfWhatWriteProduces() {
        Random random = new Random(42);
        for (int i = 0; i < 500; i++) {
            Object value = Json.normalize(randomValue(random, 0), "v");
            String text = Json.write(value);
            assertThat(Json.encodedSize(value)).as(text).isEqualTo(text.getBytes(StandardCharsets.UTF_8).length);
        }
    }

    @Test
    void writeThenParseRoundTripsValuesAndTypes() {
        Random random = new Random(7);
        for (int i = 0; i < 500; i++) {
            Object value = Json.normalize(randomValue(random, 0), "v");
            assertThat(Json.parse(Json.write(value))).isEqualTo(value);
            assertThat(Json.parse(Json.write(value, true))).isEqualTo(value);
        }
        for (double d : new double[] {1.0, 1e308, 5e-324, 1e18, -2.5e-7, 1.0 / 3, Double.MAX_VALUE, 123456789.0}) {
            assertThat(Json.parse(Json.write(d))).isInstanceOf(Double.class).isEqualTo(d);
            String plain = Json.write(d, true);
            assertThat(plain).doesNotContain("E").contains(".");
            assertThat(Json.parse(plain)).isInstanceOf(Double.class).isEqualTo(d);
        }
        assertThat(Json.parse(Long.toString(Long.MIN_VALUE))).isEqualTo(Long.MIN_VALUE);
        assertThat(Json.parse("\"\\u00e9\\n\\\"\\/\"")).isEqualTo("\u00e9\n\"/");
    }

    @Test
    void parseReportsWhereTheTextIsBroken() {
        assertThatThrownBy(() -> Json.parse("{\"a\":1,}")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid JSON at offset 7: expected a string key");
        assertThatThrownBy(() -> Json.parse("[1 2]")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid JSON at offset 3: expected ']'");
        assertThatThrownBy(() -> Json.parse("\"open")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid JSON at offset 5: unterminated string");
        assertThatThrownBy(() -> Json.parse("1 x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid JSON at offset 2: unexpected text after the value");
        assertThatThrownBy(() -> Json.parseObject("[]")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected a JSON object, got []");
    }

    private static Object randomValue(Random r, int depth) {
        int kind = r.nextInt(depth > 3 ? 6 : 8);
        switch (kind) {
            case 0: return null;
            case 1: return r.nextBoolean();
            case 2: return r.nextLong() >> r.nextInt(64);
            case 3: {
                double d = Double.longBitsToDouble(r.nextLong());
                return Double.isFinite(d) ? d : 0.5;
            }
            case 4:
            case 5: {
                StringBuilder sb = new StringBuilder();
                int n = r.nextInt(12);
                for (int i = 0; i < n; i++) {
                    int cp = switch (r.nextInt(4)) {
                        case 0 -> 1 + r.nextInt(0x7f);
                        case 1 -> 0x80 + r.nextInt(0x780);
                        case 2 -> 0x800 + r.nextInt(0xD000 - 0x800);
                        default -> 0x10000 + r.nextInt(0x1000);
                    };
                    sb.appendCodePoint(cp);
                }
                return sb.toString();
            }
            case 6: {
                List<Object> l = new ArrayList<>();
                for (int i = r.nextInt(4); i > 0; i--) {
                    l.add(randomValue(r, depth + 1));
                }
                return l;
            }
            default: {
                Map<String, Object> m = new LinkedHashMap<>();
                for (int i = r.nextInt(4); i > 0; i--) {
                    m.put("k" + r.nextInt(100) + Arrays.toString(new int[] {i}), randomValue(r, depth + 1));
                }
                return m;
            }
        }
    }
}
