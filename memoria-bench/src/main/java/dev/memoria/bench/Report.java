package dev.memoria.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Collects figures and prints them as Markdown, with each target checked against the same run's figures. */
final class Report {
    private final boolean quick;
    private final Map<String, String> backends = new LinkedHashMap<>();
    private final List<String> p1 = new ArrayList<>();
    private final List<String> p1Ratios = new ArrayList<>();
    private final List<String> p2 = new ArrayList<>();
    private final List<String> p3 = new ArrayList<>();
    private final List<String> p3Build = new ArrayList<>();
    private final List<String> p4 = new ArrayList<>();
    private final List<String> p5 = new ArrayList<>();
    private final List<String> p5Verdicts = new ArrayList<>();
    /** Per backend, path and N: the median, for the verdicts. */
    private final Map<String, Map<String, Map<Integer, Double>>> p5Medians = new LinkedHashMap<>();
    private final List<String> concurrency = new ArrayList<>();
    private final List<String> p6Search = new ArrayList<>();
    private final List<String> p6Loads = new ArrayList<>();
    private final List<String> p6Puts = new ArrayList<>();
    private final List<String> p6Similar = new ArrayList<>();
    private final List<String> p6Unavailable = new ArrayList<>();
    private int p6Small;
    private int p6Large;
    private final List<String> missed = new ArrayList<>();

