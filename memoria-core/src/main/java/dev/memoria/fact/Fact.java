package dev.memoria.fact;

import dev.memoria.internal.Checks;
import dev.memoria.internal.Json;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Objects;

/**
 * A stored fact (K1). A fact is never changed: a put with the same key supersedes it, which sets
 * its {@code validTo} and makes the new fact current (K2), so the namespace keeps the history of
 * what was believed when ({@link FactQuery#validAt(Instant)}).
 *
 * @param id the store's id for this version
 * @param namespace where it lives
 * @param key what it is about; null for none
 * @param text the fact
 * @param data JSON values
 * @param labels short string tags
 * @param source the run and event it was learned from; null if none
 * @param version 1 for the first fact of a key (and for facts without key), one more for each
 *     fact that superseded it
 * @param createdAt when it was stored
 * @param validFrom from when it holds (inclusive)
 * @param validTo until when it held (exclusive): when it was superseded; null while current
 * @param expiresAt from when it is never returned; null for never
 * @param vector its embedding; null for none
 * @param idempotencyKey the key that made its put safe to repeat; null for none
 */
public record Fact(String id, Namespace namespace, String key, String text, Map<String, Object> data,
                   Map<String, String> labels, FactSource source, long version, Instant createdAt, Instant validFrom,
                   Instant validTo, Instant expiresAt, float[] vector, String idempotencyKey) {
    /**
     * Checks the fields' structure and copies the maps and the vector. A stored fact is trusted:
     * the write-time limits (text size, id length, data size, vector rules) are checked by
     * {@link NewFact} when a fact is put, never when one is read, so that lowering a limit never
     * makes stored facts unreadable.
     */
    public Fact {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(text, "text");
        data = Json.trustedCopy(Objects.requireNonNull(data, "data"));
        labels = Json.trustedLabels(Objects.requireNonNull(labels, "labels"));
        if (version < 1) {
            throw new IllegalArgumentException("version: must be at least 1, got " + version);
        }
        createdAt = Objects.requireNonNull(createdAt, "createdAt").truncatedTo(ChronoUnit.MILLIS);
        validFrom = Objects.requireNonNull(validFrom, "validFrom").truncatedTo(ChronoUnit.MILLIS);
        validTo = validTo == null ? null : validTo.truncatedTo(ChronoUnit.MILLIS);
        if (validTo != null && validTo.isBefore(validFrom)) {
            throw new IllegalArgumentException("validTo: must not be before validFrom " + validFrom + ", got " + validTo);
        }
        expiresAt = expiresAt == null ? null : expiresAt.truncatedTo(ChronoUnit.MILLIS);
        vector = vector == null ? null : vector.clone();
    }

    /** @return whether no fact superseded it */
    public boolean isCurrent() {
        return validTo == null;
    }

    /**
     * @param instant a moment
     * @return whether it held then: {@code validFrom <= instant < validTo}
     */
    public boolean isValidAt(Instant instant) {
        return !instant.isBefore(validFrom) && (validTo == null || instant.isBefore(validTo));
    }

    /**
     * @param now the store's now
     * @return whether it expired by then; an expired fact is never returned (K8)
     */
    public boolean isExpiredAt(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }

    /**
     * @param other a fact to put
     * @return whether putting it would store nothing new: the same text, data, labels and expiry
     *     (K2); the source and the vector do not count, since the same fact learned again is the
     *     same fact
     */
    public boolean hasSameContentAs(NewFact other) {
        return text.equals(other.text()) && data.equals(other.data()) && labels.equals(other.labels())
                && Objects.equals(expiresAt, other.expiresAt());
    }

    /**
     * @param validTo when it stopped holding; a time before {@link #validFrom()} (a clock that
     *     went back) counts as {@code validFrom}, so the fact held for no time rather than a negative one
     * @return a copy that a newer fact superseded
     */
    public Fact supersededAt(Instant validTo) {
        validTo = validTo.isBefore(validFrom) ? validFrom : validTo;
        return new Fact(id, namespace, key, text, data, labels, source, version, createdAt, validFrom, validTo, expiresAt,
                vector, idempotencyKey);
    }

    /** @return a copy of the vector, or null */
    @Override
    public float[] vector() {
        return vector == null ? null : vector.clone();
    }

    /** @return the number of dimensions of its vector, 0 if it has none, without copying it */
    public int dimensions() {
        return vector == null ? 0 : vector.length;
    }

    /**
     * @param query a vector of the same dimensions
     * @return the cosine similarity of this fact's vector with {@code query}, in [-1, 1]; NaN if it
     *     has no vector or another number of dimensions
     */
    public double cosine(float[] query) {
        if (vector == null || query.length != vector.length) {
            return Double.NaN;
        }
        double dot = 0, a = 0, b = 0;
        for (int i = 0; i < vector.length; i++) {
            dot += (double) vector[i] * query[i];
            a += (double) vector[i] * vector[i];
            b += (double) query[i] * query[i];
        }
        return dot / (Math.sqrt(a) * Math.sqrt(b));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Fact f && id.equals(f.id) && namespace.equals(f.namespace) && Objects.equals(key, f.key)
                && text.equals(f.text) && data.equals(f.data) && labels.equals(f.labels) && Objects.equals(source, f.source)
                && version == f.version && createdAt.equals(f.createdAt) && validFrom.equals(f.validFrom)
                && Objects.equals(validTo, f.validTo) && Objects.equals(expiresAt, f.expiresAt)
                && Vectors.equal(vector, f.vector) && Objects.equals(idempotencyKey, f.idempotencyKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, namespace, key, text, version, validFrom, validTo);
    }

    @Override
    public String toString() {
        return "Fact[" + id + ", " + namespace + (key == null ? "" : ", key=" + key + " v" + version) + ", "
                + (validTo == null ? "current" : "until " + validTo) + ", text=" + Checks.shorten(text)
                + (source == null ? "" : ", source=" + source) + (expiresAt == null ? "" : ", expiresAt=" + expiresAt)
                + (vector == null ? "" : ", vector=" + Vectors.describe(vector)) + "]";
    }
}
