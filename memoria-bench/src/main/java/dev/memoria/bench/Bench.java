package dev.memoria.bench;

import dev.memoria.Limits;
import dev.memoria.Stores;
import dev.memoria.memory.Event;
import dev.memoria.context.Context;
import dev.memoria.context.View;
import dev.memoria.memory.EventQuery;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.run.RunRef;
import dev.memoria.runtime.AgentRuntime;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.springframework.ai.chat.memory.repository.jdbc.JdbcChatMemoryRepository;
import org.springframework.ai.chat.memory.repository.jdbc.PostgresChatMemoryRepositoryDialect;
import org.springframework.ai.chat.memory.repository.jdbc.SqliteChatMemoryRepositoryDialect;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Runs every benchmark on SQLite, PostgreSQL and MongoDB's in-process server in one JVM, one after
 * the other, and writes a Markdown report. Each figure is a median over many repetitions after a
 * warm-up, with its interquartile range; ratios come from figures of the same run.
 *
 * <pre>
 * ./mvnw -q -pl memoria-bench -am install -DskipTests &amp;&amp; ./mvnw -q -pl memoria-bench exec:java [-Dexec.args=--quick]
 * </pre>
 */
public final class Bench {
    /** How much work each benchmark does. */
    record Config(boolean quick, int[] p1Sizes, int warmup, int reps, int batchReps, int[] p3Sizes, int springReps,
                  int buildSqlite, int buildPostgres, int p4Reps, int[] threads, int opsPerThread, P6 p6) {
        static Config fullRun() {
            return new Config(false, new int[] {10, 1_000, 10_000, 100_000}, 100, 400, 100, new int[] {10, 100, 1_000, 5_000},
                    40, 5_000, 2_000, 300, new int[] {1, 2, 4, 8, 16}, 100, P6.FULL);
        }

        static Config quickRun() {
            return new Config(true, new int[] {10, 1_000}, 10, 40, 10, new int[] {10, 100}, 5, 100, 100, 30,
                    new int[] {1, 4}, 10, P6.QUICK);
        }
    }

    /**
     * How much work P6 (facts) does: word search at {@code small} and {@code large} facts, each
     * query set timed for {@code minRounds} to {@code maxRounds} rounds within a time budget; puts;
     * similarity over {@code similarFacts} facts.
     */
    record P6(int small, int large, int minRounds, int maxRounds, long searchBudgetMillis, int putWarmup, int putReps,
              int batchReps, int similarFacts, int similarRounds) {
        static final P6 FULL = new P6(10_000, 100_000, 5, 30, 4_000, 30, 300, 8, 10_000, 3);
        static final P6 QUICK = new P6(1_000, 5_000, 2, 5, 1_000, 5, 30, 2, 1_000, 1);
    }

    private final Config config;
    private final Report report;

    Bench(Config config, Report report) {
        this.config = config;
        this.report = report;
    }

    /**
     * @param args {@code --quick} for a one-minute smoke run; {@code --out FILE} (default docs/benchmarks.md);
     *     {@code --only P5} (or P1 … P4, P6, CONCURRENCY) to run one benchmark (its report goes to target/ then)
     * @throws Exception on any failure
     */
    public static void main(String[] args) throws Exception {
        boolean quick = List.of(args).contains("--quick");
        int outAt = List.of(args).indexOf("--out");
        boolean partial = List.of(args).contains("--only");
        Path out = outAt >= 0 ? Path.of(args[outAt + 1])
                : Path.of(quick ? "target/benchmarks-quick.md" : partial ? "target/benchmarks-partial.md" : "docs/benchmarks.md");
        int onlyAt = List.of(args).indexOf("--only");
        String only = onlyAt >= 0 ? args[onlyAt + 1].toUpperCase(Locale.ROOT) : null;
        Report report = run(quick ? Config.quickRun() : Config.fullRun(), List.of("sqlite", "postgresql", "mongodb"), only);
        String markdown = report.markdown();
        System.out.println(markdown);
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        Files.writeString(out, markdown, StandardCharsets.UTF_8);
        System.out.println("Written to " + out.toAbsolutePath());
    }

