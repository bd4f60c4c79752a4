package dev.memoria.spi;

import dev.memoria.Ids;
import dev.memoria.Page;
import dev.memoria.fact.Fact;
import dev.memoria.fact.FactMatch;
import dev.memoria.fact.FactQuery;
import dev.memoria.fact.Namespace;
import dev.memoria.fact.NewFact;
import dev.memoria.internal.Words;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.function.Function;

/**
 * The rules of facts that every {@link dev.memoria.fact.FactStore} shares, written once: the
 * words a fact is indexed by and a query looks for (K4, K5), new versions (K1, K2), the orders,
 * cursors and paging of search results, cosine similarity by brute force and reciprocal rank
 * fusion (K6), and a bm25 score for backends that rank in Java.
 */
public final class Facts {
    /** The constant of reciprocal rank fusion: a fact's fused score is the sum of 1 / (k + rank). */
    public static final int RRF_K = 60;
    /** How many facts a backend removes per step of a namespace deletion or a prune. */
    public static final int DELETE_BATCH = 1000;
    private static final String KIND = "facts";

    private Facts() {
    }

    /**
     * @param text a fact's text
     * @return the normalised words to index it by, in order, repeats kept
     */
    public static List<String> indexWords(String text) {
        return Words.of(text);
    }

    /**
     * @param text a fact's text
     * @return its normalised words joined by single spaces: what a full-text index should
     *     tokenise on spaces alone
     */
    public static String indexText(String text) {
        return String.join(" ", Words.of(text));
    }

    /**
     * @param fact a new fact
     * @param id its id
     * @param version its version
     * @param now the store's now: createdAt and validFrom
     * @return the stored fact
     */
    public static Fact stored(NewFact fact, String id, long version, Instant now) {
        return new Fact(id, fact.namespace(), fact.key(), fact.text(), fact.data(), fact.labels(), fact.source(), version,
                now, now, null, fact.expiresAt(), fact.vector(), fact.idempotencyKey());
    }

    /** @return a new fact id (time ordered) */
    public static String newId() {
        return Ids.next();
    }

    /**
     * Checks that a similarity query got its vector.
     *
     * @param query a query
     * @throws IllegalArgumentException if it ranks by similarity to a text and no embedder computed
     *     the text's vector
     */
    public static void requireVector(FactQuery query) {
        if ((query.mode() == FactQuery.Mode.SIMILAR || query.mode() == FactQuery.Mode.HYBRID) && query.similarVector() == null) {
            throw new IllegalArgumentException("similarTo: needs an Embedder to turn the text into a vector; use"
                    + " stores.facts().withEmbedder(embedder), or pass similarTo(float[])");
        }
    }

    /**
     * Checks a namespace to delete.
     *
     * @param prefix the namespace
     * @return it
     */
    public static Namespace deletable(Namespace prefix) {
        Objects.requireNonNull(prefix, "namespace");
        if (prefix.isRoot()) {
            throw new IllegalArgumentException("namespace: name the namespace to delete (at least one segment);"
                    + " deleting every fact at once is not offered");
        }
        return prefix;
    }

    /** @return the order of a query's results: score then id for ranked queries, newest first for listings */
    public static Comparator<FactMatch> order(FactQuery query) {
        if (query.mode() == FactQuery.Mode.LIST) {
            return Comparator.<FactMatch, Instant>comparing(m -> m.fact().createdAt()).thenComparing(m -> m.fact().id())
                    .reversed();
        }
        return Comparator.comparingDouble(FactMatch::score).reversed().thenComparing(m -> m.fact().id());
    }

    /**
     * The position a query's cursor resumes after.
     *
     * @param score the last score returned (ranked queries)
     * @param createdAtMillis the last createdAt returned (listings)
     * @param id the last id returned
     */
    public record After(double score, long createdAtMillis, String id) {
        /**
         * @param match a result of the query
         * @param query the query
         * @return whether the match comes after this position in the query's order
         */
        public boolean precedes(FactMatch match, FactQuery query) {
            if (query.mode() == FactQuery.Mode.LIST) {
                long at = match.fact().createdAt().toEpochMilli();
                return at < createdAtMillis || at == createdAtMillis && match.fact().id().compareTo(id) < 0;
            }
            return match.score() < score || match.score() == score && match.fact().id().compareTo(id) > 0;
        }
    }

    /**
     * @param query a query
     * @return where its cursor resumes, or null for the first page
     * @throws IllegalArgumentException if the cursor is not one of this query's
     */
    public static After after(FactQuery query) {
        if (query.cursor() == null) {
            return null;
        }
        List<String> keys = Cursors.decode(query.cursor(), KIND, query.scope(), 2);
        long number = Cursors.number(keys.get(0));
        return query.mode() == FactQuery.Mode.LIST ? new After(0, number, keys.get(1))
                : new After(Double.longBitsToDouble(number), 0, keys.get(1));
    }

    /**
     * @param query a query
     * @param last the last match of a page
     * @return the cursor of the next page
     */
    public static String cursor(FactQuery query, FactMatch last) {
        long number = query.mode() == FactQuery.Mode.LIST ? last.fact().createdAt().toEpochMilli()
                : Double.doubleToLongBits(last.score());
        return Cursors.encode(KIND, query.scope(), Long.toString(number), last.fact().id());
    }

