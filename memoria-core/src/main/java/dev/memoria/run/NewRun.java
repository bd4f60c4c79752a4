package dev.memoria.run;

import dev.memoria.Limits;
import dev.memoria.internal.Checks;
import dev.memoria.internal.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What to create a run with. {@code sessionId} and {@code agentId} are required (R1); start from
 * {@link #builder(String, String)}.
 *
 * @param id the id to use, or null for a generated UUIDv7
 * @param sessionId the session it belongs to
 * @param agentId the agent that runs it
 * @param parentRunId the run that started it, or null
 * @param status the initial status, or null for PENDING
 * @param labels labels, possibly empty
 * @param metadata JSON metadata, possibly empty
 */
public record NewRun(String id, String sessionId, String agentId, String parentRunId, RunStatus status,
                     Map<String, String> labels, Map<String, Object> metadata) {

    /** Checks every field and copies the maps. */
    public NewRun {
        Checks.optionalId(id, "id");
        Checks.id(sessionId, "sessionId");
        Checks.id(agentId, "agentId");
        Checks.optionalId(parentRunId, "parentRunId");
        status = status == null ? RunStatus.PENDING : status;
        if (status.isTerminal()) {
            throw new IllegalArgumentException("status: a run cannot be created " + status
                    + " (create it PENDING or RUNNING, then update it)");
        }
        labels = Checks.labels(labels, "labels");
        metadata = Json.copyOf(metadata, "metadata", Limits.MAX_METADATA_BYTES);
    }

    /**
     * @param sessionId the session the run belongs to
     * @param agentId the agent that runs it
     * @return a builder
     */
    public static Builder builder(String sessionId, String agentId) {
        return new Builder(sessionId, agentId);
    }

    /**
     * @param sessionId the session
     * @param agentId the agent
     * @return a PENDING run with a generated id
     */
    public static NewRun of(String sessionId, String agentId) {
        return new NewRun(null, sessionId, agentId, null, null, Map.of(), Map.of());
    }

    @Override
    public String toString() {
        return "NewRun[" + (id == null ? "generated id" : id) + ", agent " + agentId + ", session " + sessionId
                + ", " + status + "]";
    }

    /** Collects the optional parts of a {@link NewRun}. Not thread-safe. */
    public static final class Builder {
        private final String sessionId;
        private final String agentId;
        private String id;
        private String parentRunId;
        private RunStatus status;
        private final Map<String, String> labels = new LinkedHashMap<>();
        private final Map<String, Object> metadata = new LinkedHashMap<>();

        private Builder(String sessionId, String agentId) {
            this.sessionId = Objects.requireNonNull(sessionId, "sessionId");
            this.agentId = Objects.requireNonNull(agentId, "agentId");
        }

        /**
         * @param id the id to use instead of a generated one
         * @return this builder
         */
        public Builder id(String id) {
            this.id = id;
            return this;
        }

        /**
         * @param parentRunId the run that started this one
         * @return this builder
         */
        public Builder parentRunId(String parentRunId) {
            this.parentRunId = parentRunId;
            return this;
        }

        /**
         * @param status PENDING (the default) or RUNNING
         * @return this builder
         */
        public Builder status(RunStatus status) {
            this.status = status;
            return this;
        }

        /**
         * @param key a label key
         * @param value its value
         * @return this builder
         */
        public Builder label(String key, String value) {
            labels.put(key, value);
            return this;
        }

        /**
         * @param key a metadata key
         * @param value a JSON value
         * @return this builder
         */
        public Builder metadata(String key, Object value) {
            metadata.put(key, value);
            return this;
        }

        /** @return the checked spec */
        public NewRun build() {
            return new NewRun(id, sessionId, agentId, parentRunId, status, labels, metadata);
        }
    }
}