    Report(boolean quick) {
        this.quick = quick;
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    private String verdict(boolean met, String what) {
        if (!met) {
            missed.add(what);
        }
        return met ? "met" : "**missed**";
    }

    void backend(String name, String durability) {
        backends.put(name, durability);
    }

    void p1(String backend, int size, Stats s) {
        p1.add(f("| %s | %,d | %s |", backend, size, s.micros()));
    }

    void p1Ratio(String backend, double ratio, int largest) {
        p1Ratios.add(f("| %s | %.2f× | ≤ 1.20× | %s |", backend, ratio,
                verdict(ratio <= 1.2, f("P1 on %s: append at %,d prior events is %.2f× the one at 10", backend, largest, ratio))));
    }

    void p2(String backend, Stats single, Stats raw, Stats batch, Stats rawBatch) {
        double singleRatio = single.perSecond(1) / raw.perSecond(1);
        double batchRatio = batch.perSecond(100) / rawBatch.perSecond(100);
        p2.add(f("| %s | %s | %s | %,.0f/s vs %,.0f/s = %.2f× %s | %s | %s | %,.0f/s vs %,.0f/s = %.2f× %s |", backend,
                single.micros(), raw.micros(), single.perSecond(1), raw.perSecond(1), singleRatio,
                verdict(singleRatio >= 0.8, f("P2 single append on %s: %.2f× the raw insert", backend, singleRatio)),
                batch.micros(), rawBatch.micros(), batch.perSecond(100), rawBatch.perSecond(100), batchRatio,
                verdict(batchRatio >= 0.8, f("P2 100-event batch on %s: %.2f× the raw batch", backend, batchRatio))));
    }

    void p3(String backend, int n, Stats memoria, Stats raw, Stats spring) {
        double overRaw = memoria.median() / raw.median();
        double springOverMemoria = spring.median() / memoria.median();
        double springOverRaw = spring.median() / raw.median();
        p3.add(f("| %s | %,d | %s | %s | %s | %.2f× %s | %.1f× | %.1f× | %.2f |", backend, n, memoria.micros(), raw.micros(),
                spring.micros(), overRaw, verdict(overRaw <= 1.25, f("P3 on %s at %,d messages: Memoria's append is %.2f× the raw"
                        + " insert", backend, n, overRaw)), springOverMemoria, springOverRaw, springOverMemoria / springOverRaw));
    }

    void p3Build(String backend, int n, long memoria, long raw, long spring, Stats memoriaLoad, Stats springLoad) {
        p3Build.add(f("| %s | %,d | %.2f s | %.2f s | %.2f s | %.0f× | %s | %s |", backend, n, memoria / 1e9, raw / 1e9,
                spring / 1e9, (double) spring / memoria, memoriaLoad.micros(), springLoad.micros()));
    }

    void p4(String backend, String what, Stats s, long bytes) {
        boolean sqliteTarget = backend.equals("SQLite") && what.startsWith("latest");
        p4.add(f("| %s | %s | %s | %,d | %s |", backend, what, s.micros(), bytes, sqliteTarget
                ? verdict(s.median() <= 2_000_000, f("P4 latest(50) on SQLite: median %s", s.micros())) : "—"));
    }

    /** A context-view row: target ≤ 2× the median of latest(50) on the largest run, same backend, same run. */
    void p4View(String backend, String what, Stats s, long bytes, Stats latest) {
        double ratio = s.median() / latest.median();
        p4.add(f("| %s | %s | %s | %,d | %s (%.2f× latest(50)) |", backend, what, s.micros(), bytes,
                verdict(ratio <= 2.0, f("C8 view(50) on %s: %.2f× latest(50)", backend, ratio)), ratio));
    }

    void p5(String backend, int n, Map<String, Stats> byPath) {
        StringBuilder row = new StringBuilder(f("| %s | %,d |", backend, n));
        for (String path : AdapterBench.PATHS) {
            Stats s = byPath.get(path);
            row.append(' ').append(s == null ? "—" : s.micros()).append(" |");
            if (s != null) {
                p5Medians.computeIfAbsent(backend, k -> new LinkedHashMap<>()).computeIfAbsent(path, k -> new LinkedHashMap<>())
                        .put(n, s.median());
            }
        }
        p5.add(row.toString());
    }

    void p5Verdicts(String backend) {
        Map<String, Map<Integer, Double>> paths = p5Medians.get(backend);
        Map<Integer, Double> append = paths.get(AdapterBench.PATHS.get(0));
        int smallest = append.keySet().stream().min(Integer::compare).orElseThrow();
        int largest = append.keySet().stream().max(Integer::compare).orElseThrow();
        for (String path : AdapterBench.PATHS.subList(1, 5)) {
            Map<Integer, Double> m = paths.get(path);
            double flat = m.get(largest) / m.get(smallest);
            int worstAt = smallest;
            double worst = 0;
            for (Map.Entry<Integer, Double> e : m.entrySet()) {
                double ratio = e.getValue() / append.get(e.getKey());
                if (ratio > worst) {
                    worst = ratio;
                    worstAt = e.getKey();
                }
            }
            p5Verdicts.add(f("| %s | %s | %.2f× %s | %.2f× (at N = %,d) %s |", backend, path, flat,
                    verdict(flat <= 1.2, f("P5 on %s: %s at %,d messages costs %.2f× what it costs at %,d", backend, path,
                            largest, flat, smallest)), worst, worstAt,
                    verdict(worst <= 1.5, f("P5 on %s: %s costs %.2f× a Memoria append at %,d messages", backend, path, worst,
                            worstAt))));
        }
    }

    /** Per backend and layout: writers → the measurement with group commit, and without. */
    private final Map<String, Map<Boolean, Map<Integer, ConcurrencyBench.Result[]>>> concurrencyResults = new LinkedHashMap<>();
    private final List<String> concurrencyVerdicts = new ArrayList<>();
    private final List<String> twoProcesses = new ArrayList<>();

    void concurrency(String backend, boolean oneRun, int threads, ConcurrencyBench.Result with, ConcurrencyBench.Result without,
                     ConcurrencyBench.Result raw) {
        concurrency.add(f("| %s | %s | %d | %,.0f (%,.0f–%,.0f) | %,.0f / %,.0f | %s | %s |", backend,
                oneRun ? "one shared run" : "a run per writer", threads, with.rate(), with.minRate(), with.maxRate(),
                with.p50Nanos() / 1e3, with.p99Nanos() / 1e3,
                without == null ? "—" : f("%,.0f (%,.0f / %,.0f µs)", without.rate(), without.p50Nanos() / 1e3, without.p99Nanos() / 1e3),
                f("%,.0f (%,.0f / %,.0f µs)", raw.rate(), raw.p50Nanos() / 1e3, raw.p99Nanos() / 1e3)));
        concurrencyResults.computeIfAbsent(backend, k -> new LinkedHashMap<>()).computeIfAbsent(oneRun, k -> new LinkedHashMap<>())
                .put(threads, new ConcurrencyBench.Result[] {with, without});
    }

    void twoProcesses(String backend, boolean oneRun, String figures) {
        twoProcesses.add(f("| %s | %s | %s |", backend, oneRun ? "one shared run" : "a run per writer", figures));
    }

    /** The targets of group commit, from the figures of this run. */
    void concurrencyVerdicts(String backend) {
        Map<Boolean, Map<Integer, ConcurrencyBench.Result[]>> byLayout = concurrencyResults.get(backend);
        if (byLayout == null) {
            return;
        }
        boolean sqlite = backend.startsWith("SQLite");
        boolean postgres = backend.startsWith("PostgreSQL");
        for (Map.Entry<Boolean, Map<Integer, ConcurrencyBench.Result[]>> layout : byLayout.entrySet()) {
            String name = layout.getKey() ? "one shared run" : "a run per writer";
            ConcurrencyBench.Result[] one = layout.getValue().get(1);
            ConcurrencyBench.Result[] eight = layout.getValue().get(8);
            if (one == null || eight == null) {
                continue;
            }
            double scale = eight[0].rate() / one[0].rate();
            String scaleVerdict = sqlite ? verdict(scale >= 5, f("Concurrency on %s, %s: 8 writers do %.2f× the appends/s of one (target ≥ 5×)", backend, name, scale))
                    : postgres && layout.getKey() ? verdict(scale >= 3, f("Concurrency on %s, %s: 8 writers do %.2f× the appends/s of one (target ≥ 3×)", backend, name, scale))
                    : "information";
            double tail = eight[0].p99Nanos() / (double) one[0].p50Nanos();
            String tailVerdict = sqlite || postgres ? verdict(tail <= 4, f("Concurrency on %s, %s: p99 at 8 writers is %.2f× the 1-writer median (target ≤ 4×)", backend, name, tail))
                    : "information";
            String alone = "—";
            if (one[1] != null) {
                double g3 = one[0].p50Nanos() / (double) one[1].p50Nanos();
                alone = f("%.2f× %s", g3, verdict(g3 <= 1.1, f("G3 on %s, %s: a lone writer's append with group commit is %.2f× without (target ≤ 1.1×)", backend, name, g3)));
            }
            concurrencyVerdicts.add(f("| %s | %s | %.2f× %s | %.2f× %s | %s |", backend, name, scale, scaleVerdict, tail, tailVerdict, alone));
        }
    }

    void p6Unavailable(String backend, String why) {
        p6Unavailable.add(f("- **%s**: no fact store in this build (%s); %s", backend, why,
                verdict(false, f("P6 on %s: no fact store (%s)", backend, why))));
    }

    void p6Load(String backend, int small, long smallNanos, int large, long restNanos) {
        p6Loads.add(f("| %s | %.2f s (%,.0f facts/s) | %.2f s (%,.0f facts/s) | %.2f s (%,.0f facts/s) |", backend,
                smallNanos / 1e9, small * 1e9 / smallNanos, restNanos / 1e9, (large - small) * 1e9 / restNanos,
                (smallNanos + restNanos) / 1e9, large * 1e9 / (smallNanos + restNanos)));
    }

    private static String range(List<FactBench.Query> queries, boolean large) {
        int[] counts = queries.stream().mapToInt(q -> large ? q.matchesLarge() : q.matchesSmall()).sorted().toArray();
        return f("%,d–%,d (median %,d)", counts[0], counts[counts.length - 1], counts[counts.length / 2]);
    }

    void p6Search(String backend, String kind, List<FactBench.Query> queries, int small, int large, FactBench.Timing atSmall,
                  FactBench.Timing atLarge, boolean target) {
        p6Small = small;
        p6Large = large;
        long pairs = queries.stream().filter(q -> q.text().contains(" ")).count();
        double ratio = atLarge.stats().median() / atSmall.stats().median();
        String verdict = target ? "≤ 3.00×: " + verdict(ratio <= 3.0, f("P6 on %s: word search for rare words at %,d facts"
                + " is %.2f× its median at %,d", backend, large, ratio, small)) : "none: O(matches) by design";
        p6Search.add(f("| %s | %s: %d (%d of one word, %d of two); %,d and %,d searches timed | %s | %s | %s | %s µs | %s"
                + " | %s µs | %.2f× | %s |", backend, kind, queries.size(), queries.size() - pairs, pairs, atSmall.stats().n(),
                atLarge.stats().n(), range(queries, false), range(queries, true),
                atSmall.stats().micros(), Stats.fmt(atSmall.p90() / 1e3), atLarge.stats().micros(),
                Stats.fmt(atLarge.p90() / 1e3), ratio, verdict));
    }

    void p6Puts(String backend, Stats single, Stats keyed, Stats batch, int batchSize) {
        p6Puts.add(f("| %s | %s: %,.0f/s | %s: %,.0f/s | %s: %,.0f facts/s |", backend, single.micros(), single.perSecond(1),
                keyed.micros(), keyed.perSecond(1), batch.micros(), batch.perSecond(batchSize)));
    }

    void p6Similar(String backend, int facts, int dimensions, long loadNanos, FactBench.Timing timing) {
        p6Similar.add(f("| %s | %,d × %d dimensions | %.2f s | %s | %s µs | %s µs |", backend, facts, dimensions,
                loadNanos / 1e9, timing.stats().micros(), Stats.fmt(timing.p90() / 1e3),
                Stats.fmt(timing.stats().median() / 1e3 * 1000 / facts)));
    }

    static String machine() {
        StringBuilder m = new StringBuilder();
        int cores = Runtime.getRuntime().availableProcessors();
        long memory = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
        String cpu = "unknown CPU";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse(cpu);
        } catch (java.io.IOException ignored) {
            // not Linux: the CPU model stays unknown
        }
        m.append(f("%d cores (%s), %.0f GiB memory, %s %s, Java %s (%s)", cores, cpu, memory / (1024.0 * 1024 * 1024),
                System.getProperty("os.name"), System.getProperty("os.version"), System.getProperty("java.version"),
                System.getProperty("java.vm.name")));
        return m.toString();
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# Memoria benchmarks\n\n");
        md.append(quick ? "**Quick smoke run: too few repetitions to quote.**\n\n" : "");
        md.append("Measured on ").append(LocalDate.now()).append(" on ").append(machine()).append(".\n\n");
        md.append("Every figure is the median of many repetitions after a warm-up, with the interquartile range in"
                + " brackets; ratios use figures of this same run, and the two sides of each Memoria-versus-raw ratio"
                + " are timed alternately, repetition by repetition. Backends, one after the other in one JVM:\n\n");
        backends.forEach((name, durability) -> md.append("- **").append(name).append("**: ").append(durability).append('\n'));
        md.append("\nReproduce: `./mvnw -q -B install -DskipTests && ./mvnw -q -B -pl memoria-bench exec:java`"
                + " (add `-Dexec.args=--quick` for a one-minute smoke run).\n\n");

        if (!p1.isEmpty()) {
            md.append("## P1 — flat append: one event appended to a run that already holds N events\n\n");
            md.append("| backend | prior events | median latency (IQR) |\n|---|---:|---|\n");
            p1.forEach(r -> md.append(r).append('\n'));
            md.append("\n| backend | largest / 10 | target | verdict |\n|---|---:|---|---|\n");
            p1Ratios.forEach(r -> md.append(r).append('\n'));
        }

        if (!p2.isEmpty()) {
            md.append("\n## P2 — near the floor: Memoria against a raw insert into a similar indexed table\n\n");
            md.append("The raw baseline inserts one row (one document) into a table (collection) with the same columns,"
                    + " primary key and indexes as Memoria's events, with the same durability. Target: ≥ 0.8× its throughput.\n\n");
            md.append("| backend | append 1 | raw insert 1 | throughput ratio | append 100 | raw batch of 100 | throughput ratio |\n"
                    + "|---|---|---|---|---|---|---|\n");
            p2.forEach(r -> md.append(r).append('\n'));
        }

        if (!p3.isEmpty()) {
            md.append("\n## P3 — against Spring AI's `JdbcChatMemoryRepository` (2.0.1)\n\n");
            md.append("Adding one message to a conversation of N messages. Spring AI's chat memory saves a conversation"
                    + " with `saveAll`, which deletes and re-inserts every message; Memoria appends one row; the raw"
                    + " baseline inserts one row. Target: Memoria within 1.25× the raw insert, i.e. its lead over Spring AI"
                    + " at least 0.8× the raw insert's lead (last column).\n\n");
            md.append("| backend | N | Memoria append | raw insert | Spring AI saveAll | Memoria / raw | Spring / Memoria | Spring / raw | lead ratio |\n"
                    + "|---|---:|---|---|---|---|---:|---:|---:|\n");
            p3.forEach(r -> md.append(r).append('\n'));
            md.append("\nBuilding a conversation one message at a time, end to end, and loading its last 20 messages"
                    + " (Memoria `latest(20)` against Spring AI `findByConversationId`, which loads them all):\n\n");
            md.append("| backend | messages | Memoria | raw inserts | Spring AI | Spring / Memoria | Memoria last 20 | Spring AI load |\n"
                    + "|---|---:|---:|---:|---:|---:|---|---|\n");
            p3Build.forEach(r -> md.append(r).append('\n'));
        }

        if (!p4.isEmpty()) {
            md.append("\n## P4 — reading recent history\n\n");
            md.append("Median latency and bytes allocated per read by the calling thread (`ThreadMXBean`)."
                    + " Target on SQLite: ≤ 2 ms, allocation independent of the run's length. The context view of the"
                    + " compacted session (its summary, then the 50 events after it) targets ≤ 2× latest(50) of the"
                    + " largest run on the same backend.\n\n");
            md.append("| backend | read | median latency (IQR) | bytes / read | target |\n|---|---|---|---:|---|\n");
            p4.forEach(r -> md.append(r).append('\n'));
        }

        if (!p5.isEmpty()) {
            md.append("\n## P5 — the framework adapters: adding one message to a conversation of N messages\n\n");
            md.append("Each framework's window memory (`MessageWindowChatMemory`, 20 messages, as applications use it) over"
                    + " Memoria's store, and Memoria's native memories, beside a plain Memoria append of one event and, on the"
                    + " SQL backends, Spring AI's `JdbcChatMemoryRepository` (2.0.1) under the same window memory. The"
                    + " paths are timed in turn, one message each per repetition. Through Memoria every message stays in"
                    + " the log (checked after the run); through the JDBC repository only the last 20 remain. Keeping the"
                    + " whole conversation there means a `saveAll` of all of it: see P3. Targets: each adapter path flat"
                    + " (N = 5,000 within 1.2× of N = 10) and within 1.5× of a Memoria append.\n\n");
            md.append("| backend | N | " + String.join(" | ", AdapterBench.PATHS) + " |\n|---|---:|" + "---|".repeat(AdapterBench.PATHS.size())
                    + "\n");
            p5.forEach(r -> md.append(r).append('\n'));
            md.append("\n| backend | path | largest N / smallest N | worst / Memoria append |\n|---|---|---|---|\n");
            p5Verdicts.forEach(r -> md.append(r).append('\n'));
        }

        if (!concurrency.isEmpty()) {
            md.append("\n## Concurrency — appends per second, with group commit\n\n");
            md.append("Single-event appends by 1 to 16 writers at once, each to a run of its own or all to one shared run:"
                    + " Memoria as configured (group commit on), the same without group commit (`JdbcOptions.groupCommit(false)`,"
                    + " same database, same run of the benchmark) and a raw single-row insert into a similar table, each writer"
                    + " on its own connection, every insert its own transaction. Rates are the median of three repetitions"
                    + " (min–max); latencies (p50 / p99) pool every append of the three. Targets: SQLite at 8 writers ≥ 5×"
                    + " its 1-writer rate (both layouts); PostgreSQL one shared run at 8 writers ≥ 3× its 1-writer rate;"
                    + " p99 at 8 writers ≤ 4× the 1-writer median; a lone writer within 1.1× of its append without group"
                    + " commit (G3).\n\n");
            md.append("| backend | runs | writers | appends/s (range) | p50 / p99 µs | without group commit: appends/s (p50 / p99) | raw insert: rows/s (p50 / p99) |\n|---|---|---:|---:|---:|---:|---:|\n");
            concurrency.forEach(r -> md.append(r).append('\n'));
            md.append("\n| backend | runs | 8 writers / 1 writer | p99 at 8 / p50 at 1 | lone writer: with / without group commit (p50) |\n|---|---|---|---|---|\n");
            concurrencyVerdicts.forEach(r -> md.append(r).append('\n'));
            if (!twoProcesses.isEmpty()) {
                md.append("\nTwo processes on one SQLite file, 4 writers each, released at once (group commit groups the"
                        + " writers of one process; the processes take turns on SQLite's write lock):\n\n");
                md.append("| backend | runs | appends/s of both | p50 / p99 µs of each process |\n|---|---|---:|---|\n");
                twoProcesses.forEach(r -> md.append(r).append('\n'));
            }
        }

        if (!p6Search.isEmpty() || !p6Unavailable.isEmpty()) {
            md.append("\n## P6 — facts: word search, puts, similarity\n\n");
            md.append(f("One namespace of facts, short sentences (6 to 10 words) drawn from a seeded vocabulary of %,d"
                    + " made-up words with Zipf-like frequencies (exponent %.1f), bulk-loaded with `putAll` in batches of"
                    + " 1,000; searched at %,d facts, then grown to %,d and searched again with the same queries."
                    + " Each query is `search(FactQuery.in(ns).text(q).limit(%d))`; the queries are drawn by a seeded"
                    + " draw from the corpus, their exact match counts computed in Java, and every result checked"
                    + " against them once (in the warm-up round). Rare-word queries (a rare word, or a rare word with a"
                    + " frequent one, matching %,d to %,d facts at %,d) measure what the index costs; target: median at"
                    + " %,d within 3× of the median at %,d. Common-word queries match thousands of facts: every match"
                    + " is ranked (bm25, ts_rank) before the best 10 are returned, so their cost grows with the matches,"
                    + " by design (K10: O(matches), not O(namespace)); they are information, without a target. The"
                    + " queries of a set run in turn, round after round: at least two rounds, five unless a backend is too"
                    + " slow for them, more within a time budget.\n\n",
                    FactBench.VOCABULARY, FactBench.ZIPF, p6Small, p6Large, FactBench.LIMIT, Math.max(1, p6Large / 10_000),
                    Math.max(3, p6Large / 2_000), p6Large, p6Large, p6Small));
            p6Unavailable.forEach(r -> md.append(r).append('\n'));
            if (!p6Unavailable.isEmpty()) {
                md.append('\n');
            }
            md.append(f("| backend | queries | matches at %,d | matches at %,d | median at %,d (IQR) | p90 | median at %,d (IQR)"
                    + " | p90 | %,d / %,d | target |\n|---|---|---|---|---|---:|---|---:|---:|---|\n", p6Small, p6Large, p6Small,
                    p6Large, p6Large, p6Small));
            p6Search.forEach(r -> md.append(r).append('\n'));
            md.append(f("\nBulk load (`putAll`, batches of 1,000 facts without key), the time of the whole load:\n\n"
                    + "| backend | first %,d | %,d more, to %,d | all %,d |\n|---|---|---|---|\n", p6Small, p6Large - p6Small,
                    p6Large, p6Large));
            p6Loads.forEach(r -> md.append(r).append('\n'));
            md.append("\nPuts, one thread, in a namespace of their own: a new fact without key; a fact superseding the"
                    + " current fact of one key, the same key again and again (each put a new version, the old one kept as"
                    + " history); a `putAll` of 1,000 new facts. Median latency (IQR) and throughput at the median:\n\n"
                    + "| backend | put, new fact | put superseding a key | putAll of 1,000 |\n|---|---|---|---|\n");
            p6Puts.forEach(r -> md.append(r).append('\n'));
            md.append(f("\nSimilarity (`similarTo(text).limit(%d)`, a deterministic %d-dimension hashing embedder standing in"
                    + " for a model): vectors are compared in Java, brute force over every fact of the namespace that has"
                    + " one, so a query reads them all and its cost grows with the namespace. Median of 10 queries of"
                    + " three words, in rounds; the load embeds and puts the facts in batches of 1,000:\n\n"
                    + "| backend | facts | load | similarity query (IQR) | p90 | per 1,000 facts |\n|---|---|---:|---|---:|---:|\n",
                    FactBench.LIMIT, FactBench.DIMENSIONS));
            p6Similar.forEach(r -> md.append(r).append('\n'));
        }

        md.append("\n## Targets missed in this run\n\n");
        if (missed.isEmpty()) {
            md.append("None.\n");
        } else {
            missed.forEach(m -> md.append("- ").append(m).append('\n'));
        }
        return md.toString();
    }

    List<String> missed() {
        return missed;
    }
}