    static Report run(Config config, List<String> which) throws Exception {
        return run(config, which, null);
    }

    /** @param only a benchmark's name (P1 … P6, or CONCURRENCY) to run alone, or null for all */
    static Report run(Config config, List<String> which, String only) throws Exception {
        Report report = new Report(config.quick());
        Bench bench = new Bench(config, report);
        Path dir = Files.createTempDirectory("memoria-bench");
        for (String name : which) {
            try (Backend b = switch (name) {
                case "sqlite" -> new Backend.Sqlite(dir.resolve("sqlite"));
                case "postgresql" -> new Backend.Postgres();
                default -> new Backend.Mongo();
            }) {
                if (b instanceof Backend.Postgres pg) {
                    b.durability = pg.settings();
                }
                System.err.println("benchmarking " + b.name + " (" + b.durability + ")");
                report.backend(b.name, b.durability);
                if (only == null || only.equals("P1") || only.equals("P4")) {
                    bench.p1AndP4(b);
                }
                if (only == null || only.equals("P2")) {
                    bench.p2(b);
                }
                if (b.dataSource() != null && (only == null || only.equals("P3"))) {
                    bench.p3(b);
                }
                if (only == null || only.equals("P5")) {
                    AdapterBench.run(b, config, report);
                }
                if (only == null || only.equals("CONCURRENCY")) {
                    ConcurrencyBench.run(b, config, report);
                }
                if (only == null || only.equals("P6")) {
                    FactBench.run(b, config.p6(), report); // last: its 100,000 facts stay out of the other figures
                }
            }
        }
        return report;
    }

    static long[] time(int warmup, int reps, ThrowingRunnable op) throws Exception {
        for (int i = 0; i < warmup; i++) {
            op.run();
        }
        long[] nanos = new long[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            op.run();
            nanos[i] = System.nanoTime() - t0;
        }
        return nanos;
    }

    /**
     * Times two operations alternately, A then B, repetition after repetition, so that both see
     * the same conditions (checkpoints, caches, background work) rather than one running first.
     */
    private static Stats[] timePair(int warmup, int reps, ThrowingRunnable a, ThrowingRunnable b) throws Exception {
        for (int i = 0; i < warmup; i++) {
            a.run();
            b.run();
        }
        long[] first = new long[reps];
        long[] second = new long[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            a.run();
            long t1 = System.nanoTime();
            b.run();
            long t2 = System.nanoTime();
            first[i] = t1 - t0;
            second[i] = t2 - t1;
        }
        return new Stats[] {Stats.of(first), Stats.of(second)};
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }

    static Event message(long i) {
        return Event.userMessage("message " + i + " with some ordinary chat text in it, about sixty bytes");
    }

    private static void fill(Stores stores, RunRef run, int count) {
        for (int from = 0; from < count; from += Limits.MAX_EVENTS_PER_APPEND) {
            List<Event> batch = new ArrayList<>();
            for (int i = from; i < Math.min(count, from + Limits.MAX_EVENTS_PER_APPEND); i++) {
                batch.add(message(i));
            }
            stores.memory().append(run, batch);
        }
    }

    private static long lastSequence(Stores stores, RunRef run) {
        List<MemoryEvent> last = stores.memory().read(EventQuery.run(run).latest(1)).items();
        return last.isEmpty() ? 0 : last.get(0).sequence();
    }