    /**
     * @param query a query
     * @param limitPlusOne up to {@code limit + 1} matches after the cursor, in the query's order
     * @return the page, with a cursor unless it is the last
     */
    public static Page<FactMatch> page(FactQuery query, List<FactMatch> limitPlusOne) {
        return Cursors.page(limitPlusOne, query.limit(), m -> cursor(query, m));
    }

    /**
     * Pages results a backend ranked (or listed) in full, for backends that rank in Java.
     *
     * @param query the query
     * @param matches every match, in any order
     * @return the query's page
     */
    public static Page<FactMatch> pageOf(FactQuery query, List<FactMatch> matches) {
        After after = after(query);
        Comparator<FactMatch> order = order(query);
        // a bounded heap of the best limit + 1 after the cursor: O(matches log limit)
        PriorityQueue<FactMatch> best = new PriorityQueue<>(order.reversed());
        for (FactMatch m : matches) {
            if (after != null && !after.precedes(m, query)) {
                continue;
            }
            best.add(m);
            if (best.size() > query.limit() + 1) {
                best.poll();
            }
        }
        List<FactMatch> sorted = new ArrayList<>(best);
        sorted.sort(order);
        return page(query, sorted);
    }

    /**
     * Ranks candidates by cosine similarity to the query's vector (K6), brute force. Candidates
     * without a vector of the query's dimensions are left out.
     *
     * @param query a {@link FactQuery.Mode#SIMILAR} query with its vector
     * @param candidates the facts the query {@linkplain FactQuery#admits admits} (checked again here)
     * @param now the store's now
     * @return the query's page
     */
    public static Page<FactMatch> bySimilarity(FactQuery query, Iterable<Fact> candidates, Instant now) {
        requireVector(query);
        float[] vector = query.similarVector();
        List<FactMatch> matches = new ArrayList<>();
        for (Fact fact : candidates) {
            if (fact.dimensions() == vector.length && query.admits(fact, now)) {
                matches.add(new FactMatch(fact, fact.cosine(vector)));
            }
        }
        return pageOf(query, matches);
    }

    /**
     * Answers a {@link FactQuery.Mode#HYBRID} query by reciprocal rank fusion of the best
     * {@value FactQuery#HYBRID_DEPTH} of the word ranking and of the similarity ranking.
     *
     * @param query the hybrid query, with its vector
     * @param search the backend's own search, called once for words and once for similarity
     * @return the query's page
     */
    public static Page<FactMatch> hybrid(FactQuery query, Function<FactQuery, Page<FactMatch>> search) {
        requireVector(query);
        FactQuery base = query.cursor(null).limit(FactQuery.HYBRID_DEPTH);
        FactQuery wordsOnly = FactQuery.in(query.prefix()).text(query.text());
        FactQuery similarOnly = FactQuery.in(query.prefix()).similarTo(query.similarVector());
        List<FactMatch> byWords = search.apply(narrow(wordsOnly, base)).items();
        List<FactMatch> bySimilarity = search.apply(narrow(similarOnly, base)).items();
        Map<String, Fact> facts = new HashMap<>();
        Map<String, Double> fused = new HashMap<>();
        for (List<FactMatch> ranking : List.of(byWords, bySimilarity)) {
            for (int rank = 0; rank < ranking.size(); rank++) {
                Fact fact = ranking.get(rank).fact();
                facts.put(fact.id(), fact);
                fused.merge(fact.id(), 1.0 / (RRF_K + rank + 1), Double::sum);
            }
        }
        List<FactMatch> matches = new ArrayList<>();
        fused.forEach((id, score) -> matches.add(new FactMatch(facts.get(id), score)));
        return pageOf(query, matches);
    }

    private static FactQuery narrow(FactQuery q, FactQuery filters) {
        if (filters.key() != null) {
            q = q.key(filters.key());
        }
        if (!filters.labels().isEmpty()) {
            q = q.labels(filters.labels());
        }
        if (filters.sourceRunId() != null) {
            q = q.sourceRun(filters.sourceRunId());
        }
        if (filters.validAt() != null) {
            q = q.validAt(filters.validAt());
        } else if (filters.isAllVersions()) {
            q = q.allVersions();
        }
        return q.limit(filters.limit());
    }

    /**
     * Okapi BM25 of one fact for a word query (k1 = 1.2, b = 0.75), for backends that rank in
     * Java.
     *
     * @param queryWords the query's distinct words
     * @param factWords the fact's indexed words, repeats kept
     * @param documentFrequency per query word, how many facts of the corpus hold it
     * @param corpusSize how many facts the corpus holds
     * @param averageLength the corpus's average number of words per fact
     * @return the score; higher is better
     */
    public static double bm25(List<String> queryWords, List<String> factWords, Map<String, Long> documentFrequency,
                              long corpusSize, double averageLength) {
        Map<String, Integer> tf = new HashMap<>();
        for (String w : factWords) {
            tf.merge(w, 1, Integer::sum);
        }
        double score = 0;
        double norm = 1.2 * (0.25 + 0.75 * factWords.size() / Math.max(averageLength, 1e-9));
        for (String w : queryWords) {
            int f = tf.getOrDefault(w, 0);
            long df = documentFrequency.getOrDefault(w, 0L);
            double idf = Math.log(1 + (corpusSize - df + 0.5) / (df + 0.5));
            score += idf * f * 2.2 / (f + norm);
        }
        return score;
    }
}
