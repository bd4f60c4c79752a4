package dev.memoria.runtime;

import dev.memoria.internal.Checks;
import dev.memoria.memory.EventType;
import dev.memoria.memory.MemoryEvent;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Why a run paused and what it needs to continue (A5): written once per pause, as a
 * {@link EventType#SUSPENDED} event of the run's own log, so that any process (and any backend,
 * a user's own included) reads it back with the run.
 *
 * @param id the suspension's id, unique within the run
 * @param reason why it paused: {@link #APPROVAL} or the agent's own word (for example
 *     {@code "QUESTION"}, {@code "EXTERNAL_TOOL"})
 * @param data what the agent needs to continue, JSON values
 * @param at when the run paused
 */
public record Suspension(String id, String reason, Map<String, Object> data, Instant at) {
    /** The reason of a suspension made by {@link Turn#requestApproval}. */
    public static final String APPROVAL = "APPROVAL";

    /** Checks the id and the reason and copies the data. */
    public Suspension {
        Checks.id(id, "id");
        Checks.id(reason, "reason");
        data = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(data, "data"))); // JSON may hold nulls
        Objects.requireNonNull(at, "at");
    }

    /** @return whether this suspension waits for a decision on a tool call */
    public boolean isApproval() {
        return APPROVAL.equals(reason);
    }

    /** The suspension a SUSPENDED event records; stored data is trusted, not re-validated. */
    @SuppressWarnings("unchecked")
    static Suspension of(MemoryEvent event) {
        Map<String, Object> d = event.data();
        Object data = d.get("data");
        return new Suspension(String.valueOf(d.get("id")), String.valueOf(d.get("reason")),
                data instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of(), event.timestamp());
    }

    /** The data of the SUSPENDED event that records a suspension. */
    static Map<String, Object> eventData(String id, String reason, Map<String, ?> data) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("id", id);
        d.put("reason", reason);
        d.put("data", data);
        return d;
    }

    @Override
    public String toString() {
        return "Suspension[" + Checks.shorten(id) + ", " + reason + ", at " + at + "]";
    }
}
