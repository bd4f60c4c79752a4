package dev.memoria.springai;

import dev.memoria.context.Conversation;
import dev.memoria.memory.Event;
import dev.memoria.memory.EventType;
import dev.memoria.spi.Json;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.MalformedURLException;
import java.net.URL;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.ai.chat.messages.AbstractMessage;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.content.Media;
import org.springframework.util.MimeType;

/**
 * The one place that knows how a Spring AI message is written as Memoria events, and read back.
 *
 * <ul>
 *   <li>{@link UserMessage}: one USER_MESSAGE {@code {text, metadata?, metadataTypes?, media?}}.
 *   <li>{@link SystemMessage}: one SYSTEM_MESSAGE {@code {text, metadata?, metadataTypes?}}.
 *   <li>{@link AssistantMessage}: an ASSISTANT_MESSAGE {@code {text (null kept), metadata?,
 *       metadataTypes?, media?}}, then a THINKING {@code {text}} when the metadata holds a String
 *       under {@value #REASONING_KEY} (moved out of the metadata, put back on read), then one
 *       TOOL_CALL {@code {callId, tool, type, arguments?, argumentsText?}} per tool call.
 *   <li>{@link ToolResponseMessage}: one TOOL_RESULT {@code {callId, tool, result, isError: false}}
 *       per response, the message's metadata on the first; one {@value #EMPTY_TOOL_RESPONSE}
 *       {@code {metadata?, responses: null if the list was null}} for a message without responses.
 * </ul>
 *
 * <p>Metadata is kept exactly: the {@code messageType} entry every Spring AI message adds to its
 * own metadata is left out (the message's class puts it back), and values whose Java type JSON
 * does not keep (Integer, Short, Byte, Float, BigInteger, BigDecimal, Character, non-finite or
 * negative-zero doubles) are described in {@code metadataTypes} (key, or list index, to type name,
 * nested like the value) so that an {@code Integer} comes back an {@code Integer}. Any other
 * object is refused with an {@link IllegalArgumentException} naming its key.
 *
 * <p>Tool-call arguments: {@code arguments} holds them as a JSON object when the string parses as
 * one (for {@code memoria show} and queries); {@code argumentsText} holds the exact string
 * whenever {@code arguments} alone would not give it back on every backend (it is not an object,
 * or does not re-encode to the same text, or has an object of two keys or more, whose order
 * PostgreSQL's {@code jsonb} does not keep).
 *
 * <p>Stateless and thread-safe.
 */
final class MessageMapper {
    static final String TEXT = "text";
    static final String METADATA = "metadata";
    static final String METADATA_TYPES = "metadataTypes";
    static final String MEDIA = "media";
    static final String CALL_ID = "callId";
    static final String TOOL = "tool";
    static final String TYPE = "type";
    static final String ARGUMENTS = "arguments";
    static final String ARGUMENTS_TEXT = "argumentsText";
    static final String RESULT = "result";
    static final String IS_ERROR = "isError";
    static final String MIME_TYPE = "mimeType";
    static final String DATA = "data";
    static final String DATA_TYPE = "dataType";
    static final String ID = "id";
    static final String NAME = "name";
    static final String RESPONSES = "responses";
    /** The metadata key under which Spring AI's chat models hand over the model's reasoning. */
    static final String REASONING_KEY = "reasoningContent";
    /** The event type of a ToolResponseMessage without responses: it has no TOOL_RESULT to hold it. */
    static final String EMPTY_TOOL_RESPONSE = "EMPTY_TOOL_RESPONSE";

    private static final String BYTES = "bytes";
    private static final String STRING = "string";
    private static final String URL_DATA = "url";

    private MessageMapper() {
    }

