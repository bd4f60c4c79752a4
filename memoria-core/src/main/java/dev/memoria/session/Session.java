package dev.memoria.session;

import dev.memoria.Limits;
import dev.memoria.internal.Checks;
import dev.memoria.internal.Json;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A conversation: who it is with, whether it is still open, and free-form labels and metadata.
 * Immutable; timestamps are kept at millisecond precision.
 *
 * <p>To change a session, derive a copy with a {@code with...} method and pass it to
 * {@link SessionStore#update(Session)}, which checks {@link #version()}.
 *
 * @param id the session's id
 * @param userId the user it belongs to, or null
 * @param status ACTIVE or ENDED
 * @param createdAt when it was created
 * @param updatedAt when its record last changed
 * @param lastActivityAt when it last had activity: its creation, a run started in it, or an event
 *     appended to one of its runs (kept current by {@link dev.memoria.Stores#of}, to within a second)
 * @param endedAt when it ended, or null while ACTIVE
 * @param labels short string tags, filterable in {@link SessionFilter}
 * @param metadata JSON values (see {@link dev.memoria.internal.Json})
 * @param version incremented by every update, for optimistic concurrency
 */
public record Session(String id, String userId, SessionStatus status, Instant createdAt, Instant updatedAt,
                      Instant lastActivityAt, Instant endedAt, Map<String, String> labels, Map<String, Object> metadata,
                      long version) {

    /**
     * Checks the structure and copies the maps. The write-time limits are checked by the
     * {@code with...} methods and by {@link SessionStore#update(Session)}, not here, so that a
     * session stored under other rules stays readable.
     */
    public Session {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(status, "status");
        createdAt = Objects.requireNonNull(createdAt, "createdAt").truncatedTo(ChronoUnit.MILLIS);
        updatedAt = Objects.requireNonNull(updatedAt, "updatedAt").truncatedTo(ChronoUnit.MILLIS);
        lastActivityAt = Objects.requireNonNull(lastActivityAt, "lastActivityAt").truncatedTo(ChronoUnit.MILLIS);
        endedAt = endedAt == null ? null : endedAt.truncatedTo(ChronoUnit.MILLIS);
        labels = Json.trustedLabels(labels);
        metadata = Json.trustedCopy(metadata);
        if (version < 0) {
            throw new IllegalArgumentException("version: must not be negative, got " + version);
        }
    }

    /** @return whether the session is ACTIVE */
    public boolean isActive() {
        return status == SessionStatus.ACTIVE;
    }

    /**
     * @param userId the new user, or null
     * @return a copy with another user
     */
    public Session withUserId(String userId) {
        Checks.optionalId(userId, "userId");
        return new Session(id, userId, status, createdAt, updatedAt, lastActivityAt, endedAt, labels, metadata, version);
    }

    /**
     * @param status the new status; ENDED ends the session for good
     * @return a copy with another status
     */
    public Session withStatus(SessionStatus status) {
        return new Session(id, userId, status, createdAt, updatedAt, lastActivityAt, endedAt, labels, metadata, version);
    }

    /** @return a copy that is ENDED */
    public Session ended() {
        return withStatus(SessionStatus.ENDED);
    }

    /**
     * @param labels the new labels, replacing all
     * @return a copy with other labels
     */
    public Session withLabels(Map<String, String> labels) {
        return new Session(id, userId, status, createdAt, updatedAt, lastActivityAt, endedAt, Checks.labels(labels, "labels"), metadata,
                version);
    }

    /**
     * @param key a label key
     * @param value its value
     * @return a copy with one label added or replaced
     */
    public Session withLabel(String key, String value) {
        Map<String, String> copy = new LinkedHashMap<>(labels);
        copy.put(key, value);
        return withLabels(copy);
    }

    /**
     * @param metadata the new metadata, replacing all
     * @return a copy with other metadata
     */
    public Session withMetadata(Map<String, ?> metadata) {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = Json.copyOf((Map<String, Object>) metadata, "metadata", Limits.MAX_METADATA_BYTES);
        return new Session(id, userId, status, createdAt, updatedAt, lastActivityAt, endedAt, labels, m, version);
    }

    /**
     * @param key a metadata key
     * @param value a JSON value
     * @return a copy with one metadata entry added or replaced
     */
    public Session withMetadata(String key, Object value) {
        Map<String, Object> copy = new LinkedHashMap<>(metadata);
        copy.put(key, value);
        return withMetadata(copy);
    }

    @Override
    public String toString() {
        return "Session[" + id + (userId == null ? "" : ", user " + Checks.shorten(userId)) + ", " + status
                + ", v" + version + ", created " + createdAt + ", " + labels.size() + " labels, "
                + metadata.size() + " metadata keys]";
    }
}
