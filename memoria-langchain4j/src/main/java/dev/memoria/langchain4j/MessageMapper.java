package dev.memoria.langchain4j;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.audio.Audio;
import dev.langchain4j.data.image.Image;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.AudioContent;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.CustomMessage;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.PdfFileContent;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.data.message.VideoContent;
import dev.langchain4j.data.pdf.PdfFile;
import dev.langchain4j.data.video.Video;
import dev.memoria.context.Conversation.Message;
import dev.memoria.memory.Event;
import dev.memoria.memory.EventType;
import dev.memoria.spi.Checks;
import dev.memoria.spi.Json;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * LangChain4j's messages as Memoria events and back, losslessly: a message read back is
 * {@code equals()} to the one written. The only place that knows LangChain4j's encoding.
 *
 * <h2>The events</h2>
 * <ul>
 *   <li>{@link SystemMessage}: SYSTEM_MESSAGE {@code {text}}.</li>
 *   <li>{@link UserMessage}: USER_MESSAGE {@code {text, name?, contents?, attributes?}}; a message
 *       of one text content has {@code text} only; any other has {@code contents} (every content
 *       in order) and, for reading, {@code text} = its text contents joined by new lines (absent
 *       if none).</li>
 *   <li>{@link AiMessage}: THINKING {@code {text}} when it has thinking, then ASSISTANT_MESSAGE
 *       {@code {text (null when none), attributes?}}, then one TOOL_CALL {@code {callId?, tool?,
 *       arguments?, argumentsText?}} per tool execution request. {@code arguments} is the
 *       arguments string parsed, when it is a JSON object; {@code argumentsText} is the string
 *       itself, written only when {@code arguments} does not give it back exactly (spacing, key
 *       order, number forms, or not an object).</li>
 *   <li>{@link ToolExecutionResultMessage}: TOOL_RESULT {@code {callId?, tool?, result, isError,
 *       contents?, attributes?}}; {@code result} is the text; {@code isError} is as given (true,
 *       false or null); a result of other contents than one text has {@code contents} and
 *       {@code result} = its texts joined (null if none).</li>
 *   <li>{@link CustomMessage}: CUSTOM_MESSAGE {@code {attributes?, attributeTypes?}}.</li>
 * </ul>
 * A field marked {@code ?} is absent when the message's value is null (or empty for attributes).
 *
 * <h2>Attributes</h2>
 * {@code attributes} holds the values as JSON (an Integer as a number, a BigDecimal as its
 * string...); {@code attributeTypes}, only when needed, mirrors the values whose Java type JSON
 * does not keep ({@code "Integer"}, {@code "Short"}, {@code "Byte"}, {@code "Float"},
 * {@code "Double"} for NaN, infinities and -0.0, {@code "BigInteger"}, {@code "BigDecimal"},
 * {@code "Character"}, {@code "Image"}), by key and, inside maps and lists, by key or index. A
 * value of another type (an arbitrary object, a Set, an array, an enum) is refused with an
 * {@link IllegalArgumentException} naming the key.
 *
 * <h2>Contents</h2>
 * Each content is a map with {@code type} (TEXT, IMAGE, AUDIO, VIDEO, PDF) and its fields:
 * {@code text}; {@code image} {@code {url?, base64Data?, mimeType?, revisedPrompt?}} and
 * {@code detailLevel}; {@code audio} {@code {url?, binaryData? (base64), base64Data?, mimeType?}};
 * {@code video} and {@code pdfFile} {@code {url?, base64Data?, mimeType?}}. A null media object
 * is a null field.
 *
 * <h2>Events written by others</h2>
 * Reading is tolerant: a USER_MESSAGE with a {@code text}, a TOOL_CALL with map arguments or a
 * TOOL_RESULT of any JSON result (as written by Memoria's runtime) reads as the LangChain4j message
 * it stands for; a message of another shape or type reads as a {@link CustomMessage} with the
 * attribute {@value #FOREIGN} = its events' {@code type} and {@code data}.
 */
final class MessageMapper {
    /** The event type of a {@link CustomMessage}. */
    static final String CUSTOM_MESSAGE = "CUSTOM_MESSAGE";
    /** The attribute of the custom message that stands for events this mapper did not write. */
    static final String FOREIGN = "memoria.events";

    static final String TEXT = "text";
    static final String NAME = "name";
    static final String CONTENTS = "contents";
    static final String ATTRIBUTES = "attributes";
    static final String ATTRIBUTE_TYPES = "attributeTypes";
    static final String CALL_ID = "callId";
    static final String TOOL = "tool";
    static final String ARGUMENTS = "arguments";
    static final String ARGUMENTS_TEXT = "argumentsText";
    static final String RESULT = "result";
    static final String IS_ERROR = "isError";
    private static final String TYPE = "type";

    private MessageMapper() {
    }

    // ---------------------------------------------------------------- writing

    /**
     * @param messages LangChain4j messages
     * @param name the argument's name, for messages
     * @return them as conversation messages, in order
     * @throws IllegalArgumentException naming the message's index and the field, if one cannot be stored
     */
    static List<Message> encodeAll(Iterable<? extends ChatMessage> messages, String name) {
        List<Message> out = new ArrayList<>();
        int i = 0;
        for (ChatMessage m : messages) {
            out.add(encode(m, name + "[" + i + "]"));
            i++;
        }
        return out;
    }

    /**
     * @param message a LangChain4j message
     * @param where its name in messages, such as {@code messages[3]}
     * @return it as a conversation message
     */
    static Message encode(ChatMessage message, String where) {
        Objects.requireNonNull(message, where);
        try {
            return new Message(events(message));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + " (" + message.getClass().getSimpleName() + "): " + e.getMessage(), e);
        } catch (NullPointerException e) {
            throw new NullPointerException(where + " (" + message.getClass().getSimpleName() + "): " + e.getMessage());
        }
    }

    private static List<Event> events(ChatMessage message) {
        Class<?> type = message.getClass();
        if (type == SystemMessage.class) {
            return List.of(event(EventType.SYSTEM_MESSAGE, Map.of(TEXT, ((SystemMessage) message).text())));
        }
        if (type == UserMessage.class) {
            return List.of(user((UserMessage) message));
        }
        if (type == AiMessage.class) {
            return ai((AiMessage) message);
        }
        if (type == ToolExecutionResultMessage.class) {
            return List.of(toolResult((ToolExecutionResultMessage) message));
        }
        if (type == CustomMessage.class) {
            return custom((CustomMessage) message);
        }
        throw new IllegalArgumentException(type.getName() + " is not a message type Memoria can store (SystemMessage,"
                + " UserMessage, AiMessage, ToolExecutionResultMessage, CustomMessage; subclasses cannot be read back as themselves)");
    }

    private static Event user(UserMessage m) {
        Map<String, Object> data = new LinkedHashMap<>();
        List<Content> contents = m.contents();
        boolean singleText = contents.size() == 1 && contents.get(0) != null && contents.get(0).getClass() == TextContent.class;
        if (singleText) {
            data.put(TEXT, ((TextContent) contents.get(0)).text());
        } else {
            putIfNotNull(data, TEXT, joinedText(contents));
        }
        putIfNotNull(data, NAME, m.name());
        if (!singleText) {
            data.put(CONTENTS, contents(contents));
        }
        putAttributes(data, m.attributes());
        return event(EventType.USER_MESSAGE, data);
    }

    private static List<Event> ai(AiMessage m) {
        List<Event> out = new ArrayList<>();
        if (m.thinking() != null) {
            out.add(event(EventType.THINKING, Map.of(TEXT, m.thinking())));
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put(TEXT, m.text()); // null too: the message's text field, present even without a text
        putAttributes(data, m.attributes());
        out.add(event(EventType.ASSISTANT_MESSAGE, data));
        List<ToolExecutionRequest> requests = m.toolExecutionRequests();
        for (int i = 0; i < requests.size(); i++) {
            ToolExecutionRequest r = Objects.requireNonNull(requests.get(i), "toolExecutionRequests[" + i + "]");
            out.add(toolCall(r));
        }
        return out;
    }

    private static Event toolCall(ToolExecutionRequest r) {
        Map<String, Object> data = new LinkedHashMap<>();
        putIfNotNull(data, CALL_ID, r.id());
        putIfNotNull(data, TOOL, r.name());
        String arguments = r.arguments();
        if (arguments == null) {
            return event(EventType.TOOL_CALL, data);
        }
        Map<String, Object> parsed = parseObjectOrNull(arguments);
        if (parsed != null) {
            Map<String, Object> withMap = new LinkedHashMap<>(data);
            withMap.put(ARGUMENTS, parsed);
            try {
                Event e = event(EventType.TOOL_CALL, withMap);
                // what the store keeps is the normalised map: it must give the string back exactly, or the string is kept too
                if (Json.write(e.data().get(ARGUMENTS)).equals(arguments)) {
                    return e;
                }
                withMap.put(ARGUMENTS_TEXT, arguments);
                return event(EventType.TOOL_CALL, withMap);
            } catch (IllegalArgumentException notStorableAsAMap) {
                // a map Memoria refuses (a NUL escape, too deep, or too large twice over): the string alone
            }
        }
        data.put(ARGUMENTS_TEXT, arguments);
        return event(EventType.TOOL_CALL, data);
    }

    private static Map<String, Object> parseObjectOrNull(String text) {
        String s = text.strip();
        if (!s.startsWith("{")) {
            return null;
        }
        try {
            return Json.parseObject(s);
        } catch (IllegalArgumentException notAnObject) {
            return null;
        }
    }

    private static Event toolResult(ToolExecutionResultMessage m) {
        Map<String, Object> data = new LinkedHashMap<>();
        putIfNotNull(data, CALL_ID, m.id());
        putIfNotNull(data, TOOL, m.toolName());
        List<Content> contents = m.contents();
        boolean singleText = contents.size() == 1 && contents.get(0) != null && contents.get(0).getClass() == TextContent.class;
        data.put(RESULT, singleText ? ((TextContent) contents.get(0)).text() : joinedText(contents));
        data.put(IS_ERROR, m.isError());
        if (!singleText) {
            data.put(CONTENTS, contents(contents));
        }
        putAttributes(data, m.attributes());
        return event(EventType.TOOL_RESULT, data);
    }

    private static List<Event> custom(CustomMessage m) {
        Map<String, Object> data = new LinkedHashMap<>();
        putAttributes(data, m.attributes());
        return List.of(new Event(null, CUSTOM_MESSAGE, null, data, Map.of()));
    }

    private static Event event(EventType type, Map<String, ?> data) {
        return Event.of(type, data);
    }

    private static void putIfNotNull(Map<String, Object> data, String key, Object value) {
        if (value != null) {
            data.put(key, value);
        }
    }

    /** The texts of the text contents, joined by new lines, for reading the log; null if there are none. */
    private static String joinedText(List<Content> contents) {
        List<String> texts = contents.stream().filter(c -> c instanceof TextContent).map(c -> ((TextContent) c).text()).toList();
        return texts.isEmpty() ? null : texts.stream().collect(Collectors.joining("\n"));
    }

    private static List<Object> contents(List<Content> contents) {
        List<Object> out = new ArrayList<>(contents.size());
        for (int i = 0; i < contents.size(); i++) {
            out.add(content(contents.get(i), "contents[" + i + "]"));
        }
        return out;
    }

    private static Map<String, Object> content(Content c, String where) {
        if (c == null) {
            return null;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        Class<?> type = c.getClass();
        if (type == TextContent.class) {
            out.put(TYPE, "TEXT");
            out.put(TEXT, ((TextContent) c).text());
        } else if (type == ImageContent.class) {
            ImageContent image = (ImageContent) c;
            out.put(TYPE, "IMAGE");
            out.put("image", image(image.image()));
            out.put("detailLevel", image.detailLevel().name());
        } else if (type == AudioContent.class) {
            Audio audio = ((AudioContent) c).audio();
            out.put(TYPE, "AUDIO");
            out.put("audio", audio == null ? null : media(audio.url(), audio.binaryData(), audio.base64Data(), audio.mimeType()));
        } else if (type == VideoContent.class) {
            Video video = ((VideoContent) c).video();
            out.put(TYPE, "VIDEO");
            out.put("video", video == null ? null : media(video.url(), null, video.base64Data(), video.mimeType()));
        } else if (type == PdfFileContent.class) {
            PdfFile pdf = ((PdfFileContent) c).pdfFile();
            out.put(TYPE, "PDF");
            out.put("pdfFile", pdf == null ? null : media(pdf.url(), null, pdf.base64Data(), pdf.mimeType()));
        } else {
            throw new IllegalArgumentException(where + ": " + type.getName() + " is not a content type Memoria can store"
                    + " (TextContent, ImageContent, AudioContent, VideoContent, PdfFileContent)");
        }
        return out;
    }

    private static Map<String, Object> image(Image image) {
        Map<String, Object> out = media(image.url(), null, image.base64Data(), image.mimeType());
        putIfNotNull(out, "revisedPrompt", image.revisedPrompt());
        return out;
    }

    private static Map<String, Object> media(URI url, byte[] binary, String base64, String mimeType) {
        Map<String, Object> out = new LinkedHashMap<>();
        putIfNotNull(out, "url", url == null ? null : url.toString());
        putIfNotNull(out, "binaryData", binary == null ? null : Base64.getEncoder().encodeToString(binary));
        putIfNotNull(out, "base64Data", base64);
        putIfNotNull(out, "mimeType", mimeType);
        return out;
    }

    /** Writes {@code attributes} and, if some value's Java type JSON does not keep, {@code attributeTypes}. */
    private static void putAttributes(Map<String, Object> data, Map<String, Object> attributes) {
        if (attributes == null || attributes.isEmpty()) {
            return;
        }
        Typed typed = typed(attributes, ATTRIBUTES);
        data.put(ATTRIBUTES, typed.value());
        if (typed.type() != null) {
            data.put(ATTRIBUTE_TYPES, typed.type());
        }
    }

    /**
     * A Java value as JSON, and what restores its type.
     *
     * @param value the JSON value
     * @param type null when the JSON value reads back as the same Java value; a type name for a
     *     value; for a map or list, a map of the types its entries need, by key or index
     */
    private record Typed(Object value, Object type) {
    }

    private static Typed typed(Object v, String where) {
        if (v == null || v instanceof String || v instanceof Boolean || v instanceof Long) {
            return new Typed(v, null);
        }
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return new Typed(((Number) v).longValue(), v.getClass().getSimpleName());
        }
        if (v instanceof Double d) {
            // NaN, infinities and -0.0 are no JSON numbers (-0.0 folds to 0.0): their string keeps them
            return plainDouble(d) ? new Typed(d, null) : new Typed(Double.toString(d), "Double");
        }
        if (v instanceof Float f) {
            return plainDouble(f.doubleValue()) ? new Typed(f.doubleValue(), "Float") : new Typed(Float.toString(f), "Float");
        }
        if (v instanceof BigInteger b) {
            return new Typed(b.toString(), "BigInteger");
        }
        if (v instanceof BigDecimal b) {
            return new Typed(b.toString(), "BigDecimal"); // toString keeps the scale, which BigDecimal.equals compares
        }
        if (v instanceof Character c) {
            return new Typed(c.toString(), "Character");
        }
        if (v instanceof Image image) {
            return new Typed(image(image), "Image");
        }
        if (v instanceof Map<?, ?> map) {
            Map<String, Object> values = new LinkedHashMap<>();
            Map<String, Object> types = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!(e.getKey() instanceof String key)) {
                    throw new IllegalArgumentException(where + ": map keys must be Strings, got "
                            + (e.getKey() == null ? "null" : e.getKey().getClass().getName()));
                }
                Typed t = typed(e.getValue(), where + "." + Checks.shorten(key));
                values.put(key, t.value());
                if (t.type() != null) {
                    types.put(key, t.type());
                }
            }
            return new Typed(values, types.isEmpty() ? null : types);
        }
        if (v instanceof List<?> list) {
            List<Object> values = new ArrayList<>(list.size());
            Map<String, Object> types = new LinkedHashMap<>();
            for (int i = 0; i < list.size(); i++) {
                Typed t = typed(list.get(i), where + "[" + i + "]");
                values.add(t.value());
                if (t.type() != null) {
                    types.put(Integer.toString(i), t.type());
                }
            }
            return new Typed(values, types.isEmpty() ? null : types);
        }
        throw new IllegalArgumentException(where + ": a " + v.getClass().getName() + " cannot be stored; attribute values"
                + " are null, String, Boolean, Character, numbers (Integer, Long, Short, Byte, Double, Float, BigInteger,"
                + " BigDecimal), Image, and Lists and Maps with String keys of these");
    }

    private static boolean plainDouble(double d) {
        return !Double.isNaN(d) && !Double.isInfinite(d) && !(d == 0.0 && 1 / d < 0);
    }

    // ---------------------------------------------------------------- reading

    /**
     * @param messages conversation messages
     * @return them as LangChain4j messages, in a new mutable list
     */
    static List<ChatMessage> decodeAll(List<Message> messages) {
        List<ChatMessage> out = new ArrayList<>(messages.size());
        for (Message m : messages) {
            out.add(decode(m));
        }
        return out;
    }

    /**
     * @param message a conversation message
     * @return the LangChain4j message it stands for
     */
    static ChatMessage decode(Message message) {
        List<Event> events = message.events();
        Event first = events.get(0);
        Map<String, Object> data = first.data();
        ChatMessage decoded = null;
        switch (first.typeName()) {
            case "SYSTEM_MESSAGE" -> {
                if (events.size() == 1 && data.get(TEXT) instanceof String text && !text.isBlank()) {
                    decoded = SystemMessage.from(text);
                }
            }
            case "USER_MESSAGE" -> {
                if (events.size() == 1) {
                    decoded = user(data);
                }
            }
            case "THINKING", "ASSISTANT_MESSAGE", "TOOL_CALL" -> decoded = ai(events);
            case "TOOL_RESULT" -> {
                if (events.size() == 1) {
                    decoded = toolResult(data);
                }
            }
            case CUSTOM_MESSAGE -> {
                if (events.size() == 1) {
                    decoded = new CustomMessage(attributes(data));
                }
            }
            default -> {
                // another writer's type: kept below as a custom message
            }
        }
        return decoded != null ? decoded : foreign(events);
    }

    private static ChatMessage user(Map<String, Object> data) {
        List<Content> contents;
        if (data.containsKey(CONTENTS)) {
            contents = contentsFrom(data.get(CONTENTS));
            if (contents == null || contents.isEmpty()) {
                return null;
            }
        } else if (data.get(TEXT) instanceof String text) {
            contents = List.of(TextContent.from(text));
        } else {
            return null;
        }
        return UserMessage.builder().name(string(data, NAME)).contents(contents).attributes(attributes(data)).build();
    }

    private static ChatMessage ai(List<Event> events) {
        String thinking = null;
        String text = null;
        Map<String, Object> attributes = Map.of();
        List<ToolExecutionRequest> requests = new ArrayList<>();
        int stage = 0; // THINKING, then ASSISTANT_MESSAGE, then TOOL_CALLs, each at most once but the calls
        for (Event e : events) {
            switch (e.typeName()) {
                case "THINKING" -> {
                    if (stage > 0 || !(e.data().get(TEXT) instanceof String t)) {
                        return null;
                    }
                    thinking = t;
                    stage = 1;
                }
                case "ASSISTANT_MESSAGE" -> {
                    if (stage > 1) {
                        return null;
                    }
                    text = string(e.data(), TEXT);
                    attributes = attributes(e.data());
                    stage = 2;
                }
                case "TOOL_CALL" -> {
                    requests.add(request(e.data()));
                    stage = 3;
                }
                default -> {
                    return null;
                }
            }
        }
        return AiMessage.builder().text(text).thinking(thinking).toolExecutionRequests(requests).attributes(attributes).build();
    }

    private static ToolExecutionRequest request(Map<String, Object> data) {
        String arguments;
        if (data.get(ARGUMENTS_TEXT) instanceof String text) {
            arguments = text;
        } else if (data.get(ARGUMENTS) != null) {
            arguments = Json.write(data.get(ARGUMENTS));
        } else {
            arguments = null;
        }
        return ToolExecutionRequest.builder().id(string(data, CALL_ID)).name(string(data, TOOL)).arguments(arguments).build();
    }

    private static ChatMessage toolResult(Map<String, Object> data) {
        List<Content> contents;
        if (data.containsKey(CONTENTS)) {
            contents = contentsFrom(data.get(CONTENTS));
            if (contents == null || contents.isEmpty()) {
                return null;
            }
        } else {
            Object result = data.get(RESULT);
            contents = List.of(TextContent.from(result instanceof String s ? s : Json.write(result)));
        }
        return ToolExecutionResultMessage.builder()
                .id(string(data, CALL_ID))
                .toolName(string(data, TOOL))
                .contents(contents)
                .isError(data.get(IS_ERROR) instanceof Boolean b ? b : null)
                .attributes(attributes(data))
                .build();
    }

    /** Events of a shape this mapper does not write, as a custom message: nothing is hidden. */
    private static ChatMessage foreign(List<Event> events) {
        List<Object> list = new ArrayList<>(events.size());
        for (Event e : events) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put(TYPE, e.typeName());
            one.put("data", e.data());
            list.add(one);
        }
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put(FOREIGN, list);
        return new CustomMessage(attributes);
    }

    private static String string(Map<String, Object> data, String key) {
        return data.get(key) instanceof String s ? s : null;
    }

    private static List<Content> contentsFrom(Object stored) {
        if (!(stored instanceof List<?> list)) {
            return null;
        }
        List<Content> out = new ArrayList<>(list.size());
        for (Object item : list) {
            if (item == null) {
                out.add(null);
                continue;
            }
            if (!(item instanceof Map<?, ?> map)) {
                return null;
            }
            Content c = content(map);
            if (c == null) {
                return null;
            }
            out.add(c);
        }
        return out;
    }

    private static Content content(Map<?, ?> c) {
        Object type = c.get(TYPE);
        if ("TEXT".equals(type) && c.get(TEXT) instanceof String text) {
            return TextContent.from(text);
        }
        if ("IMAGE".equals(type) && c.get("image") instanceof Map<?, ?> image && c.get("detailLevel") instanceof String level) {
            try {
                return ImageContent.from(imageFrom(image), ImageContent.DetailLevel.valueOf(level));
            } catch (IllegalArgumentException unknownLevel) {
                return null;
            }
        }
        if ("AUDIO".equals(type) && c.containsKey("audio")) {
            if (!(c.get("audio") instanceof Map<?, ?> m)) {
                return new AudioContent((Audio) null);
            }
            Audio.Builder b = Audio.builder();
            if (m.get("url") instanceof String url) {
                b.url(URI.create(url));
            }
            if (m.get("binaryData") instanceof String binary) {
                b.binaryData(Base64.getDecoder().decode(binary));
            }
            return new AudioContent(b.base64Data(text(m, "base64Data")).mimeType(text(m, "mimeType")).build());
        }
        if ("VIDEO".equals(type) && c.containsKey("video")) {
            if (!(c.get("video") instanceof Map<?, ?> m)) {
                return new VideoContent((Video) null);
            }
            Video.Builder b = Video.builder();
            if (m.get("url") instanceof String url) {
                b.url(URI.create(url));
            }
            return new VideoContent(b.base64Data(text(m, "base64Data")).mimeType(text(m, "mimeType")).build());
        }
        if ("PDF".equals(type) && c.containsKey("pdfFile")) {
            if (!(c.get("pdfFile") instanceof Map<?, ?> m)) {
                return new PdfFileContent((PdfFile) null);
            }
            PdfFile.Builder b = PdfFile.builder();
            if (m.get("url") instanceof String url) {
                b.url(URI.create(url));
            }
            return new PdfFileContent(b.base64Data(text(m, "base64Data")).mimeType(text(m, "mimeType")).build());
        }
        return null;
    }

    private static Image imageFrom(Map<?, ?> m) {
        Image.Builder b = Image.builder();
        if (m.get("url") instanceof String url) {
            b.url(URI.create(url));
        }
        return b.base64Data(text(m, "base64Data")).mimeType(text(m, "mimeType")).revisedPrompt(text(m, "revisedPrompt")).build();
    }

    private static String text(Map<?, ?> m, String key) {
        return m.get(key) instanceof String s ? s : null;
    }

    /** The attributes as written, each value of its Java type again. */
    private static Map<String, Object> attributes(Map<String, Object> data) {
        if (!(data.get(ATTRIBUTES) instanceof Map<?, ?> values)) {
            return new LinkedHashMap<>();
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> restored = (Map<String, Object>) restore(values, data.get(ATTRIBUTE_TYPES));
        return restored;
    }

    private static Object restore(Object value, Object type) {
        if (value instanceof Map<?, ?> map) {
            Map<?, ?> types = type instanceof Map<?, ?> t ? t : Map.of();
            if (type instanceof String tag && tag.equals("Image")) {
                return imageFrom(map);
            }
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put((String) k, restore(v, types.get(k))));
            return out;
        }
        if (value instanceof List<?> list) {
            Map<?, ?> types = type instanceof Map<?, ?> t ? t : Map.of();
            List<Object> out = new ArrayList<>(list.size());
            for (int i = 0; i < list.size(); i++) {
                out.add(restore(list.get(i), types.get(Integer.toString(i))));
            }
            return out;
        }
        if (!(type instanceof String tag) || value == null) {
            return value;
        }
        try {
            return switch (tag) {
                case "Integer" -> value instanceof Long l ? (Object) l.intValue() : value;
                case "Short" -> value instanceof Long l ? (Object) l.shortValue() : value;
                case "Byte" -> value instanceof Long l ? (Object) l.byteValue() : value;
                case "Double" -> value instanceof String s ? (Object) Double.parseDouble(s) : value;
                case "Float" -> value instanceof Double d ? (Object) d.floatValue()
                        : value instanceof String s ? (Object) Float.parseFloat(s) : value;
                case "BigInteger" -> value instanceof String s ? new BigInteger(s) : value;
                case "BigDecimal" -> value instanceof String s ? new BigDecimal(s) : value;
                case "Character" -> value instanceof String s && s.length() == 1 ? (Object) s.charAt(0) : value;
                default -> value; // a type a newer version wrote: the JSON value, as read
            };
        } catch (NumberFormatException corrupt) {
            return value;
        }
    }
}