    /** P1 (flat append) and, on the same runs, P4 (reading recent history). */
    void p1AndP4(Backend b) throws Exception {
        Stores stores = b.stores;
        List<Stats> appends = new ArrayList<>();
        RunRef largest = null;
        for (int size : config.p1Sizes()) {
            RunRef run = new RunRef("bench", "agent", "p1-" + size);
            fill(stores, run, size);
            check(lastSequence(stores, run) == size, "prefill of " + size);
            long[] seq = {size};
            Stats s = Stats.of(time(config.warmup(), config.reps(), () -> stores.memory().append(run, List.of(message(++seq[0])))));
            check(lastSequence(stores, run) == size + config.warmup() + config.reps(), "appends after " + size);
            appends.add(s);
            report.p1(b.name, size, s);
            largest = run;
        }
        report.p1Ratio(b.name, appends.get(appends.size() - 1).median() / appends.get(0).median(),
                config.p1Sizes()[config.p1Sizes().length - 1]);

        // P4 on the largest and the smallest run: latency and bytes allocated per read
        RunRef small = new RunRef("bench", "agent", "p1-" + config.p1Sizes()[0]);
        AgentRuntime runtime = AgentRuntime.create(stores);
        Stats latestOfLargest = null;
        for (RunRef run : List.of(small, largest)) {
            long events = lastSequence(stores, run);
            RunRef r = run;
            Stats latest = Stats.of(time(config.warmup(), config.p4Reps(), () -> {
                List<MemoryEvent> got = stores.memory().read(EventQuery.run(r).latest(50)).items();
                check(got.size() == Math.min(50, events) && got.get(got.size() - 1).sequence() == events, "latest(50)");
            }));
            long latestBytes = allocatedPerOp(config.p4Reps(), () -> stores.memory().read(EventQuery.run(r).latest(50)));
            report.p4(b.name, "latest(50) on a " + String.format(Locale.ROOT, "%,d", events) + "-event run", latest, latestBytes);
            latestOfLargest = latest;
        }
        long sessionEvents = 0;
        for (int size : config.p1Sizes()) {
            sessionEvents += lastSequence(stores, new RunRef("bench", "agent", "p1-" + size));
        }
        Stats history = Stats.of(time(config.warmup(), config.p4Reps(), () -> check(runtime.history("bench", 50).size() == 50, "history")));
        long historyBytes = allocatedPerOp(config.p4Reps(), () -> runtime.history("bench", 50));
        report.p4(b.name, "runtime history window (50) of a " + String.format(Locale.ROOT, "%,d", sessionEvents)
                + "-event session", history, historyBytes);

        // the context view (C8) of the same session once compacted: the summary, then what follows it
        Context context = Context.of(stores);
        if (stores.sessions().get("bench").isEmpty()) {
            stores.sessions().create(dev.memoria.session.NewSession.builder().id("bench").build()); // markers need a session record
        }
        List<MemoryEvent> recent = context.view("bench", 100).events();
        context.compact("bench", recent.get(40), "the story so far", "bench");
        int expected = 1 + Math.min(50, recent.size() - 41);
        Stats view = Stats.of(time(config.warmup(), config.p4Reps(), () -> {
            View v = context.view("bench", 50);
            check(v.events().size() == expected && v.summary().isPresent(), "view of the compacted session: " + v.events().size());
        }));
        long viewBytes = allocatedPerOp(config.p4Reps(), () -> context.view("bench", 50));
        report.p4View(b.name, "view(50) of the " + String.format(Locale.ROOT, "%,d", sessionEvents)
                + "-event session after a compaction", view, viewBytes, latestOfLargest);
    }

