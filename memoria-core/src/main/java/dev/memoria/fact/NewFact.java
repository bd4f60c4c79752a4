package dev.memoria.fact;

import dev.memoria.Limits;
import dev.memoria.internal.Checks;
import dev.memoria.internal.Json;
import dev.memoria.run.RunRef;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A fact to {@linkplain FactStore#put(NewFact) put} (K1). Build it with
 * {@link #builder(Namespace, String)}:
 *
 * <pre>{@code
 * facts.put(NewFact.builder(Namespace.of("users", "ada"), "Ada prefers green tea")
 *         .key("drink").source(turn.run().ref(), 4).build());
 * }</pre>
 *
 * <p>A {@code key} names what the fact is about: a put with a key that already has a current fact
 * in the namespace supersedes it (K2). An {@code idempotencyKey} makes a put safe to repeat: a
 * second put with it writes nothing and returns the fact the first one stored, even after that fact
 * was superseded (how extractors stay idempotent, K7).
 *
 * @param namespace where it lives; not {@link Namespace#ROOT}
 * @param key what it is about, unique among the namespace's current facts; null for none
 * @param text the fact, 1 to {@value #MAX_TEXT_BYTES} bytes of UTF-8; its words are what word
 *     search finds
 * @param data JSON values, at most {@value Limits#MAX_METADATA_BYTES} bytes encoded
 * @param labels short string tags, for filters
 * @param source the run and event it was learned from; null if none
 * @param expiresAt from when it is never returned (K8); null for never
 * @param vector its embedding; null to let an {@link Embedder} compute it, or for none
 * @param idempotencyKey makes repeating the put safe; null for none
 */
public record NewFact(Namespace namespace, String key, String text, Map<String, Object> data, Map<String, String> labels,
                      FactSource source, Instant expiresAt, float[] vector, String idempotencyKey) {
    /** The most bytes of a fact's text, encoded as UTF-8. */
    public static final int MAX_TEXT_BYTES = 16 * 1024;

    /** Checks every field and copies the maps and the vector. */
    public NewFact {
        Objects.requireNonNull(namespace, "namespace").requireSegments();
        key = Checks.optionalId(key, "key");
        text = checkText(text, "text");
        data = Json.copyOf(data, "data", Limits.MAX_METADATA_BYTES);
        labels = Checks.labels(labels, "labels");
        expiresAt = expiresAt == null ? null : expiresAt.truncatedTo(ChronoUnit.MILLIS);
        vector = Vectors.checkedCopy(vector, "vector");
        idempotencyKey = Checks.optionalId(idempotencyKey, "idempotencyKey");
    }

    static String checkText(String text, String name) {
        Objects.requireNonNull(text, name);
        if (text.isBlank()) {
            throw new IllegalArgumentException(name + ": must not be blank");
        }
        Checks.text(text, name);
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_TEXT_BYTES) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s: at most %d bytes of UTF-8, got %d",
                    name, MAX_TEXT_BYTES, bytes));
        }
        return text;
    }

    /**
     * @param namespace where it lives
     * @param text the fact
     * @return a fact without key, data, labels or source
     */
    public static NewFact of(Namespace namespace, String text) {
        return builder(namespace, text).build();
    }

    /**
     * @param namespace where it lives
     * @param text the fact
     * @return a builder for the optional fields
     */
    public static Builder builder(Namespace namespace, String text) {
        return new Builder(namespace, text);
    }

    /** @return a copy with this vector, as an {@link Embedder} computed it */
    NewFact withVector(float[] vector) {
        return new NewFact(namespace, key, text, data, labels, source, expiresAt, vector, idempotencyKey);
    }

    /** @return a copy of the vector, or null */
    @Override
    public float[] vector() {
        return vector == null ? null : vector.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NewFact f && namespace.equals(f.namespace) && Objects.equals(key, f.key) && text.equals(f.text)
                && data.equals(f.data) && labels.equals(f.labels) && Objects.equals(source, f.source)
                && Objects.equals(expiresAt, f.expiresAt) && Vectors.equal(vector, f.vector)
                && Objects.equals(idempotencyKey, f.idempotencyKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(namespace, key, text, data, labels, source, expiresAt, java.util.Arrays.hashCode(vector),
                idempotencyKey);
    }

    @Override
    public String toString() {
        return "NewFact[" + namespace + (key == null ? "" : ", key=" + key) + ", text=" + Checks.shorten(text)
                + (source == null ? "" : ", source=" + source) + (expiresAt == null ? "" : ", expiresAt=" + expiresAt)
                + ", vector=" + Vectors.describe(vector) + "]";
    }

    /** Builds a {@link NewFact}; {@link #build()} checks every field. */
    public static final class Builder {
        private final Namespace namespace;
        private final String text;
        private String key;
        private Map<String, Object> data = Map.of();
        private final Map<String, String> labels = new LinkedHashMap<>();
        private FactSource source;
        private Instant expiresAt;
        private float[] vector;
        private String idempotencyKey;

        private Builder(Namespace namespace, String text) {
            this.namespace = namespace;
            this.text = text;
        }

        /**
         * @param key what the fact is about; a later put with the same key supersedes it
         * @return this builder
         */
        public Builder key(String key) {
            this.key = key;
            return this;
        }

        /**
         * @param data JSON values kept with the fact
         * @return this builder
         */
        @SuppressWarnings("unchecked")
        public Builder data(Map<String, ?> data) {
            this.data = (Map<String, Object>) Objects.requireNonNull(data, "data");
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
         * @param source where the fact was learned
         * @return this builder
         */
        public Builder source(FactSource source) {
            this.source = source;
            return this;
        }

        /**
         * @param run the run it was learned in
         * @param sequence the event's sequence in that run's log
         * @return this builder
         */
        public Builder source(RunRef run, long sequence) {
            return source(new FactSource(run, sequence));
        }

        /**
         * @param expiresAt from when the fact is never returned; null for never
         * @return this builder
         */
        public Builder expiresAt(Instant expiresAt) {
            this.expiresAt = expiresAt;
            return this;
        }

        /**
         * @param vector the fact's embedding, when you computed it yourself
         * @return this builder
         */
        public Builder vector(float[] vector) {
            this.vector = vector;
            return this;
        }

        /**
         * @param idempotencyKey makes repeating the put safe
         * @return this builder
         */
        public Builder idempotencyKey(String idempotencyKey) {
            this.idempotencyKey = idempotencyKey;
            return this;
        }

        /** @return the checked fact */
        public NewFact build() {
            return new NewFact(namespace, key, text, data, labels, source, expiresAt, vector, idempotencyKey);
        }
    }
}
