package dev.memoria.springai;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.URL;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.content.Media;
import org.springframework.util.MimeType;

/** Messages of every kind and field Spring AI has, with exotic values; shared by the tests. */
final class Messages {
    private Messages() {
    }

    static UserMessage user(String text) {
        return new UserMessage(text);
    }

    static AssistantMessage assistant(String text) {
        return new AssistantMessage(text);
    }

    static SystemMessage system(String text) {
        return new SystemMessage(text);
    }

    /** An assistant asking for one tool: {@code id} pairs it with {@link #toolResult}. */
    static AssistantMessage toolCall(String id, String tool, String arguments) {
        return AssistantMessage.builder().content("").toolCalls(List.of(new AssistantMessage.ToolCall(id, "function", tool, arguments)))
                .build();
    }

    static ToolResponseMessage toolResult(String id, String tool, String result) {
        return ToolResponseMessage.builder().responses(List.of(new ToolResponseMessage.ToolResponse(id, tool, result))).build();
    }

    /** Metadata with every value type a metadata map may hold, nested, and the edge values of each. */
    static Map<String, Object> exoticMetadata() {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("short", (short) -7);
        nested.put("byte", (byte) 127);
        nested.put("list", new ArrayList<>(Arrays.asList(1, "two", null, 3.5f, List.of(BigInteger.TEN, 'c'))));
        nested.put("empty map", Map.of());
        nested.put("empty list", List.of());
        Map<String, Object> m = new HashMap<>();
        m.put("int", 42);
        m.put("intMax", Integer.MAX_VALUE);
        m.put("long", Long.MAX_VALUE);
        m.put("longMin", Long.MIN_VALUE);
        m.put("double", 0.1);
        m.put("doubleWhole", 3.0);
        m.put("huge", 1e300);
        m.put("nan", Double.NaN);
        m.put("infinity", Double.NEGATIVE_INFINITY);
        m.put("negativeZero", -0.0);
        m.put("float", 1.25f);
        m.put("floatNaN", Float.NaN);
        m.put("bigInteger", BigInteger.TWO.pow(100));
        m.put("bigDecimal", new BigDecimal("0.10"));
        m.put("bigDecimalExponent", new BigDecimal("1E+3"));
        m.put("char", '\u00e9');
        m.put("true", true);
        m.put("null", null);
        m.put("", "the empty key");
        m.put("empty", "");
        m.put("emoji 😀", "🧠 mémoire «ünïcode» 中文");
        m.put("json-looking", "{\"a\":1}");
        m.put("dotted.key", "mongo field names");
        m.put("$dollar", "and operators");
        m.put("nested", nested);
        return m;
    }

