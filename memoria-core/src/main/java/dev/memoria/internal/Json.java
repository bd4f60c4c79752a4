package dev.memoria.internal;

import dev.memoria.Limits;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The JSON value model of metadata and event data, written once for every backend: normalisation
 * of Java values into JSON values, their encoded size, and a small exact codec.
 *
 * <p>JSON values are {@code null}, {@link Boolean}, {@link String}, {@link Long} (every integral
 * number), {@link Double} (every other number), {@link List} and {@link Map} with String keys.
 * NaN, infinities, the NUL character and unpaired surrogates are refused, as is nesting deeper than
 * {@value Limits#MAX_JSON_DEPTH}. Negative zero becomes zero, since not every backend can store it.
 *
 * <p>The codec keeps types: a Double is always written with a fraction or an exponent and read
 * back as a Double; an integral number is read back as a Long. Thread-safe and stateless.
 *
 * <p>Not an API: this package may change in any release. Backends use {@link dev.memoria.internal.Json}.
 */
public final class Json {
    private Json() {
    }

    /**
     * Normalises a map of JSON values into an unmodifiable copy, and checks its encoded size.
     *
     * @param map the map; null means empty
     * @param name the argument's name, used as the root of paths in messages
     * @param maxBytes the largest allowed encoded size in UTF-8 bytes
     * @return an unmodifiable, normalised deep copy that keeps the given key order
     * @throws IllegalArgumentException if a value is not a JSON value or the map is too large
     */
    public static Map<String, Object> copyOf(Map<String, ?> map, String name, int maxBytes) {
        if (map == null || map.isEmpty()) {
            return Map.of();
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> copy = (Map<String, Object>) normalize(map, name, 0);
        long size = encodedSize(copy);
        if (size > maxBytes) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%s: at most %,d bytes of JSON, got %,d", name, maxBytes, size));
        }
        return copy;
    }

    /**
     * Copies stored JSON into an unmodifiable map without re-checking the write-time rules (sizes,
     * characters, depth): what a store holds stays readable whatever rules wrote it. Numbers are
     * still brought to Long and Double, and a value that is not JSON at all is still refused.
     *
     * @param map stored JSON; null means empty
     * @return an unmodifiable deep copy
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> trustedCopy(Map<String, ?> map) {
        if (map == null || map.isEmpty()) {
            return Map.of();
        }
        return (Map<String, Object>) trusted(map);
    }

    /**
     * Copies stored labels into an unmodifiable map without re-checking the write-time limits.
     *
     * @param labels stored labels; null means none
     * @return an unmodifiable copy that keeps their order
     */
    public static Map<String, String> trustedLabels(Map<String, String> labels) {
        if (labels == null || labels.isEmpty()) {
            return Map.of();
        }
        Map<String, String> copy = new LinkedHashMap<>(Math.max(4, labels.size() * 2));
        for (Map.Entry<String, String> e : labels.entrySet()) {
            copy.put(Objects.requireNonNull(e.getKey(), "labels: a key is null"),
                    Objects.requireNonNull(e.getValue(), "labels: a value is null"));
        }
        return Collections.unmodifiableMap(copy);
    }

    private static Object trusted(Object value) {
        if (value == null || value instanceof Boolean || value instanceof Long || value instanceof String
                || value instanceof Double) {
            return value;
        }
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> copy = new LinkedHashMap<>(Math.max(4, m.size() * 2));
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!(e.getKey() instanceof String key)) {
                    throw new IllegalArgumentException("stored JSON: map keys must be Strings, got "
                            + (e.getKey() == null ? "null" : e.getKey().getClass().getName()));
                }
                copy.put(key, trusted(e.getValue()));
            }
            return Collections.unmodifiableMap(copy);
        }
        if (value instanceof List<?> l) {
            List<Object> copy = new ArrayList<>(l.size());
            for (Object item : l) {
                copy.add(trusted(item));
            }
            return Collections.unmodifiableList(copy);
        }
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof Float f) {
            return f.doubleValue();
        }
        // anything else goes through the full rules, which say precisely what is wrong with it
        return normalize(value, "stored JSON", 0);
    }

    /**
     * Normalises one JSON value.
     *
     * @param value the value
     * @param path where it is, for messages
     * @return the normalised value; maps and lists are unmodifiable copies
     */
    public static Object normalize(Object value, String path) {
        return normalize(value, path, 0);
    }

    private static Object normalize(Object value, String path, int depth) {
        if (value == null || value instanceof Boolean || value instanceof Long) {
            return value;
        }
        if (value instanceof String s) {
            return Checks.text(s, path);
        }
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof BigInteger b) {
            if (b.bitLength() > 63) {
                throw new IllegalArgumentException(path + ": integer " + Checks.shorten(b.toString())
                        + " does not fit in a Long");
            }
            return b.longValue();
        }
        if (value instanceof BigDecimal b) {
            return exactly(b, path);
        }
        if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new IllegalArgumentException(path + ": " + value + " is not a JSON number (NaN and infinities are refused)");
            }
            return d == 0.0 ? 0.0 : d; // folds -0.0 into 0.0
        }
        if (depth >= Limits.MAX_JSON_DEPTH) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%s: nested deeper than %d levels", path, Limits.MAX_JSON_DEPTH));
        }
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> copy = new LinkedHashMap<>(Math.max(4, m.size() * 2));
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!(e.getKey() instanceof String key)) {
                    throw new IllegalArgumentException(path + ": map keys must be Strings, got "
                            + (e.getKey() == null ? "null" : e.getKey().getClass().getName()));
                }
                Checks.text(key, path + " key");
                copy.put(key, normalize(e.getValue(), path + "." + Checks.shorten(key), depth + 1));
            }
            return Collections.unmodifiableMap(copy);
        }
        if (value instanceof List<?> l) {
            List<Object> copy = new ArrayList<>(l.size());
            for (int i = 0; i < l.size(); i++) {
                copy.add(normalize(l.get(i), path + "[" + i + "]", depth + 1));
            }
            return Collections.unmodifiableList(copy);
        }
        throw new IllegalArgumentException(path + ": " + value.getClass().getName()
                + " is not a JSON value (use null, Boolean, String, a number, List or Map with String keys)");
    }

    /**
     * A BigDecimal kept exactly or refused, never rounded: an integral one that fits a Long becomes
     * that Long, another one that a Double holds exactly becomes that Double (so {@code 0.5} and
     * {@code 1e300} pass, {@code 0.1} does not).
     */
    private static Object exactly(BigDecimal b, String path) {
        try {
            return b.longValueExact();
        } catch (ArithmeticException notALong) {
            double d = b.doubleValue();
            if (!Double.isInfinite(d) && new BigDecimal(d).compareTo(b) == 0) {
                return d == 0.0 ? 0.0 : d;
            }
            throw new IllegalArgumentException(path + ": BigDecimal " + Checks.shorten(b.toPlainString())
                    + " has no exact JSON number here (a Long or a Double); store it as a String, or as a Double if"
                    + " rounding it is acceptable");
        }
    }

    /**
     * The size of a normalised value's JSON encoding in UTF-8 bytes, computed without encoding it.
     *
     * @param value a normalised JSON value
     * @return its encoded size as {@link #write(Object)} writes it
     */
    public static long encodedSize(Object value) {
        if (value == null) {
            return 4;
        }
        if (value instanceof Boolean b) {
            return b ? 4 : 5;
        }
        if (value instanceof Long l) {
            return Long.toString(l).length();
        }
        if (value instanceof Double d) {
            return Double.toString(d).length();
        }
        if (value instanceof String s) {
            return stringSize(s);
        }
        if (value instanceof Map<?, ?> m) {
            long size = 2 + Math.max(0, m.size() - 1);
            for (Map.Entry<?, ?> e : m.entrySet()) {
                size += stringSize((String) e.getKey()) + 1 + encodedSize(e.getValue());
            }
            return size;
        }
        List<?> l = (List<?>) value;
        long size = 2 + Math.max(0, l.size() - 1);
        for (Object o : l) {
            size += encodedSize(o);
        }
        return size;
    }

    private static long stringSize(String s) {
        long size = 2;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t' || c == '\b' || c == '\f') {
                size += 2;
            } else if (c < 0x20) {
                size += 6;
            } else if (c < 0x80) {
                size += 1;
            } else if (c < 0x800) {
                size += 2;
            } else if (Character.isHighSurrogate(c)) {
                size += 4;
                i++;
            } else {
                size += 3;
            }
        }
        return size;
    }

    /**
     * Encodes a normalised value as JSON.
     *
     * @param value a normalised JSON value
     * @return compact JSON text
     */
    public static String write(Object value) {
        return write(value, false);
    }

    /**
     * Encodes a normalised value as JSON.
     *
     * @param value a normalised JSON value
     * @param plainDecimals write doubles in plain decimal notation with a fraction ({@code 1e18}
     *     as {@code 1000000000000000000.0}), for stores such as PostgreSQL's {@code jsonb} that keep
     *     a number's written scale but drop a fraction-less exponent's
     * @return compact JSON text
     */
    public static String write(Object value, boolean plainDecimals) {
        StringBuilder out = new StringBuilder(64);
        write(value, out, plainDecimals);
        return out.toString();
    }

    private static void write(Object value, StringBuilder out, boolean plain) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof Boolean || value instanceof Long) {
            out.append(value);
        } else if (value instanceof Double d) {
            if (plain) {
                String s = new BigDecimal(Double.toString(d)).toPlainString();
                out.append(s);
                if (s.indexOf('.') < 0) {
                    out.append(".0");
                }
            } else {
                out.append(Double.toString(d));
            }
        } else if (value instanceof String s) {
            writeString(s, out);
        } else if (value instanceof Map<?, ?> m) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                writeString((String) e.getKey(), out);
                out.append(':');
                write(e.getValue(), out, plain);
            }
            out.append('}');
        } else if (value instanceof List<?> l) {
            out.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                write(l.get(i), out, plain);
            }
            out.append(']');
        } else {
            throw new IllegalArgumentException("not a normalised JSON value: " + value.getClass().getName());
        }
    }

    private static void writeString(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /**
     * Parses JSON text into normalised values: objects as unmodifiable maps in document order,
     * arrays as unmodifiable lists, integral numbers as Long, others as Double.
     *
     * @param text JSON text
     * @return the value
     * @throws IllegalArgumentException if the text is not JSON, with the offset of the error
     */
    public static Object parse(String text) {
        Objects.requireNonNull(text, "text");
        Parser p = new Parser(text);
        p.skipWhitespace();
        Object value = p.value(0);
        p.skipWhitespace();
        if (p.pos != text.length()) {
            throw p.error("unexpected text after the value");
        }
        return value;
    }

    /**
     * Parses a JSON object.
     *
     * @param text JSON text holding an object
     * @return the object as an unmodifiable map
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(String text) {
        Object value = parse(text);
        if (!(value instanceof Map)) {
            throw new IllegalArgumentException("expected a JSON object, got " + Checks.shorten(text));
        }
        return (Map<String, Object>) value;
    }

    private static final class Parser {
        private final String s;
        private int pos;

        Parser(String s) {
            this.s = s;
        }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException("invalid JSON at offset " + pos + ": " + what);
        }

        void skipWhitespace() {
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
                    pos++;
                } else {
                    break;
                }
            }
        }

        Object value(int depth) {
            if (pos >= s.length()) {
                throw error("unexpected end");
            }
            if (depth > Limits.MAX_JSON_DEPTH + 1) {
                throw error("nested too deep");
            }
            char c = s.charAt(pos);
            switch (c) {
                case '{':
                    return object(depth);
                case '[':
                    return array(depth);
                case '"':
                    return string();
                case 't':
                    return literal("true", Boolean.TRUE);
                case 'f':
                    return literal("false", Boolean.FALSE);
                case 'n':
                    return literal("null", null);
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        return number();
                    }
                    throw error("unexpected character '" + c + "'");
            }
        }

        private Object literal(String word, Object value) {
            if (!s.startsWith(word, pos)) {
                throw error("expected " + word);
            }
            pos += word.length();
            return value;
        }

        private Object number() {
            int start = pos;
            boolean decimal = false;
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c == '.' || c == 'e' || c == 'E') {
                    decimal = true;
                } else if (!(c == '-' || c == '+' || (c >= '0' && c <= '9'))) {
                    break;
                }
                pos++;
            }
            String token = s.substring(start, pos);
            try {
                if (!decimal) {
                    try {
                        return Long.parseLong(token);
                    } catch (NumberFormatException tooBig) {
                        return Double.parseDouble(token);
                    }
                }
                return Double.parseDouble(token);
            } catch (NumberFormatException e) {
                pos = start;
                throw error("malformed number '" + Checks.shorten(token) + "'");
            }
        }

        private String string() {
            pos++; // opening quote
            StringBuilder out = null;
            int runStart = pos;
            while (true) {
                if (pos >= s.length()) {
                    throw error("unterminated string");
                }
                char c = s.charAt(pos);
                if (c == '"') {
                    String result = out == null ? s.substring(runStart, pos) : out.append(s, runStart, pos).toString();
                    pos++;
                    return result;
                }
                if (c == '\\') {
                    if (out == null) {
                        out = new StringBuilder();
                    }
                    out.append(s, runStart, pos);
                    pos++;
                    if (pos >= s.length()) {
                        throw error("unterminated escape");
                    }
                    char e = s.charAt(pos++);
                    switch (e) {
                        case '"' -> out.append('"');
                        case '\\' -> out.append('\\');
                        case '/' -> out.append('/');
                        case 'b' -> out.append('\b');
                        case 'f' -> out.append('\f');
                        case 'n' -> out.append('\n');
                        case 'r' -> out.append('\r');
                        case 't' -> out.append('\t');
                        case 'u' -> {
                            if (pos + 4 > s.length()) {
                                throw error("short unicode escape");
                            }
                            try {
                                out.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                            } catch (NumberFormatException ex) {
                                throw error("malformed unicode escape");
                            }
                            pos += 4;
                        }
                        default -> throw error("unknown escape \\" + e);
                    }
                    runStart = pos;
                } else {
                    pos++;
                }
            }
        }

        private Map<String, Object> object(int depth) {
            pos++;
            Map<String, Object> map = new LinkedHashMap<>();
            skipWhitespace();
            if (pos < s.length() && s.charAt(pos) == '}') {
                pos++;
                return Collections.unmodifiableMap(map);
            }
            while (true) {
                skipWhitespace();
                if (pos >= s.length() || s.charAt(pos) != '"') {
                    throw error("expected a string key");
                }
                String key = string();
                skipWhitespace();
                expect(':');
                skipWhitespace();
                map.put(key, value(depth + 1));
                skipWhitespace();
                if (pos < s.length() && s.charAt(pos) == ',') {
                    pos++;
                    continue;
                }
                expect('}');
                return Collections.unmodifiableMap(map);
            }
        }

        private List<Object> array(int depth) {
            pos++;
            List<Object> list = new ArrayList<>();
            skipWhitespace();
            if (pos < s.length() && s.charAt(pos) == ']') {
                pos++;
                return Collections.unmodifiableList(list);
            }
            while (true) {
                skipWhitespace();
                list.add(value(depth + 1));
                skipWhitespace();
                if (pos < s.length() && s.charAt(pos) == ',') {
                    pos++;
                    continue;
                }
                expect(']');
                return Collections.unmodifiableList(list);
            }
        }

        private void expect(char c) {
            if (pos >= s.length() || s.charAt(pos) != c) {
                throw error("expected '" + c + "'");
            }
            pos++;
        }
    }
}
