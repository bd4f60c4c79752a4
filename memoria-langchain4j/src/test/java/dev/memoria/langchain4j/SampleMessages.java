package dev.memoria.langchain4j;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.audio.Audio;
import dev.langchain4j.data.image.Image;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.AudioContent;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.CustomMessage;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.PdfFileContent;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.data.message.VideoContent;
import dev.langchain4j.data.pdf.PdfFile;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every LangChain4j 1.19 message type and field, with exotic values: what LC1 round-trips. */
final class SampleMessages {
    private SampleMessages() {
    }

    static ToolExecutionRequest request(String id, String name, String arguments) {
        return ToolExecutionRequest.builder().id(id).name(name).arguments(arguments).build();
    }

    /** Attribute values of every Java type the mapper keeps, nested too. */
    static Map<String, Object> exoticAttributes() {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("int", 7);
        nested.put("list", Arrays.asList(1, 2L, null, "x", 2.5f, List.of(Map.of("deep", (short) 4))));
        nested.put("empty", Map.of());
        Map<String, Object> a = new HashMap<>();
        a.put("integer", Integer.MAX_VALUE);
        a.put("long", Long.MIN_VALUE);
        a.put("short", (short) -3);
        a.put("byte", (byte) 127);
        a.put("double", 0.1);
        a.put("wholeDouble", 3.0);
        a.put("float", 0.1f);
        a.put("nan", Double.NaN);
        a.put("infinity", Double.NEGATIVE_INFINITY);
        a.put("negativeZero", -0.0);
        a.put("floatNaN", Float.NaN);
        a.put("bigInteger", new BigInteger("123456789012345678901234567890"));
        a.put("bigDecimal", new BigDecimal("1.50"));
        a.put("char", 'é');
        a.put("bool", false);
        a.put("null", null);
        a.put("empty", "");
        a.put("emoji 🎉", "🦄 ünïcödé");
        a.put("nested", nested);
        return a;
    }

    static List<ChatMessage> all() {
        List<ChatMessage> m = new ArrayList<>();
        m.add(SystemMessage.from("You are a helpful assistant 🤖.\nBe brief."));
        m.add(UserMessage.from("Hello!"));
        m.add(UserMessage.from("ada", "What is 2 + 2? 👋"));
        m.add(UserMessage.from(""));
        m.add(UserMessage.builder().name("").contents(List.of(
                TextContent.from("Look at these"),
                ImageContent.from("https://example.com/cat.png", ImageContent.DetailLevel.HIGH),
                ImageContent.from("aGVsbG8=", "image/png"),
                new ImageContent(Image.builder().url("https://example.com/a.png").revisedPrompt("a cat").mimeType("image/png").build(),
                        ImageContent.DetailLevel.AUTO),
                AudioContent.from("https://example.com/a.mp3"),
                new AudioContent(Audio.builder().binaryData(new byte[] {0, 1, 2, (byte) 255}).mimeType("audio/wav").build()),
                new AudioContent((Audio) null),
                VideoContent.from("dmlkZW8=", "video/mp4"),
                PdfFileContent.from("https://example.com/a.pdf"),
                new PdfFileContent(PdfFile.builder().base64Data("cGRm").build()),
                TextContent.from("and this")))
                .attributes(exoticAttributes()).build());
        m.add(UserMessage.from(ImageContent.from("https://example.com/only-an-image.png")));
        m.add(AiMessage.from("4"));
        m.add(AiMessage.from(""));
        m.add(AiMessage.builder().text(null).thinking("The user wants sums; call the calculator.").toolExecutionRequests(List.of(
                request("call_1", "calculator", "{\"expression\": \"2 + 2\"}"),
                request("call_2", "calculator", "{\"expression\":\"3*3\"}"),
                request(null, "noId", "not json at all"),
                request("call_3", null, null),
                request("call_4", "big", "{\"n\":12345678901234567890}"),
                request("call_5", "array", "[1,2,3]"),
                request("call_6", "escaped", "{\"s\":\"nul \\u0000 here\"}"),
                request("call_7", "negativeZero", "{\"x\":-0.0}"),
                request("call_8", "empty", "")))
                .attributes(Map.of("generated_images", List.of(Image.builder().url("https://example.com/gen.png").build()),
                        "tokens", 12))
                .build());
        m.add(AiMessage.builder().text("Let me check.").thinking("").toolExecutionRequests(List.of(
                request("call_9", "weather", "{\"city\":\"Zürich\"}"))).build());
        m.add(AiMessage.builder().text("with attributes").attributes(exoticAttributes()).build());
        m.add(ToolExecutionResultMessage.from(request("call_1", "calculator", "{}"), "4"));
        m.add(ToolExecutionResultMessage.builder().id(null).toolName(null).text("").isError(true).build());
        m.add(ToolExecutionResultMessage.builder().id("call_2").toolName("calculator").text("{\"value\": 9}").isError(false)
                .attributes(Map.of("elapsedMs", 12, "cached", true)).build());
        m.add(ToolExecutionResultMessage.builder().id("call_9").toolName("weather")
                .contents(TextContent.from("sunny"), ImageContent.from("https://example.com/sun.png")).build());
        m.add(CustomMessage.from(exoticAttributes()));
        m.add(CustomMessage.from(Map.of()));
        return m;
    }
}