    static Media png(String id, String name) {
        return Media.builder().mimeType(MimeType.valueOf("image/png")).data(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, -1})
                .id(id).name(name).build();
    }

    static Media url() {
        try {
            return Media.builder().mimeType(MimeType.valueOf("image/jpeg")).data(new URL("https://example.com/a%20b.jpg?x=1#f"))
                    .build();
        } catch (java.net.MalformedURLException e) {
            throw new AssertionError(e);
        }
    }

    static Media uri() {
        return new Media(MimeType.valueOf("text/plain;charset=UTF-8"), URI.create("file:///tmp/notes.txt"));
    }

    /** One of every message type and field; equals() holds for each after a round trip. */
    static List<Message> zoo() {
        List<Message> all = new ArrayList<>();
        all.add(SystemMessage.builder().text("Be brief. 🙂").metadata(Map.of("version", 2, "tags", List.of("a", "b"))).build());
        all.add(user("hello"));
        all.add(user(""));
        all.add(UserMessage.builder().text("look at these").media(png("img-1", "chart.png"), url(), uri())
                .metadata(exoticMetadata()).build());
        all.add(assistant(null));
        all.add(assistant(""));
        all.add(AssistantMessage.builder().content("answer with metadata").properties(exoticMetadata()).build());
        all.add(AssistantMessage.builder().content("I think so.")
                .properties(Map.of("reasoningContent", "first, the user asked…", "finishReason", "STOP", "index", 0)).build());
        all.add(AssistantMessage.builder().content(null).toolCalls(List.of(
                new AssistantMessage.ToolCall("call_1", "function", "weather", "{\"city\":\"Paris\"}"),
                new AssistantMessage.ToolCall("call_2", "function", "sum", "{ \"b\": 2,\n  \"a\": 1 }"),
                new AssistantMessage.ToolCall("call_3", "function", "order", "{\"z\":1,\"a\":{\"y\":2,\"b\":3}}"),
                new AssistantMessage.ToolCall("call_4", "function", "escaped", "{\"q\":\"\\u00e9\\/\"}"),
                new AssistantMessage.ToolCall("call_5", "function", "notJson", "city=Paris"),
                new AssistantMessage.ToolCall("call_6", "function", "array", "[1,2]"),
                new AssistantMessage.ToolCall("", "function", "emptyId", ""),
                new AssistantMessage.ToolCall(null, null, "nulls", null)))
                .properties(Map.of("finishReason", "TOOL_CALLS")).build());
        all.add(ToolResponseMessage.builder().responses(List.of(
                new ToolResponseMessage.ToolResponse("call_1", "weather", "{\"temp\":21}"),
                new ToolResponseMessage.ToolResponse("call_2", "sum", "3"),
                new ToolResponseMessage.ToolResponse("call_3", "order", ""),
                new ToolResponseMessage.ToolResponse("call_4", "escaped", null),
                new ToolResponseMessage.ToolResponse("call_5", "notJson", "\"quoted\" ✓"),
                new ToolResponseMessage.ToolResponse("call_6", "array", "[]"),
                new ToolResponseMessage.ToolResponse("", "emptyId", "ok"),
                new ToolResponseMessage.ToolResponse(null, "nulls", "ok")))
                .metadata(Map.of("latencyMs", 12L, "attempt", 1)).build());
        all.add(ToolResponseMessage.builder().responses(List.of()).build());
        all.add(ToolResponseMessage.builder().responses(List.of()).metadata(Map.of("why", "nothing to answer")).build());
        all.add(ToolResponseMessage.builder().responses(null).build()); // Spring AI 1.1's builder default
        return all;
    }

    /** Asserts what equals() cannot say: metadata values of the same Java classes, deeply; media field by field. */
    static void assertSameInDepth(List<Message> actual, List<Message> expected) {
        org.assertj.core.api.Assertions.assertThat(actual).isEqualTo(expected);
        for (int i = 0; i < expected.size(); i++) {
            assertSameClasses(actual.get(i).getMetadata(), expected.get(i).getMetadata(), "messages[" + i + "].metadata");
            if (expected.get(i) instanceof org.springframework.ai.content.MediaContent e) {
                assertSameMedia(((org.springframework.ai.content.MediaContent) actual.get(i)).getMedia(), e.getMedia());
            }
        }
    }

    static void assertSameMedia(List<Media> actual, List<Media> expected) {
        org.assertj.core.api.Assertions.assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            Media a = actual.get(i);
            Media e = expected.get(i);
            org.assertj.core.api.Assertions.assertThat(a.getMimeType()).isEqualTo(e.getMimeType());
            org.assertj.core.api.Assertions.assertThat(a.getId()).isEqualTo(e.getId());
            org.assertj.core.api.Assertions.assertThat(a.getName()).isEqualTo(e.getName());
            org.assertj.core.api.Assertions.assertThat(a.getData().getClass()).isEqualTo(e.getData().getClass());
            if (e.getData() instanceof byte[] bytes) {
                org.assertj.core.api.Assertions.assertThat((byte[]) a.getData()).isEqualTo(bytes);
            } else {
                // URL.equals may resolve host names: compare the text
                org.assertj.core.api.Assertions.assertThat(a.getData().toString()).isEqualTo(e.getData().toString());
            }
        }
    }

    private static void assertSameClasses(Object actual, Object expected, String path) {
        if (expected == null) {
            org.assertj.core.api.Assertions.assertThat(actual).as(path).isNull();
            return;
        }
        org.assertj.core.api.Assertions.assertThat(actual).as(path).isNotNull();
        if (expected instanceof Map<?, ?> e) {
            org.assertj.core.api.Assertions.assertThat(actual).as(path).isInstanceOf(Map.class);
            Map<?, ?> a = (Map<?, ?>) actual;
            org.assertj.core.api.Assertions.assertThat(a.keySet()).as(path).isEqualTo(e.keySet());
            e.forEach((k, v) -> assertSameClasses(a.get(k), v, path + "." + k));
        } else if (expected instanceof List<?> e) {
            org.assertj.core.api.Assertions.assertThat(actual).as(path).isInstanceOf(List.class);
            List<?> a = (List<?>) actual;
            org.assertj.core.api.Assertions.assertThat(a).as(path).hasSameSizeAs(e);
            for (int i = 0; i < e.size(); i++) {
                assertSameClasses(a.get(i), e.get(i), path + "[" + i + "]");
            }
        } else {
            org.assertj.core.api.Assertions.assertThat(actual.getClass()).as(path).isEqualTo(expected.getClass());
            org.assertj.core.api.Assertions.assertThat(actual).as(path).isEqualTo(expected);
        }
    }
}
