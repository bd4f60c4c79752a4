package dev.memoria.memory;

import dev.memoria.Limits;
import dev.memoria.run.RunRef;
import dev.memoria.spi.Checks;
import dev.memoria.spi.Json;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Objects;

/**
 * An event as stored in a run's memory, with its place in the log.
 *
 * @param run the run whose log holds it
 * @param sequence its position, 1 for the run's first event, without gaps
 * @param key its idempotency key
 * @param type what it records
 * @param timestamp when it happened (millisecond precision)
 * @param data JSON values
 * @param labels short string tags
 */
public record MemoryEvent(RunRef run, long sequence, String key, EventType type, Instant timestamp,
                          Map<String, Object> data, Map<String, String> labels) {
    static final String TEXT = "text";
    static final String CALL_ID = "callId";
    static final String TOOL = "tool";
    static final String ARGUMENTS = "arguments";
    static final String RESULT = "result";
    static final String IS_ERROR = "isError";

    /** Checks every field and copies the maps. */
    public MemoryEvent {
        Objects.requireNonNull(run, "run");
        if (sequence < 1) {
            throw new IllegalArgumentException("sequence: must be at least 1, got " + sequence);
        }
        Checks.id(key, "key");
        Objects.requireNonNull(type, "type");
        timestamp = Objects.requireNonNull(timestamp, "timestamp").truncatedTo(ChronoUnit.MILLIS);
        data = Json.copyOf(data, "data", Limits.MAX_EVENT_DATA_BYTES);
        labels = Checks.labels(labels, "labels");
    }

    /**
     * @return the text of a USER_MESSAGE, ASSISTANT_MESSAGE, PLANNER_NOTE or THINKING event
     * @throws IllegalStateException for a tool event, or if the data has no text
     */
    public String text() {
        if (!type.isText() || !(data.get(TEXT) instanceof String text)) {
            throw new IllegalStateException("event " + sequence + " is a " + type + " without text");
        }
        return text;
    }

    /**
     * @return the typed view of a TOOL_CALL event
     * @throws IllegalStateException for another type
     */
    @SuppressWarnings("unchecked")
    public ToolCall toolCall() {
        require(EventType.TOOL_CALL);
        Object args = data.get(ARGUMENTS);
        return new ToolCall((String) data.get(CALL_ID), (String) data.get(TOOL),
                args instanceof Map ? (Map<String, Object>) args : Map.of());
    }

    /**
     * @return the typed view of a TOOL_RESULT event
     * @throws IllegalStateException for another type
     */
    public ToolResult toolResult() {
        require(EventType.TOOL_RESULT);
        return new ToolResult((String) data.get(CALL_ID), (String) data.get(TOOL), data.get(RESULT),
                Boolean.TRUE.equals(data.get(IS_ERROR)));
    }

    private void require(EventType expected) {
        if (type != expected) {
            throw new IllegalStateException("event " + sequence + " is a " + type + ", not a " + expected);
        }
    }

    /** @return the event as written, without its place in the log (for copying to another run or store) */
    public Event toEvent() {
        return new Event(key, type, timestamp, data, labels);
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
        return "MemoryEvent[#" + sequence + " of run " + Checks.shorten(run.runId()) + ", " + type + ", "
                + summary(data) + ", " + timestamp + "]";
    }
}
