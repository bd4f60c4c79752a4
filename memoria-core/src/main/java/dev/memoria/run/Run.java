package dev.memoria.run;

import dev.memoria.Limits;
import dev.memoria.internal.Checks;
import dev.memoria.internal.Json;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One execution of an agent inside a session. Immutable; timestamps are kept at millisecond
 * precision. Derive changes with {@code with...} and store them with {@link RunStore#update(Run)}.
 *
 * @param id the run's id
 * @param sessionId the session it belongs to
 * @param agentId the agent that runs it
 * @param parentRunId the run that started it (for sub-agents), or null
 * @param status its lifecycle status
 * @param startedAt when it was created
 * @param updatedAt when it last changed
 * @param endedAt when it entered a terminal status, or null
 * @param labels short string tags
 * @param metadata JSON values
 * @param error the failure's message; set only when FAILED
 * @param version incremented by every update
 */
public record Run(String id, String sessionId, String agentId, String parentRunId, RunStatus status,
                  Instant startedAt, Instant updatedAt, Instant endedAt, Map<String, String> labels,
                  Map<String, Object> metadata, String error, long version) {

    /**
     * Checks the structure and copies the maps. The write-time limits are checked by the
     * {@code with...} methods and by {@link RunStore#update(Run)}, not here, so that a run stored
     * under other rules stays readable.
     */
    public Run {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(agentId, "agentId");
        Objects.requireNonNull(status, "status");
        startedAt = Objects.requireNonNull(startedAt, "startedAt").truncatedTo(ChronoUnit.MILLIS);
        updatedAt = Objects.requireNonNull(updatedAt, "updatedAt").truncatedTo(ChronoUnit.MILLIS);
        endedAt = endedAt == null ? null : endedAt.truncatedTo(ChronoUnit.MILLIS);
        labels = Json.trustedLabels(labels);
        metadata = Json.trustedCopy(metadata);
        if (error != null && status != RunStatus.FAILED) {
            throw new IllegalArgumentException("error: may be set only when status is FAILED, status is " + status);
        }
        if (version < 0) {
            throw new IllegalArgumentException("version: must not be negative, got " + version);
        }
    }

    /** @return the reference that names this run's memory */
    public RunRef ref() {
        return new RunRef(sessionId, agentId, id);
    }

    /**
     * @param status the new status; a status other than FAILED clears {@link #error()}
     * @return a copy with another status
     */
    public Run withStatus(RunStatus status) {
        return new Run(id, sessionId, agentId, parentRunId, status, startedAt, updatedAt, endedAt, labels, metadata,
                status == RunStatus.FAILED ? error : null, version);
    }

    /**
     * @param error why the run failed
     * @return a copy that is FAILED with this error
     */
    public Run failed(String error) {
        Checks.optionalText(Objects.requireNonNull(error, "error"), "error", Limits.MAX_ERROR_LENGTH);
        return new Run(id, sessionId, agentId, parentRunId, RunStatus.FAILED, startedAt, updatedAt, endedAt, labels,
                metadata, error, version);
    }

    /**
     * @param labels the new labels, replacing all
     * @return a copy with other labels
     */
    public Run withLabels(Map<String, String> labels) {
        return new Run(id, sessionId, agentId, parentRunId, status, startedAt, updatedAt, endedAt,
                Checks.labels(labels, "labels"), metadata, error, version);
    }

    /**
     * @param key a label key
     * @param value its value
     * @return a copy with one label added or replaced
     */
    public Run withLabel(String key, String value) {
        Map<String, String> copy = new LinkedHashMap<>(labels);
        copy.put(key, value);
        return withLabels(copy);
    }

    /**
     * @param metadata the new metadata, replacing all
     * @return a copy with other metadata
     */
    public Run withMetadata(Map<String, ?> metadata) {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = Json.copyOf((Map<String, Object>) metadata, "metadata", Limits.MAX_METADATA_BYTES);
        return new Run(id, sessionId, agentId, parentRunId, status, startedAt, updatedAt, endedAt, labels, m, error,
                version);
    }

    /**
     * @param key a metadata key
     * @param value a JSON value
     * @return a copy with one metadata entry added or replaced
     */
    public Run withMetadata(String key, Object value) {
        Map<String, Object> copy = new LinkedHashMap<>(metadata);
        copy.put(key, value);
        return withMetadata(copy);
    }

    @Override
    public String toString() {
        return "Run[" + id + ", agent " + Checks.shorten(agentId) + ", session " + Checks.shorten(sessionId) + ", "
                + status + ", v" + version + ", started " + startedAt
                + (error == null ? "" : ", error " + Checks.shorten(error)) + "]";
    }
}