    private static long allocatedPerOp(int reps, ThrowingRunnable op) throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long[] perOp = new long[reps];
        for (int i = 0; i < reps; i++) {
            long before = threads.getThreadAllocatedBytes(id);
            op.run();
            perOp[i] = threads.getThreadAllocatedBytes(id) - before;
        }
        return (long) Stats.of(perOp).median();
    }

    /** P2: Memoria's single and 100-event appends against a raw insert into a similar table. */
    void p2(Backend b) throws Exception {
        RunRef run = new RunRef("bench", "agent", "p2");
        long[] seq = {0};
        long[] rawSeq = {0};
        Stats[] singles = timePair(config.warmup(), config.reps(),
                () -> b.stores.memory().append(run, List.of(message(++seq[0]))), () -> b.rawInsert("p2-raw", ++rawSeq[0]));
        Stats single = singles[0];
        Stats raw = singles[1];
        RunRef batchRun = new RunRef("bench", "agent", "p2-batch");
        long[] bseq = {0};
        long[] rbseq = {0};
        Stats[] batches = timePair(config.warmup() / 10 + 1, config.batchReps(), () -> {
            List<Event> events = new ArrayList<>(100);
            for (int i = 0; i < 100; i++) {
                events.add(message(++bseq[0]));
            }
            b.stores.memory().append(batchRun, events);
        }, () -> {
            b.rawBatch("p2-raw-batch", rbseq[0] + 1, 100);
            rbseq[0] += 100;
        });
        Stats batch = batches[0];
        Stats rawBatch = batches[1];
        check(lastSequence(b.stores, batchRun) == bseq[0], "batch appends");
        report.p2(b.name, single, raw, batch, rawBatch);
    }

    /** P3: adding one message to a conversation of N, against Spring AI's JdbcChatMemoryRepository and a raw insert. */
    void p3(Backend b) throws Exception {
        JdbcTemplate jdbc = new JdbcTemplate(b.dataSource());
        String schema = new String(Bench.class.getResourceAsStream("/org/springframework/ai/chat/memory/repository/jdbc/schema-"
                + b.springDialect() + ".sql").readAllBytes(), StandardCharsets.UTF_8);
        for (String statement : schema.split(";")) {
            if (!statement.isBlank()) {
                jdbc.execute(statement);
            }
        }
        JdbcChatMemoryRepository spring = JdbcChatMemoryRepository.builder().jdbcTemplate(jdbc)
                .dialect(b.springDialect().equals("sqlite") ? new SqliteChatMemoryRepositoryDialect()
                        : new PostgresChatMemoryRepositoryDialect()).build();
        for (int n : config.p3Sizes()) {
            String conversation = "p3-" + n;
            List<Message> messages = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                messages.add(i % 2 == 0 ? new UserMessage("question " + i) : new AssistantMessage("answer " + i));
            }
            spring.saveAll(conversation, messages);
            List<Message> plusOne = new ArrayList<>(messages);
            plusOne.add(new UserMessage("one more question"));
            int springReps = Math.max(5, Math.min(config.reps(), config.springReps() * 5000 / Math.max(n, 1000)));
            Stats springStats = Stats.of(time(Math.max(2, springReps / 10), springReps, () -> spring.saveAll(conversation, plusOne)));
            check(spring.findByConversationId(conversation).size() == n + 1, "spring conversation size");

            RunRef run = new RunRef("bench", "agent", "p3-" + n);
            fill(b.stores, run, n);
            long[] seq = {n};
            long[] rawSeq = {0};
            Stats[] pair = timePair(config.warmup(), config.reps(),
                    () -> b.stores.memory().append(run, List.of(message(++seq[0]))), () -> b.rawInsert("p3-raw-" + n, ++rawSeq[0]));
            Stats memoria = pair[0];
            Stats raw = pair[1];
            report.p3(b.name, n, memoria, raw, springStats);
        }
        int build = b.springDialect().equals("sqlite") ? config.buildSqlite() : config.buildPostgres();
        String conversation = "p3-build";
        List<Message> growing = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < build; i++) {
            growing.add(i % 2 == 0 ? new UserMessage("question " + i) : new AssistantMessage("answer " + i));
            spring.saveAll(conversation, growing);
        }
        long springBuild = System.nanoTime() - t0;
        RunRef run = new RunRef("bench", "agent", "p3-build");
        t0 = System.nanoTime();
        for (int i = 0; i < build; i++) {
            b.stores.memory().append(run, List.of(message(i)));
        }
        long memoriaBuild = System.nanoTime() - t0;
        t0 = System.nanoTime();
        for (int i = 0; i < build; i++) {
            b.rawInsert("p3-build-raw", i + 1);
        }
        long rawBuild = System.nanoTime() - t0;
        Stats memoriaLoad = Stats.of(time(config.warmup(), config.p4Reps(), () -> b.stores.memory().read(EventQuery.run(run).latest(20))));
        Stats springLoad = Stats.of(time(Math.min(config.warmup(), 10), Math.min(config.p4Reps(), 60),
                () -> spring.findByConversationId(conversation)));
        report.p3Build(b.name, build, memoriaBuild, rawBuild, springBuild, memoriaLoad, springLoad);
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("benchmark self-check failed: " + what);
        }
    }
}
