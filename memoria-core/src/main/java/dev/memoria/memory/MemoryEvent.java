package dev.memoria.memory;

import dev.memoria.run.RunRef;
import dev.memoria.internal.Checks;
import dev.memoria.internal.Json;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Objects;

/**
 * An event as stored in a run's memory, with its place in the log.
 *
 * <p>A stored event is trusted: building one checks its structure (nothing missing, a positive
 * sequence) but not the write-time limits and character rules, so that data stored under other
 * rules (an older or newer Memoria, a lowered limit) stays readable. Its type is kept by name; a
 * name this version does not know reads as {@link EventType#UNKNOWN}.
 *
 * @param run the run whose log holds it
 * @param sequence its position, 1 for the run's first event, without gaps
 * @param key its idempotency key
 * @param typeName the stored name of its type
 * @param timestamp when it happened (millisecond precision)
 * @param data JSON values
 * @param labels short string tags
 */
public record MemoryEvent(RunRef run, long sequence, String key, String typeName, Instant timestamp,
                          Map<String, Object> data, Map<String, String> labels) {
    static final String TEXT = "text";
    static final String CALL_ID = "callId";
    static final String TOOL = "tool";
    static final String ARGUMENTS = "arguments";
    static final String RESULT = "result";
    static final String IS_ERROR = "isError";

    /** Checks the structure (not the write-time limits) and copies the maps. */
    public MemoryEvent {
        Objects.requireNonNull(run, "run");
        if (sequence < 1) {
            throw new IllegalArgumentException("sequence: must be at least 1, got " + sequence);
        }
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(typeName, "typeName");
        timestamp = Objects.requireNonNull(timestamp, "timestamp").truncatedTo(ChronoUnit.MILLIS);
        data = Json.trustedCopy(data);
        labels = Json.trustedLabels(labels);
    }

    /**
     * A stored event of a known type.
     *
     * @param run the run whose log holds it
     * @param sequence its position
     * @param key its idempotency key
     * @param type its type
     * @param timestamp when it happened
     * @param data JSON values
     * @param labels short string tags
     */
    public MemoryEvent(RunRef run, long sequence, String key, EventType type, Instant timestamp,
                       Map<String, Object> data, Map<String, String> labels) {
        this(run, sequence, key, Objects.requireNonNull(type, "type").name(), timestamp, data, labels);
    }

    /** @return its type, or {@link EventType#UNKNOWN} if this version does not know {@link #typeName()} */
    public EventType type() {
        return EventType.ofName(typeName);
    }

    /**
     * @return the text of a USER_MESSAGE, ASSISTANT_MESSAGE, PLANNER_NOTE or THINKING event
     * @throws IllegalStateException for a tool event, or if the data has no text
     * @see #textIfAny()
     */
    public String text() {
        if (!type().isText() || !(data.get(TEXT) instanceof String text)) {
            throw new IllegalStateException("event " + sequence + " is " + article(typeName) + " " + typeName + " without text");
        }
        return text;
    }

    /** @return the data's {@code text} field when it is a string, whatever the type; never throws */
    public java.util.Optional<String> textIfAny() {
        return data.get(TEXT) instanceof String text ? java.util.Optional.of(text) : java.util.Optional.empty();
    }

    private static String article(String name) {
        return "AEIOU".indexOf(name.charAt(0)) >= 0 ? "an" : "a";
    }

    /**
     * @return the typed view of a TOOL_CALL event
     * @throws IllegalStateException for another type
     */
    @SuppressWarnings("unchecked")
    public ToolCall toolCall() {
        require(EventType.TOOL_CALL);
        Object args = data.get(ARGUMENTS);
        return new ToolCall(string(CALL_ID), string(TOOL), args instanceof Map ? (Map<String, Object>) args : Map.of());
    }

    /**
     * @return the typed view of a TOOL_RESULT event
     * @throws IllegalStateException for another type
     */
    public ToolResult toolResult() {
        require(EventType.TOOL_RESULT);
        return new ToolResult(string(CALL_ID), string(TOOL), data.get(RESULT), Boolean.TRUE.equals(data.get(IS_ERROR)));
    }

    /** A string field, or null when it is missing or not a string (stored data is trusted, not assumed well-formed). */
    private String string(String field) {
        return data.get(field) instanceof String s ? s : null;
    }

    private void require(EventType expected) {
        if (type() != expected) {
            throw new IllegalStateException("event " + sequence + " is " + article(typeName) + " " + typeName
                    + ", not " + article(expected.name()) + " " + expected);
        }
    }

    /**
     * @return the event as written, without its place in the log (for copying to another run or
     *     store); the write-time rules apply to it again
     */
    public Event toEvent() {
        return new Event(key, typeName, timestamp, data, labels);
    }

    static String summary(Map<String, Object> data) {
        Object text = data.get(TEXT);
        if (text instanceof String s) {
            return "\"" + Checks.shorten(s) + "\"";
        }
        if (data.get(TOOL) instanceof String tool) {
            return "tool " + Checks.shorten(tool);
        }
        return data.size() + " data keys";
    }

    @Override
    public String toString() {
        return "MemoryEvent[#" + sequence + " of run " + Checks.shorten(run.runId()) + ", " + typeName + ", "
                + summary(data) + ", " + timestamp + "]";
    }
}
