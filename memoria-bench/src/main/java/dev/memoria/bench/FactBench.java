package dev.memoria.bench;

import dev.memoria.Limits;
import dev.memoria.fact.Embedder;
import dev.memoria.fact.Fact;
import dev.memoria.fact.FactMatch;
import dev.memoria.fact.FactQuery;
import dev.memoria.fact.FactStore;
import dev.memoria.fact.Namespace;
import dev.memoria.fact.NewFact;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * P6: the fact store. Word search over one namespace of 10,000 and then 100,000 facts (the same
 * namespace, grown), with queries of rare words (few matches: the cost the index should keep
 * flat) and of common words (many matches: O(matches) by design, since every match is ranked);
 * the throughput of puts (new facts, facts superseding one key, batches of 1,000); and the cost of
 * a brute-force similarity query over 10,000 facts with vectors.
 *
 * <p>The corpus is deterministic: a seeded vocabulary of {@value #VOCABULARY} made-up words drawn
 * with Zipf-like frequencies (exponent {@value #ZIPF}) into sentences of 6 to 10 words. The
 * queries are chosen from the corpus itself, with their exact match counts computed in Java, and
 * every search is checked against them once (in the warm-up round).
 */
final class FactBench {
    static final int VOCABULARY = 2_000;
    static final double ZIPF = 1.1;
    static final int LIMIT = 10;
    static final int DIMENSIONS = 64;
    private static final long SEED = 20_261_202L;

    private FactBench() {
    }

    /** A query and how many facts of the corpus match it among the first {@code small} and all {@code large}. */
    record Query(String text, int matchesSmall, int matchesLarge) {
    }

    /** Latencies of one set of queries: median with IQR, and the 90th percentile in nanoseconds. */
    record Timing(Stats stats, double p90) {
        static Timing of(long[] nanos) {
            return new Timing(Stats.of(nanos), Stats.quantile(nanos, 0.9));
        }
    }

    /** The made-up words, most frequent first. */
    static List<String> vocabulary() {
        Random random = new Random(SEED);
        String[] onsets = {"b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "dr", "kl", "st", "tr", "sh"};
        String[] vowels = {"a", "e", "i", "o", "u", "ai", "ou"};
        String[] codas = {"", "", "", "n", "r", "l", "s", "k"};
        LinkedHashSet<String> words = new LinkedHashSet<>();
        while (words.size() < VOCABULARY) {
            int syllables = 2 + random.nextInt(2);
            StringBuilder w = new StringBuilder();
            for (int s = 0; s < syllables; s++) {
                w.append(onsets[random.nextInt(onsets.length)]).append(vowels[random.nextInt(vowels.length)])
                        .append(codas[random.nextInt(codas.length)]);
            }
            if (w.length() >= 4) {
                words.add(w.toString());
            }
        }
        return List.copyOf(words);
    }

    /** The corpus: {@code count} sentences, each as the indexes of its words in the vocabulary. */
    static int[][] corpus(int count) {
        double[] cdf = new double[VOCABULARY];
        double sum = 0;
        for (int r = 0; r < VOCABULARY; r++) {
            sum += 1 / Math.pow(r + 1, ZIPF);
            cdf[r] = sum;
        }
        for (int r = 0; r < VOCABULARY; r++) {
            cdf[r] /= sum;
        }
        Random random = new Random(SEED + 1);
        int[][] sentences = new int[count][];
        for (int i = 0; i < count; i++) {
            int[] s = new int[6 + random.nextInt(5)];
            for (int j = 0; j < s.length; j++) {
                int at = Arrays.binarySearch(cdf, random.nextDouble());
                s[j] = Math.min(VOCABULARY - 1, at >= 0 ? at : -at - 1);
            }
            sentences[i] = s;
        }
        return sentences;
    }

    static String text(List<String> vocabulary, int[] sentence) {
        StringBuilder b = new StringBuilder();
        for (int j = 0; j < sentence.length; j++) {
            String w = vocabulary.get(sentence[j]);
            b.append(j == 0 ? Character.toUpperCase(w.charAt(0)) + w.substring(1) : " " + w);
        }
        return b.append('.').toString();
    }

    /** For each word, the sorted indexes of the sentences that hold it. */
    static int[][] postings(int[][] corpus) {
        int[] counts = new int[VOCABULARY];
        for (int[] s : corpus) {
            for (int w : distinct(s)) {
                counts[w]++;
            }
        }
        int[][] postings = new int[VOCABULARY][];
        for (int w = 0; w < VOCABULARY; w++) {
            postings[w] = new int[counts[w]];
        }
        int[] fill = new int[VOCABULARY];
        for (int i = 0; i < corpus.length; i++) {
            for (int w : distinct(corpus[i])) {
                postings[w][fill[w]++] = i;
            }
        }
        return postings;
    }

    private static int[] distinct(int[] s) {
        return Arrays.stream(s).distinct().toArray();
    }

    private static int[] intersect(int[] a, int[] b) {
        int[] out = new int[Math.min(a.length, b.length)];
        int n = 0;
        for (int i = 0, j = 0; i < a.length && j < b.length; ) {
            if (a[i] == b[j]) {
                out[n++] = a[i];
                i++;
                j++;
            } else if (a[i] < b[j]) {
                i++;
            } else {
                j++;
            }
        }
        return Arrays.copyOf(out, n);
    }

    private static int below(int[] sorted, int limit) {
        int at = Arrays.binarySearch(sorted, limit);
        return at >= 0 ? at : -at - 1;
    }

    /**
     * Rare-word queries: 12 single words and 8 pairs (a rare word with a frequent one) that match
     * between {@code large / 10,000} and {@code large / 2,000} facts of the whole corpus (10 to
     * 50 at 100,000), chosen by a seeded draw.
     */
    static List<Query> rareQueries(List<String> vocabulary, int[][] postings, int small, int large) {
        int lo = Math.max(1, large / 10_000);
        int hi = Math.max(3, large / 2_000);
        Random random = new Random(SEED + 2);
        List<Query> singles = new ArrayList<>();
        List<Integer> band = new ArrayList<>();
        for (int w = 0; w < VOCABULARY; w++) {
            if (postings[w].length >= lo && postings[w].length <= hi) {
                band.add(w);
            }
        }
        java.util.Collections.shuffle(band, random);
        for (int w : band.subList(0, Math.min(12, band.size()))) {
            singles.add(new Query(vocabulary.get(w), below(postings[w], small), postings[w].length));
        }
        List<Query> pairs = new ArrayList<>();
        LinkedHashSet<String> seen = new LinkedHashSet<>();
        for (int attempt = 0; attempt < 100_000 && pairs.size() < 8; attempt++) {
            int rare = random.nextInt(VOCABULARY);
            int common = random.nextInt(20);
            if (rare == common || postings[rare].length < lo) {
                continue;
            }
            int[] both = intersect(postings[rare], postings[common]);
            String q = vocabulary.get(rare) + " " + vocabulary.get(common);
            if (both.length >= lo && both.length <= hi && seen.add(q)) {
                pairs.add(new Query(q, below(both, small), both.length));
            }
        }
        List<Query> all = new ArrayList<>(singles);
        all.addAll(pairs);
        Bench.check(all.size() >= 4, "rare-word queries: only " + all.size() + " found");
        return all;
    }

    /** Common-word queries: 6 of the 30 most frequent words alone, and 4 pairs of the 10 most frequent. */
    static List<Query> commonQueries(List<String> vocabulary, int[][] postings, int small) {
        Random random = new Random(SEED + 3);
        List<Query> queries = new ArrayList<>();
        LinkedHashSet<String> seen = new LinkedHashSet<>();
        while (queries.size() < 6) {
            int w = random.nextInt(30);
            if (seen.add(vocabulary.get(w))) {
                queries.add(new Query(vocabulary.get(w), below(postings[w], small), postings[w].length));
            }
        }
        while (queries.size() < 10) {
            int a = random.nextInt(10);
            int b = random.nextInt(10);
            if (a != b && seen.add(vocabulary.get(Math.min(a, b)) + " " + vocabulary.get(Math.max(a, b)))) {
                int[] both = intersect(postings[a], postings[b]);
                queries.add(new Query(vocabulary.get(Math.min(a, b)) + " " + vocabulary.get(Math.max(a, b)),
                        below(both, small), both.length));
            }
        }
        return queries;
    }

    /**
     * A tiny deterministic embedder: each word (lower-cased, split at non-letters) hashed into
     * one of {@value #DIMENSIONS} dimensions with a sign. Texts that share words are similar.
     */
    static final class HashingEmbedder implements Embedder {
        @Override
        public float[] embed(String text) {
            float[] v = new float[DIMENSIONS];
            for (String word : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
                if (word.isEmpty()) {
                    continue;
                }
                int h = word.hashCode() * 0x9E3779B1;
                h ^= h >>> 15;
                v[(h & 0x7fffffff) % DIMENSIONS] += (h & 0x40000000) == 0 ? 1f : -1f;
            }
            boolean zero = true;
            for (float x : v) {
                zero &= x == 0f;
            }
            if (zero) {
                v[0] = 1f; // every word cancelled out: any direction will do
            }
            return v;
        }

        @Override
        public String toString() {
            return "HashingEmbedder[" + DIMENSIONS + "]";
        }
    }

    static void run(Backend b, Bench.P6 config, Report report) throws Exception {
        FactStore facts;
        try {
            facts = b.stores.facts();
        } catch (UnsupportedOperationException e) {
            report.p6Unavailable(b.name, String.valueOf(e.getMessage()));
            return;
        }
        int small = config.small();
        int large = config.large();
        List<String> vocabulary = vocabulary();
        int[][] corpus = corpus(large);
        int[][] postings = postings(corpus);
        List<Query> rare = rareQueries(vocabulary, postings, small, large);
        List<Query> common = commonQueries(vocabulary, postings, small);

        // 1. word search at small, then grown to large, in one namespace
        Namespace words = Namespace.of("p6", "words");
        long loadSmall = load(facts, words, vocabulary, corpus, 0, small);
        Timing rareSmall = search(facts, words, rare, false, config);
        Timing commonSmall = search(facts, words, common, false, config);
        long loadRest = load(facts, words, vocabulary, corpus, small, large);
        Timing rareLarge = search(facts, words, rare, true, config);
        Timing commonLarge = search(facts, words, common, true, config);
        report.p6Load(b.name, small, loadSmall, large, loadRest);
        report.p6Search(b.name, "rare words", rare, small, large, rareSmall, rareLarge, true);
        report.p6Search(b.name, "common words", common, small, large, commonSmall, commonLarge, false);

        // 2. puts
        Namespace puts = Namespace.of("p6", "puts");
        long[] n = {0};
        Random random = new Random(SEED + 4);
        Stats single = Stats.of(Bench.time(config.putWarmup(), config.putReps(),
                () -> facts.put(NewFact.of(puts, sentence(vocabulary, random, ++n[0])))));
        long[] k = {0};
        Stats keyed = Stats.of(Bench.time(config.putWarmup(), config.putReps(),
                () -> facts.put(NewFact.builder(puts, sentence(vocabulary, random, ++k[0])).key("profile").build())));
        List<Fact> history = facts.history(puts, "profile");
        Bench.check(history.size() == config.putWarmup() + config.putReps() && history.get(history.size() - 1).isCurrent()
                && history.stream().filter(Fact::isCurrent).count() == 1, "superseding puts: " + history.size() + " versions");
        Bench.check(history.get(history.size() - 1).version() == history.size(), "superseding puts: versions");
        Namespace batches = Namespace.of("p6", "batches");
        long[] m = {0};
        Stats batch = Stats.of(Bench.time(1, config.batchReps(), () -> {
            List<NewFact> list = new ArrayList<>(Limits.MAX_EVENTS_PER_APPEND);
            for (int i = 0; i < Limits.MAX_EVENTS_PER_APPEND; i++) {
                list.add(NewFact.of(batches, sentence(vocabulary, random, ++m[0])));
            }
            Bench.check(facts.putAll(list).size() == list.size(), "putAll returns every fact");
        }));
        report.p6Puts(b.name, single, keyed, batch, Limits.MAX_EVENTS_PER_APPEND);

        // 3. similarity: brute force over a namespace of facts with vectors
        Namespace similar = Namespace.of("p6", "similar");
        FactStore embedding = facts.withEmbedder(new HashingEmbedder());
        int simFacts = config.similarFacts();
        long loadSimilar = load(embedding, similar, vocabulary, corpus, 0, simFacts);
        List<String> queries = new ArrayList<>();
        Random qr = new Random(SEED + 5);
        for (int i = 0; i < 10; i++) {
            queries.add(vocabulary.get(qr.nextInt(200)) + " " + vocabulary.get(qr.nextInt(VOCABULARY)) + " "
                    + vocabulary.get(qr.nextInt(VOCABULARY)));
        }
        for (String q : queries) { // warm-up and check
            List<FactMatch> got = embedding.search(FactQuery.in(similar).similarTo(q).limit(LIMIT)).items();
            Bench.check(got.size() == Math.min(LIMIT, simFacts), "similarity search found " + got.size());
            for (int i = 1; i < got.size(); i++) {
                Bench.check(got.get(i - 1).score() >= got.get(i).score(), "similarity ranking");
            }
        }
        long[] sim = new long[queries.size() * config.similarRounds()];
        int s = 0;
        for (int round = 0; round < config.similarRounds(); round++) {
            for (String q : queries) {
                long t0 = System.nanoTime();
                embedding.search(FactQuery.in(similar).similarTo(q).limit(LIMIT));
                sim[s++] = System.nanoTime() - t0;
            }
        }
        report.p6Similar(b.name, simFacts, DIMENSIONS, loadSimilar, Timing.of(sim));
    }

    private static String sentence(List<String> vocabulary, Random random, long n) {
        StringBuilder b = new StringBuilder("Put ").append(n);
        for (int i = 0; i < 7; i++) {
            b.append(' ').append(vocabulary.get(random.nextInt(VOCABULARY)));
        }
        return b.append('.').toString();
    }

    /** Puts sentences {@code from} to {@code to} of the corpus in batches of 1,000; returns the nanoseconds it took. */
    private static long load(FactStore facts, Namespace ns, List<String> vocabulary, int[][] corpus, int from, int to) {
        long t0 = System.nanoTime();
        for (int start = from; start < to; start += Limits.MAX_EVENTS_PER_APPEND) {
            List<NewFact> batch = new ArrayList<>(Limits.MAX_EVENTS_PER_APPEND);
            for (int i = start; i < Math.min(to, start + Limits.MAX_EVENTS_PER_APPEND); i++) {
                batch.add(NewFact.of(ns, text(vocabulary, corpus[i])));
            }
            Bench.check(facts.putAll(batch).size() == batch.size(), "bulk load");
        }
        return System.nanoTime() - t0;
    }

    /**
     * One warm-up round that checks every query's result against its known match count, then
     * rounds of every query in turn: at least two, {@code minRounds} unless they take more than
     * three time budgets, and more while within one budget, up to {@code maxRounds}.
     *
     * @return the latencies of every timed search
     */
    private static Timing search(FactStore facts, Namespace ns, List<Query> queries, boolean large, Bench.P6 config) {
        for (Query q : queries) {
            int expected = large ? q.matchesLarge() : q.matchesSmall();
            List<FactMatch> got = facts.search(FactQuery.in(ns).text(q.text()).limit(LIMIT)).items();
            Bench.check(got.size() == Math.min(LIMIT, expected), "word search for '" + q.text() + "' found " + got.size()
                    + ", expected " + Math.min(LIMIT, expected) + " (of " + expected + " matches)");
            for (FactMatch match : got) {
                String text = " " + match.fact().text().toLowerCase(Locale.ROOT).replace(".", "") + " ";
                for (String w : q.text().split(" ")) {
                    Bench.check(text.contains(" " + w + " "), "word search for '" + q.text() + "' returned " + match.fact());
                }
            }
        }
        List<Long> nanos = new ArrayList<>();
        long start = System.nanoTime();
        long budget = config.searchBudgetMillis() * 1_000_000L;
        for (int round = 0; round < config.maxRounds(); round++) {
            long elapsed = System.nanoTime() - start;
            // two rounds always; up to minRounds unless that takes three budgets (a slow backend); more within one
            if (round >= 2 && (round < config.minRounds() ? elapsed > 3 * budget : elapsed > budget)) {
                break;
            }
            for (Query q : queries) {
                FactQuery query = FactQuery.in(ns).text(q.text()).limit(LIMIT);
                long t0 = System.nanoTime();
                facts.search(query);
                nanos.add(System.nanoTime() - t0);
            }
        }
        long[] sample = nanos.stream().mapToLong(Long::longValue).toArray();
        return Timing.of(sample);
    }
}
