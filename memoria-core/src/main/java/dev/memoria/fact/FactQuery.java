package dev.memoria.fact;

import dev.memoria.Limits;
import dev.memoria.internal.Checks;
import dev.memoria.internal.Words;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link FactStore#search(FactQuery)} finds: the facts of a namespace and of those below it
 * (K3), by
 * <ul>
 *   <li>{@link #text(String) words}: facts whose text holds every word of the query, matched after
 *       the normalisation of K4 (case, accents), best first; query text is words, never query
 *       syntax (K5); a text with no word finds nothing;</li>
 *   <li>{@link #similarTo(String) similarity}: facts with a vector, by cosine similarity to the
 *       query's embedding (K6);</li>
 *   <li>both, through {@link #hybrid(String)}: the two rankings merged by reciprocal rank fusion;</li>
 *   <li>neither: a listing, newest first.</li>
 * </ul>
 * Filters: {@link #key(String)}, {@link #label(String, String)}, {@link #sourceRun(String)}; by
 * default only current facts, or those that held at {@link #validAt(Instant)}, or every version
 * with {@link #allVersions()}. Expired facts are never found (K8). Pages resume with
 * {@link #cursor(String)}. Immutable: each method returns a new query.
 *
 * <pre>{@code
 * Page<FactMatch> hits = facts.search(FactQuery.in(Namespace.of("users", "ada")).text("tea").limit(5));
 * }</pre>
 */
public final class FactQuery {
    /** What a query ranks by. */
    public enum Mode {
        /** No words, no vector: every matching fact, newest first, score 0. */
        LIST,
        /** Word search, best first. */
        WORDS,
        /** Cosine similarity, most similar first. */
        SIMILAR,
        /** Words and similarity merged by reciprocal rank fusion. */
        HYBRID
    }

    /** How far down each ranking a hybrid query looks before fusing them. */
    public static final int HYBRID_DEPTH = 200;

    private final Namespace prefix;
    private final String text;
    private final String similarText;
    private final float[] similarVector;
    private final String key;
    private final Map<String, String> labels;
    private final String sourceRunId;
    private final Instant validAt;
    private final boolean allVersions;
    private final int limit;
    private final String cursor;

    private FactQuery(Namespace prefix, String text, String similarText, float[] similarVector, String key,
                      Map<String, String> labels, String sourceRunId, Instant validAt, boolean allVersions, int limit,
                      String cursor) {
        this.prefix = prefix;
        this.text = text;
        this.similarText = similarText;
        this.similarVector = similarVector;
        this.key = key;
        this.labels = labels;
        this.sourceRunId = sourceRunId;
        this.validAt = validAt;
        this.allVersions = allVersions;
        this.limit = limit;
        this.cursor = cursor;
    }

    /**
     * @param prefix a namespace; its facts and those of every namespace below it are searched
     * @return a listing of the current facts there, first page of {@value Limits#DEFAULT_PAGE_SIZE}
     */
    public static FactQuery in(Namespace prefix) {
        return new FactQuery(Objects.requireNonNull(prefix, "namespace"), null, null, null, null, Map.of(), null, null,
                false, Limits.DEFAULT_PAGE_SIZE, null);
    }

    /**
     * @param segments a namespace's segments
     * @return {@code in(Namespace.of(segments))}
     */
    public static FactQuery in(String... segments) {
        return in(Namespace.of(segments));
    }

    /** @return a query over every namespace */
    public static FactQuery all() {
        return in(Namespace.ROOT);
    }

    private FactQuery with(String text, String similarText, float[] similarVector, String key, Map<String, String> labels,
                           String sourceRunId, Instant validAt, boolean allVersions, int limit, String cursor) {
        return new FactQuery(prefix, text, similarText, similarVector, key, labels, sourceRunId, validAt, allVersions,
                limit, cursor);
    }

    /**
     * @param text words a fact's text must all hold; any characters, none of them syntax
     * @return a new query
     * @throws IllegalArgumentException if it has more than {@value Words#MAX_QUERY_WORDS} distinct words
     */
    public FactQuery text(String text) {
        Checks.text(Objects.requireNonNull(text, "text"), "text");
        Words.query(text, "text");
        return with(text, similarText, similarVector, key, labels, sourceRunId, validAt, allVersions, limit, null);
    }

    /**
     * Ranks by similarity to the text's embedding: needs a store with an {@link Embedder}
     * ({@link FactStore#withEmbedder(Embedder)}); without one the search is refused.
     *
     * @param text what the facts should be about
     * @return a new query
     */
    public FactQuery similarTo(String text) {
        Checks.text(Objects.requireNonNull(text, "similarTo"), "similarTo");
        return with(this.text, text, null, key, labels, sourceRunId, validAt, allVersions, limit, null);
    }

    /**
     * @param vector a query vector, when you computed it yourself
     * @return a new query ranking by cosine similarity to it
     */
    public FactQuery similarTo(float[] vector) {
        return with(text, similarText, Vectors.checkedCopy(Objects.requireNonNull(vector, "similarTo"), "similarTo"),
                key, labels, sourceRunId, validAt, allVersions, limit, null);
    }

    /**
     * @param text words and meaning at once
     * @return {@code text(text).similarTo(text)}: both rankings, fused
     */
    public FactQuery hybrid(String text) {
        return text(text).similarTo(text);
    }

    /**
     * @param key only facts with this key
     * @return a new query
     */
    public FactQuery key(String key) {
        return with(text, similarText, similarVector, Checks.id(key, "key"), labels, sourceRunId, validAt, allVersions,
                limit, null);
    }

    /**
     * @param key a label key
     * @param value the value it must have; all labels given must match
     * @return a new query
     */
    public FactQuery label(String key, String value) {
        Map<String, String> more = new LinkedHashMap<>(labels);
        more.put(key, value);
        return labels(more);
    }

    /**
     * @param labels labels that must all match
     * @return a new query
     */
    public FactQuery labels(Map<String, String> labels) {
        return with(text, similarText, similarVector, key, Checks.labels(labels, "labels"), sourceRunId, validAt,
                allVersions, limit, null);
    }

    /**
     * @param runId only facts learned in this run
     * @return a new query
     */
    public FactQuery sourceRun(String runId) {
        return with(text, similarText, similarVector, key, labels, Checks.id(runId, "sourceRun"), validAt, allVersions,
                limit, null);
    }

    /**
     * @param instant find the facts that held then, superseded since or not
     * @return a new query
     */
    public FactQuery validAt(Instant instant) {
        return with(text, similarText, similarVector, key, labels, sourceRunId,
                Objects.requireNonNull(instant, "validAt").truncatedTo(ChronoUnit.MILLIS), false, limit, null);
    }

    /** @return a new query that finds every version, current or superseded (never the expired) */
    public FactQuery allVersions() {
        return with(text, similarText, similarVector, key, labels, sourceRunId, null, true, limit, null);
    }

    /**
     * @param limit the page size, 1 to {@value Limits#MAX_PAGE_SIZE}
     * @return a new query
     */
    public FactQuery limit(int limit) {
        return with(text, similarText, similarVector, key, labels, sourceRunId, validAt, allVersions,
                Checks.pageSize(limit, "limit"), cursor);
    }

    /**
     * @param cursor the {@code nextCursor} of the previous page, or null
     * @return a new query
     */
    public FactQuery cursor(String cursor) {
        return with(text, similarText, similarVector, key, labels, sourceRunId, validAt, allVersions, limit, cursor);
    }

    /** @return a copy with the embedding of {@link #similarText()}, as an embedder computed it */
    FactQuery withSimilarVector(float[] vector) {
        return with(text, similarText, Vectors.checkedCopy(vector, "embedding"), key, labels, sourceRunId, validAt,
                allVersions, limit, cursor);
    }

    /** @return what this query ranks by */
    public Mode mode() {
        boolean similar = similarText != null || similarVector != null;
        if (text != null) {
            return similar ? Mode.HYBRID : Mode.WORDS;
        }
        return similar ? Mode.SIMILAR : Mode.LIST;
    }

    /** @return the namespace prefix */
    public Namespace prefix() {
        return prefix;
    }

    /** @return the word query's text, or null */
    public String text() {
        return text;
    }

    /** @return the normalised, distinct words of {@link #text()}; empty without text */
    public List<String> words() {
        return text == null ? List.of() : Words.query(text, "text");
    }

    /** @return the text to rank by similarity to, or null */
    public String similarText() {
        return similarText;
    }

    /** @return a copy of the query vector, or null if none was given or computed yet */
    public float[] similarVector() {
        return similarVector == null ? null : similarVector.clone();
    }

    /** @return the key filter, or null */
    public String key() {
        return key;
    }

    /** @return the labels that must match */
    public Map<String, String> labels() {
        return labels;
    }

    /** @return the source run filter, or null */
    public String sourceRunId() {
        return sourceRunId;
    }

    /** @return the instant facts must have held at, or null for current facts (or every version) */
    public Instant validAt() {
        return validAt;
    }

    /** @return whether every version is found, superseded ones included */
    public boolean isAllVersions() {
        return allVersions;
    }

    /** @return the page size */
    public int limit() {
        return limit;
    }

    /** @return the cursor, or null for the first page */
    public String cursor() {
        return cursor;
    }

    /**
     * @param fact a stored fact
     * @param now the store's now
     * @return whether it passes this query's namespace, filters and validity (not its words)
     */
    public boolean admits(Fact fact, Instant now) {
        if (fact.isExpiredAt(now) || !fact.namespace().isWithin(prefix)) {
            return false;
        }
        if (key != null && !key.equals(fact.key())) {
            return false;
        }
        if (sourceRunId != null && (fact.source() == null || !sourceRunId.equals(fact.source().run().runId()))) {
            return false;
        }
        for (Map.Entry<String, String> label : labels.entrySet()) {
            if (!label.getValue().equals(fact.labels().get(label.getKey()))) {
                return false;
            }
        }
        if (validAt != null) {
            return fact.isValidAt(validAt);
        }
        return allVersions || fact.isCurrent();
    }

    /**
     * @return a canonical description of everything but the page (limit, cursor), which a cursor
     *     is bound to
     */
    public String scope() {
        return "facts|" + prefix.path() + "|" + mode() + "|" + text + "|" + similarText + "|"
                + (similarVector == null ? "" : Integer.toHexString(java.util.Arrays.hashCode(similarVector))) + "|" + key
                + "|" + new java.util.TreeMap<>(labels) + "|" + sourceRunId + "|" + validAt + "|" + allVersions;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("FactQuery[").append(prefix).append(", ").append(mode());
        if (text != null) {
            b.append(", text=").append(Checks.shorten(text));
        }
        if (similarText != null) {
            b.append(", similarTo=").append(Checks.shorten(similarText));
        } else if (similarVector != null) {
            b.append(", similarTo=").append(similarVector.length).append(" dimensions");
        }
        if (key != null) {
            b.append(", key=").append(key);
        }
        if (!labels.isEmpty()) {
            b.append(", labels=").append(labels);
        }
        if (sourceRunId != null) {
            b.append(", sourceRun=").append(sourceRunId);
        }
        if (validAt != null) {
            b.append(", validAt=").append(validAt);
        }
        if (allVersions) {
            b.append(", allVersions");
        }
        return b.append(", limit=").append(limit).append(cursor == null ? "" : ", from cursor").append("]").toString();
    }
}
