package dev.memoria.session;

import dev.memoria.Limits;
import dev.memoria.internal.Checks;
import dev.memoria.internal.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What to create a session with. Build one with {@link #builder()}; everything is optional.
 *
 * @param id the id to use, or null for a generated UUIDv7
 * @param userId the user, or null
 * @param labels labels, possibly empty
 * @param metadata JSON metadata, possibly empty
 */
public record NewSession(String id, String userId, Map<String, String> labels, Map<String, Object> metadata) {

    /** Checks every field and copies the maps. */
    public NewSession {
        Checks.optionalId(id, "id");
        Checks.optionalId(userId, "userId");
        labels = Checks.labels(labels, "labels");
        metadata = Json.copyOf(metadata, "metadata", Limits.MAX_METADATA_BYTES);
    }

    /** @return a builder for a new session */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a session with a generated id, no user, no labels and no metadata */
    public static NewSession anonymous() {
        return new NewSession(null, null, Map.of(), Map.of());
    }

    /**
     * @param userId the user
     * @return a session with a generated id for that user
     */
    public static NewSession forUser(String userId) {
        return new NewSession(null, Checks.id(userId, "userId"), Map.of(), Map.of());
    }

    @Override
    public String toString() {
        return "NewSession[" + (id == null ? "generated id" : id) + (userId == null ? "" : ", user " + userId)
                + ", " + labels.size() + " labels, " + metadata.size() + " metadata keys]";
    }

    /** Collects the optional parts of a {@link NewSession}. Not thread-safe. */
    public static final class Builder {
        private String id;
        private String userId;
        private final Map<String, String> labels = new LinkedHashMap<>();
        private final Map<String, Object> metadata = new LinkedHashMap<>();

        private Builder() {
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
         * @param userId the session's user
         * @return this builder
         */
        public Builder userId(String userId) {
            this.userId = userId;
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
         * @param labels labels to add
         * @return this builder
         */
        public Builder labels(Map<String, String> labels) {
            this.labels.putAll(labels);
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

        /**
         * @param metadata metadata entries to add
         * @return this builder
         */
        public Builder metadata(Map<String, ?> metadata) {
            this.metadata.putAll(metadata);
            return this;
        }

        /** @return the checked spec */
        public NewSession build() {
            return new NewSession(id, userId, labels, metadata);
        }
    }
}
