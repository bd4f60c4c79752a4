package dev.memoria.context;

import dev.memoria.internal.Checks;
import dev.memoria.memory.MemoryEvent;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Where an event sits in a session: the session-scope order of {@link dev.memoria.memory.EventQuery#session}
 * (timestamp, run id, sequence; M8), and the session, so that a fork's markers can point into the
 * prefix it inherits. Markers record positions; {@link #of(MemoryEvent)} takes one from an event.
 *
 * @param sessionId the session whose log holds the event
 * @param timestamp the event's timestamp (millisecond precision)
 * @param runId the run whose log holds it
 * @param sequence its sequence in that run
 */
public record Position(String sessionId, Instant timestamp, String runId, long sequence) {
    /** Checks every part. */
    public Position {
        Checks.id(sessionId, "sessionId");
        timestamp = Objects.requireNonNull(timestamp, "timestamp").truncatedTo(ChronoUnit.MILLIS);
        Checks.id(runId, "runId");
        if (sequence < 1) {
            throw new IllegalArgumentException("sequence: must be at least 1, got " + sequence);
        }
    }

    /**
     * @param event a stored event
     * @return its position
     */
    public static Position of(MemoryEvent event) {
        return new Position(event.run().sessionId(), event.timestamp(), event.run().runId(), event.sequence());
    }

    /** @return whether this is the position of that event */
    boolean isOf(MemoryEvent event) {
        return sequence == event.sequence() && runId.equals(event.run().runId()) && sessionId.equals(event.run().sessionId());
    }

    /** The order within one session's log (M8): timestamp, then run id, then sequence. */
    int compareInSession(Position other) {
        int byTime = timestamp.compareTo(other.timestamp);
        if (byTime != 0) {
            return byTime;
        }
        int byRun = runId.compareTo(other.runId);
        return byRun != 0 ? byRun : Long.compare(sequence, other.sequence);
    }

    Map<String, Object> toData() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("session", sessionId);
        d.put("timestamp", timestamp.toString());
        d.put("run", runId);
        d.put("sequence", sequence);
        return d;
    }

    /** A position a marker recorded; stored data is trusted, a malformed one is reported, not guessed. */
    static Position fromData(Object value, String what) {
        if (value instanceof Map<?, ?> m && m.get("session") instanceof String s && m.get("timestamp") instanceof String t
                && m.get("run") instanceof String r && m.get("sequence") instanceof Number n) {
            return new Position(s, Instant.parse(t), r, n.longValue());
        }
        throw new dev.memoria.StoreStateException("a context marker's " + what + " is not a position: " + value);
    }

    @Override
    public String toString() {
        return Checks.shorten(sessionId) + "/" + Checks.shorten(runId) + "#" + sequence + "@" + timestamp;
    }
}