    /**
     * @param messages Spring AI messages, none null
     * @return them as conversation messages, in order
     * @throws IllegalArgumentException naming the message ({@code messages[i]}) and the field
     *     that cannot be stored
     */
    static List<Conversation.Message> toMemoria(List<? extends Message> messages) {
        List<Conversation.Message> out = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            try {
                out.add(toMemoria(messages.get(i)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("messages[" + i + "] (" + messages.get(i).getMessageType() + "): "
                        + e.getMessage(), e);
            }
        }
        return out;
    }

    /**
     * @param message a Spring AI message
     * @return it as one or more events
     * @throws IllegalArgumentException if a field cannot be stored, naming it
     */
    static Conversation.Message toMemoria(Message message) {
        if (message instanceof UserMessage user) {
            Map<String, Object> data = textAndMetadata(user.getText(), user);
            media(data, user.getMedia());
            return Conversation.Message.of(Event.of(EventType.USER_MESSAGE, data));
        }
        if (message instanceof SystemMessage system) {
            return Conversation.Message.of(Event.of(EventType.SYSTEM_MESSAGE, textAndMetadata(system.getText(), system)));
        }
        if (message instanceof AssistantMessage assistant) {
            return assistant(assistant);
        }
        if (message instanceof ToolResponseMessage tool) {
            return toolResponses(tool);
        }
        throw new IllegalArgumentException(message.getClass().getName() + " is none of Spring AI's message classes"
                + " (UserMessage, AssistantMessage, SystemMessage, ToolResponseMessage) and cannot be stored");
    }

    private static Conversation.Message assistant(AssistantMessage assistant) {
        Map<String, Object> metadata = new LinkedHashMap<>(assistant.getMetadata());
        String reasoning = null;
        if (metadata.get(REASONING_KEY) instanceof String r) {
            reasoning = r;
            metadata.remove(REASONING_KEY);
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put(TEXT, assistant.getText());
        metadata(data, metadata, assistant);
        media(data, assistant.getMedia());
        List<Event> events = new ArrayList<>();
        events.add(Event.of(EventType.ASSISTANT_MESSAGE, data));
        if (reasoning != null) {
            events.add(Event.of(EventType.THINKING, Map.of(TEXT, reasoning)));
        }
        List<AssistantMessage.ToolCall> calls = assistant.getToolCalls();
        for (int i = 0; i < calls.size(); i++) {
            AssistantMessage.ToolCall call = calls.get(i);
            if (call == null) {
                throw new IllegalArgumentException("toolCalls[" + i + "] is null");
            }
            Map<String, Object> c = new LinkedHashMap<>();
            c.put(CALL_ID, call.id());
            c.put(TOOL, call.name());
            c.put(TYPE, call.type());
            arguments(c, call.arguments());
            events.add(Event.of(EventType.TOOL_CALL, c));
        }
        return new Conversation.Message(events);
    }

    /** The arguments as an object for readers, and the exact string unless the object gives it back. */
    private static void arguments(Map<String, Object> call, String text) {
        Object parsed = null;
        if (text != null) {
            try {
                parsed = Json.parse(text);
            } catch (IllegalArgumentException notJson) {
                parsed = null;
            }
        }
        if (parsed instanceof Map<?, ?> object && holdable(object)) {
            call.put(ARGUMENTS, object);
            if (!Json.write(object).equals(text) || !orderFree(object)) {
                call.put(ARGUMENTS_TEXT, text);
            }
        } else {
            call.put(ARGUMENTS_TEXT, text);
        }
    }

    /** Whether event data can hold the parsed value (JSON text may escape a NUL, which Memoria refuses). */
    private static boolean holdable(Map<?, ?> object) {
        try {
            Event.of(EventType.TOOL_CALL, Map.of(ARGUMENTS, object));
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Whether no object in the value has two keys or more: then no backend can change its order. */
    private static boolean orderFree(Object value) {
        if (value instanceof Map<?, ?> m) {
            return m.size() < 2 && m.values().stream().allMatch(MessageMapper::orderFree);
        }
        if (value instanceof List<?> l) {
            return l.stream().allMatch(MessageMapper::orderFree);
        }
        return true;
    }

    private static Conversation.Message toolResponses(ToolResponseMessage message) {
        List<ToolResponseMessage.ToolResponse> responses = message.getResponses();
        if (responses == null || responses.isEmpty()) {
            Map<String, Object> data = new LinkedHashMap<>();
            if (responses == null) {
                data.put(RESPONSES, null); // the builder's default in Spring AI 1.1, and allowed in 2.0
            }
            metadata(data, message.getMetadata(), message);
            return Conversation.Message.of(new Event(null, EMPTY_TOOL_RESPONSE, null, data, Map.of()));
        }
        List<Event> events = new ArrayList<>(responses.size());
        for (int i = 0; i < responses.size(); i++) {
            ToolResponseMessage.ToolResponse response = responses.get(i);
            if (response == null) {
                throw new IllegalArgumentException("responses[" + i + "] is null");
            }
            Map<String, Object> data = new LinkedHashMap<>();
            data.put(CALL_ID, response.id());
            data.put(TOOL, response.name());
            data.put(RESULT, response.responseData());
            // Spring AI has no error flag: a failed tool's message is its response data
            data.put(IS_ERROR, false);
            if (i == 0) {
                metadata(data, message.getMetadata(), message);
            }
            events.add(Event.of(EventType.TOOL_RESULT, data));
        }
        return new Conversation.Message(events);
    }

    private static Map<String, Object> textAndMetadata(String text, AbstractMessage message) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put(TEXT, text);
        metadata(data, message.getMetadata(), message);
        return data;
    }

    /** Puts the metadata (without the framework's own messageType entry) and its type notes, if any. */
    private static void metadata(Map<String, Object> data, Map<String, Object> metadata, Message message) {
        Map<String, Object> values = new LinkedHashMap<>();
        Map<String, Object> types = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : metadata.entrySet()) {
            String key = e.getKey();
            if (key == null) {
                throw new IllegalArgumentException("metadata: a key is null");
            }
            if (key.equals(AbstractMessage.MESSAGE_TYPE) && e.getValue() == message.getMessageType()) {
                continue; // the message's constructor adds it: storing it would add nothing
            }
            Typed typed = typed(e.getValue(), "metadata." + key);
            values.put(key, typed.value());
            if (typed.type() != null) {
                types.put(key, typed.type());
            }
        }
        if (!values.isEmpty()) {
            data.put(METADATA, values);
        }
        if (!types.isEmpty()) {
            data.put(METADATA_TYPES, types);
        }
    }

    /**
     * A metadata value as JSON, and the note that restores its Java type: null when JSON reads it
     * back as it is (String, Long, Double, Boolean, null, lists and maps of those), a type name for
     * a scalar, a map from key (or list index) to note for a container.
     */
    private record Typed(Object value, Object type) {
    }

    private static Typed typed(Object v, String path) {
        if (v == null || v instanceof String || v instanceof Boolean || v instanceof Long) {
            return new Typed(v, null);
        }
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return new Typed(((Number) v).longValue(), v.getClass().getSimpleName());
        }
        if (v instanceof Double d) {
            return plainDouble(d) ? new Typed(d, null) : new Typed(Double.toString(d), "Double");
        }
        if (v instanceof Float f) {
            return plainDouble(f.doubleValue()) ? new Typed(f.doubleValue(), "Float") : new Typed(Float.toString(f), "Float");
        }
        if (v instanceof BigInteger || v instanceof BigDecimal) {
            return new Typed(v.toString(), v.getClass().getSimpleName());
        }
        if (v instanceof Character c) {
            return new Typed(String.valueOf(c), "Character");
        }
        if (v instanceof List<?> list) {
            List<Object> values = new ArrayList<>(list.size());
            Map<String, Object> types = new LinkedHashMap<>();
            for (int i = 0; i < list.size(); i++) {
                Typed t = typed(list.get(i), path + "[" + i + "]");
                values.add(t.value());
                if (t.type() != null) {
                    types.put(Integer.toString(i), t.type());
                }
            }
            return new Typed(values, types.isEmpty() ? null : types);
        }
        if (v instanceof Map<?, ?> map) {
            Map<String, Object> values = new LinkedHashMap<>();
            Map<String, Object> types = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!(e.getKey() instanceof String key)) {
                    throw new IllegalArgumentException(path + ": map keys must be Strings, got "
                            + (e.getKey() == null ? "null" : e.getKey().getClass().getName()));
                }
                Typed t = typed(e.getValue(), path + "." + key);
                values.put(key, t.value());
                if (t.type() != null) {
                    types.put(key, t.type());
                }
            }
            return new Typed(values, types.isEmpty() ? null : types);
        }
        throw new IllegalArgumentException(path + ": " + v.getClass().getName() + " cannot be stored exactly; metadata"
                + " values are null, String, Boolean, Integer, Long, Short, Byte, Double, Float, BigInteger, BigDecimal,"
                + " Character, and Lists and Maps (String keys) of those");
    }

    /** A double that JSON keeps as it is: finite, and not negative zero (which backends fold into zero). */
    private static boolean plainDouble(double d) {
        return Double.isFinite(d) && !(d == 0.0 && Double.doubleToRawLongBits(d) != 0L);
    }

    private static void media(Map<String, Object> data, List<Media> media) {
        if (media == null || media.isEmpty()) {
            return;
        }
        List<Object> out = new ArrayList<>(media.size());
        for (int i = 0; i < media.size(); i++) {
            Media m = media.get(i);
            if (m == null) {
                throw new IllegalArgumentException("media[" + i + "] is null");
            }
            Map<String, Object> item = new LinkedHashMap<>();
            item.put(MIME_TYPE, m.getMimeType().toString());
            item.put(ID, m.getId());
            item.put(NAME, m.getName());
            Object d = m.getData();
            if (d instanceof byte[] bytes) {
                item.put(DATA_TYPE, BYTES);
                item.put(DATA, Base64.getEncoder().encodeToString(bytes));
            } else if (d instanceof String s) {
                item.put(DATA_TYPE, STRING);
                item.put(DATA, s);
            } else if (d instanceof URL url) {
                item.put(DATA_TYPE, URL_DATA);
                item.put(DATA, url.toString());
            } else {
                throw new IllegalArgumentException("media[" + i + "]: data of " + d.getClass().getName()
                        + " cannot be stored (byte[], String or URL)");
            }
            out.add(item);
        }
        data.put(MEDIA, out);
    }

    // ------------------------------------------------------------------ reading

    /**
     * @param messages conversation messages, as read from the log
     * @return the Spring AI messages they stand for, in order; events that stand for none (written
     *     there by other code, of a type this mapping does not read) are left out
     */
    static List<Message> toSpring(List<Conversation.Message> messages) {
        List<Message> out = new ArrayList<>(messages.size());
        for (Conversation.Message m : messages) {
            toSpring(m).ifPresent(out::add);
        }
        return out;
    }

    /**
     * @param message one conversation message
     * @return the Spring AI message it stands for, or empty if it stands for none
     */
    static Optional<Message> toSpring(Conversation.Message message) {
        List<Event> events = message.events();
        Event first = events.get(0);
        Map<String, Object> data = first.data();
        switch (first.type()) {
            case USER_MESSAGE:
                if (!(data.get(TEXT) instanceof String text)) {
                    return Optional.empty();
                }
                return Optional.of(UserMessage.builder().text(text).media(readMedia(data)).metadata(readMetadata(data)).build());
            case SYSTEM_MESSAGE:
                if (!(data.get(TEXT) instanceof String system)) {
                    return Optional.empty();
                }
                return Optional.of(SystemMessage.builder().text(system).metadata(readMetadata(data)).build());
            case ASSISTANT_MESSAGE:
            case THINKING:
            case TOOL_CALL:
                return Optional.of(readAssistant(events));
            case TOOL_RESULT:
                return Optional.of(readToolResponses(events));
            default:
                if (first.typeName().equals(EMPTY_TOOL_RESPONSE)) {
                    List<ToolResponseMessage.ToolResponse> none = data.containsKey(RESPONSES) ? null : List.of();
                    return Optional.of(ToolResponseMessage.builder().responses(none).metadata(readMetadata(data)).build());
                }
                return Optional.empty();
        }
    }

    private static Message readAssistant(List<Event> events) {
        String text = null;
        Map<String, Object> metadata = new LinkedHashMap<>();
        List<Media> media = List.of();
        List<AssistantMessage.ToolCall> calls = new ArrayList<>();
        for (Event e : events) {
            Map<String, Object> data = e.data();
            switch (e.type()) {
                case ASSISTANT_MESSAGE -> {
                    text = data.get(TEXT) instanceof String s ? s : null;
                    metadata.putAll(readMetadata(data));
                    media = readMedia(data);
                }
                case THINKING -> {
                    if (data.get(TEXT) instanceof String s) {
                        metadata.put(REASONING_KEY, s);
                    }
                }
                case TOOL_CALL -> calls.add(new AssistantMessage.ToolCall(string(data, CALL_ID),
                        data.containsKey(TYPE) ? string(data, TYPE) : "function", string(data, TOOL), readArguments(data)));
                default -> {
                    // not part of an assistant message as this mapping writes one
                }
            }
        }
        return AssistantMessage.builder().content(text).properties(metadata).toolCalls(calls).media(media).build();
    }

    private static String readArguments(Map<String, Object> data) {
        if (data.containsKey(ARGUMENTS_TEXT)) {
            return string(data, ARGUMENTS_TEXT);
        }
        Object arguments = data.get(ARGUMENTS);
        return arguments == null ? null : Json.write(arguments);
    }

    private static Message readToolResponses(List<Event> events) {
        List<ToolResponseMessage.ToolResponse> responses = new ArrayList<>(events.size());
        Map<String, Object> metadata = readMetadata(events.get(0).data());
        for (Event e : events) {
            if (e.type() != EventType.TOOL_RESULT) {
                continue;
            }
            Object result = e.data().get(RESULT);
            String responseData = result == null || result instanceof String ? (String) result : Json.write(result);
            responses.add(new ToolResponseMessage.ToolResponse(string(e.data(), CALL_ID), string(e.data(), TOOL), responseData));
        }
        return ToolResponseMessage.builder().responses(responses).metadata(metadata).build();
    }

    private static String string(Map<String, Object> data, String key) {
        return data.get(key) instanceof String s ? s : null;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> readMetadata(Map<String, Object> data) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (!(data.get(METADATA) instanceof Map<?, ?> values)) {
            return out;
        }
        Map<String, Object> types = data.get(METADATA_TYPES) instanceof Map<?, ?> t ? (Map<String, Object>) t : Map.of();
        for (Map.Entry<?, ?> e : values.entrySet()) {
            String key = (String) e.getKey();
            out.put(key, untyped(e.getValue(), types.get(key)));
        }
        return out;
    }

    /** The value with its Java type restored from its note (see {@link Typed}); plain copies for the rest. */
    @SuppressWarnings("unchecked")
    private static Object untyped(Object value, Object type) {
        if (type instanceof String name) {
            return scalar(value, name);
        }
        Map<String, Object> children = type instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            for (int i = 0; i < list.size(); i++) {
                out.add(untyped(list.get(i), children.get(Integer.toString(i))));
            }
            return out;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                out.put((String) e.getKey(), untyped(e.getValue(), children.get(e.getKey())));
            }
            return out;
        }
        return value;
    }

    private static Object scalar(Object value, String type) {
        if (value == null) {
            return null;
        }
        return switch (type) {
            case "Integer" -> ((Number) value).intValue();
            case "Short" -> ((Number) value).shortValue();
            case "Byte" -> ((Number) value).byteValue();
            case "Double" -> value instanceof String s ? Double.valueOf(s) : ((Number) value).doubleValue();
            case "Float" -> value instanceof String s ? Float.valueOf(s) : ((Number) value).floatValue();
            case "BigInteger" -> new BigInteger(value.toString());
            case "BigDecimal" -> new BigDecimal(value.toString());
            case "Character" -> value.toString().charAt(0);
            default -> value; // a note from a newer version: the JSON value is the best there is
        };
    }

    private static List<Media> readMedia(Map<String, Object> data) {
        if (!(data.get(MEDIA) instanceof List<?> items)) {
            return List.of();
        }
        List<Media> out = new ArrayList<>(items.size());
        for (Object o : items) {
            if (!(o instanceof Map<?, ?> item) || !(item.get(MIME_TYPE) instanceof String mime)
                    || !(item.get(DATA) instanceof String d)) {
                continue;
            }
            Media.Builder b = Media.builder().mimeType(MimeType.valueOf(mime));
            Object kind = item.get(DATA_TYPE);
            if (BYTES.equals(kind)) {
                b.data(Base64.getDecoder().decode(d));
            } else if (URL_DATA.equals(kind)) {
                b.data(url(d));
            } else {
                b.data(d);
            }
            if (item.get(ID) instanceof String id) {
                b.id(id);
            }
            if (item.get(NAME) instanceof String name) {
                b.name(name);
            }
            out.add(b.build());
        }
        return out;
    }

    @SuppressWarnings("deprecation") // URL(String) keeps the exact text, where URI.toURL() may refuse or re-encode
    private static URL url(String text) {
        try {
            return new URL(text);
        } catch (MalformedURLException e) {
            throw new IllegalStateException("stored media URL no longer parses: " + text, e);
        }
    }
}
