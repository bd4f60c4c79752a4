package dev.memoria.context;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * Where a forked session came from (C6): its parent, the parent's event the fork's view continues
 * after, and how far the parent's context log (its summaries and rewinds) had come then.
 *
 * @param sessionId the fork
 * @param parentId the session it was forked from
 * @param at the position of the last inherited event
 * @param parentMarkers the parent's context log's last sequence when forked: later markers of the parent do not apply
 * @param forkedAt when the fork was made
 */
public record Fork(String sessionId, String parentId, Position at, long parentMarkers, Instant forkedAt) {
    /** Checks the parts. */
    public Fork {
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(parentId, "parentId");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(forkedAt, "forkedAt");
    }

    Map<String, Object> toData() {
        return Map.of("parent", parentId, "at", at.toData(), "parentMarkers", parentMarkers);
    }

    static Fork of(String sessionId, Instant createdAt, Object data) {
        if (data instanceof Map<?, ?> m && m.get("parent") instanceof String parent && m.get("parentMarkers") instanceof Number n) {
            return new Fork(sessionId, parent, Position.fromData(m.get("at"), "fork.at"), n.longValue(), createdAt);
        }
        throw new dev.memoria.StoreStateException("session " + sessionId + " has a malformed fork record: " + data);
    }
}
