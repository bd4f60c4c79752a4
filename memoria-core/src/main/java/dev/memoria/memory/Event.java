package dev.memoria.memory;

import dev.memoria.Ids;
import dev.memoria.Limits;
import dev.memoria.internal.Checks;
import dev.memoria.internal.Json;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An event to append to a run's memory. Build them with the typed helpers
 * ({@link #userMessage(String)}, {@link #toolCall(String, String, Map)} …) rather than by hand.
 *
 * <p>The key makes appends idempotent (M3): an event whose key the run already holds with the
 * same content is not written again. A key is generated when none is given, once, here — so
 * retrying the same {@code Event} object after a timeout is safe.
 *
 * <p>The type is kept by name ({@link #typeName()}): usually one of {@link EventType}'s, written
 * through the constructor that takes an {@link EventType}. A name this version does not know
 * (copied from a newer store, or a custom type) is written as given and reads back as
 * {@link EventType#UNKNOWN} with its name.
 *
 * @param key the idempotency key, unique within the run; generated (UUIDv7) if null
 * @param typeName what the event records: an {@link EventType}'s name or another name of 1 to
 *     32 upper case letters, digits and underscores
 * @param timestamp when it happened; null means "the store's now" at append
 * @param data JSON values, at most {@value Limits#MAX_EVENT_DATA_BYTES} bytes encoded
 * @param labels short string tags
 */
public record Event(String key, String typeName, Instant timestamp, Map<String, Object> data,
                    Map<String, String> labels) {

    /** Checks every field, generates a missing key and copies the maps. */
    public Event {
        key = key == null ? Ids.next() : Checks.id(key, "key");
        EventType.checkName(typeName);
        timestamp = timestamp == null ? null : timestamp.truncatedTo(ChronoUnit.MILLIS);
        data = Json.copyOf(data, "data", Limits.MAX_EVENT_DATA_BYTES);
        labels = Checks.labels(labels, "labels");
    }

    /**
     * An event of a known type.
     *
     * @param key the idempotency key; generated if null
     * @param type what the event records; not {@link EventType#UNKNOWN}
     * @param timestamp when it happened; null means "the store's now" at append
     * @param data JSON values
     * @param labels short string tags
     */
    public Event(String key, EventType type, Instant timestamp, Map<String, Object> data, Map<String, String> labels) {
        this(key, Objects.requireNonNull(type, "type").name(), timestamp, data, labels);
    }

    /** @return the type, or {@link EventType#UNKNOWN} for a name this version does not know */
    public EventType type() {
        return EventType.ofName(typeName);
    }

    /**
     * @param type the event's type
     * @param data its data
     * @return an event with a generated key, timestamped at append
     */
    public static Event of(EventType type, Map<String, ?> data) {
        @SuppressWarnings("unchecked")
        Map<String, Object> d = (Map<String, Object>) data;
        return new Event(null, type, null, d, Map.of());
    }

    /**
     * @param text what the user said
     * @return a USER_MESSAGE event
     */
    public static Event userMessage(String text) {
        return textEvent(EventType.USER_MESSAGE, text);
    }

    /**
     * @param text what the assistant said
     * @return an ASSISTANT_MESSAGE event
     */
    public static Event assistantMessage(String text) {
        return textEvent(EventType.ASSISTANT_MESSAGE, text);
    }

    /**
     * @param text the planner's note
     * @return a PLANNER_NOTE event
     */
    public static Event plannerNote(String text) {
        return textEvent(EventType.PLANNER_NOTE, text);
    }

    /**
     * @param text instructions to the model
     * @return a SYSTEM_MESSAGE event
     */
    public static Event systemMessage(String text) {
        return textEvent(EventType.SYSTEM_MESSAGE, text);
    }

    /**
     * @param text the model's reasoning
     * @return a THINKING event
     */
    public static Event thinking(String text) {
        return textEvent(EventType.THINKING, text);
    }

    private static Event textEvent(EventType type, String text) {
        return of(type, Map.of(MemoryEvent.TEXT, Objects.requireNonNull(text, "text")));
    }

    /**
     * @param callId pairs the call with its result
     * @param tool the tool's name
     * @param arguments the call's JSON arguments
     * @return a TOOL_CALL event
     */
    public static Event toolCall(String callId, String tool, Map<String, ?> arguments) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put(MemoryEvent.CALL_ID, Checks.id(callId, "callId"));
        data.put(MemoryEvent.TOOL, Checks.id(tool, "tool"));
        data.put(MemoryEvent.ARGUMENTS, Objects.requireNonNull(arguments, "arguments"));
        return of(EventType.TOOL_CALL, data);
    }

    /**
     * @param callId the call this answers
     * @param tool the tool's name
     * @param result any JSON value
     * @param isError whether the tool failed
     * @return a TOOL_RESULT event
     */
    public static Event toolResult(String callId, String tool, Object result, boolean isError) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put(MemoryEvent.CALL_ID, Checks.id(callId, "callId"));
        data.put(MemoryEvent.TOOL, Checks.id(tool, "tool"));
        data.put(MemoryEvent.RESULT, result);
        data.put(MemoryEvent.IS_ERROR, isError);
        return of(EventType.TOOL_RESULT, data);
    }

    /**
     * @param key the idempotency key to use (for example a message id from the caller's system)
     * @return a copy with this key
     */
    public Event withKey(String key) {
        return new Event(Objects.requireNonNull(key, "key"), typeName, timestamp, data, labels);
    }

    /**
     * @param timestamp when the event happened
     * @return a copy with this timestamp
     */
    public Event withTimestamp(Instant timestamp) {
        return new Event(key, typeName, timestamp, data, labels);
    }

    /**
     * @param type another known type
     * @return a copy of this type
     */
    public Event withType(EventType type) {
        return new Event(key, type, timestamp, data, labels);
    }

    /**
     * @param typeName another type name (see {@link #typeName()})
     * @return a copy with this type name
     */
    public Event withTypeName(String typeName) {
        return new Event(key, typeName, timestamp, data, labels);
    }

    /**
     * @param data other data, replacing all
     * @return a copy with this data
     */
    public Event withData(Map<String, ?> data) {
        @SuppressWarnings("unchecked")
        Map<String, Object> d = (Map<String, Object>) data;
        return new Event(key, typeName, timestamp, d, labels);
    }

    /**
     * @param labels other labels, replacing all
     * @return a copy with these labels
     */
    public Event withLabels(Map<String, String> labels) {
        return new Event(key, typeName, timestamp, data, labels);
    }

    /**
     * @param key a label key
     * @param value its value
     * @return a copy with one label added or replaced
     */
    public Event withLabel(String key, String value) {
        Map<String, String> copy = new LinkedHashMap<>(labels);
        copy.put(key, value);
        return new Event(this.key, typeName, timestamp, data, copy);
    }

    /**
     * Whether a stored event with the same key is this event again (M3): same type, data and
     * labels; the timestamp is not compared.
     *
     * @param stored an event the run already holds under this key
     * @return whether appending this event again is a harmless retry
     */
    public boolean sameContentAs(MemoryEvent stored) {
        return typeName.equals(stored.typeName()) && data.equals(stored.data()) && labels.equals(stored.labels());
    }

    @Override
    public String toString() {
        return "Event[" + typeName + ", key " + Checks.shorten(key) + ", " + MemoryEvent.summary(data) + "]";
    }
}
