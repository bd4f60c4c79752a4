package dev.memoria.fact;

import java.util.Objects;

/**
 * A fact a search found, with its score: higher is better. Scores order one result list; they
 * are not comparable across queries or backends (bm25, ts_rank, cosine and reciprocal rank fusion
 * measure different things). A listing without words or vector scores every fact 0.
 *
 * @param fact the fact
 * @param score how well it matched
 */
public record FactMatch(Fact fact, double score) {
    /** Checks the fields. */
    public FactMatch {
        Objects.requireNonNull(fact, "fact");
        if (Double.isNaN(score)) {
            throw new IllegalArgumentException("score: must be a number, got NaN");
        }
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "%.4f %s", score, fact);
    }
}
