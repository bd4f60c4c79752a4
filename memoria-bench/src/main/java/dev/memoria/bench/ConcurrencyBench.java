package dev.memoria.bench;

import dev.memoria.Stores;
import dev.memoria.jdbc.JdbcStores;
import dev.memoria.memory.Event;
import dev.memoria.run.RunRef;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

/**
 * Appends per second and their latency with 1 to 16 writers, a run per writer and one shared run:
 * Memoria with group commit, Memoria without it (same run, for G3), and a raw single-row insert
 * with the same threads; then two processes on one SQLite file.
 */
final class ConcurrencyBench {
    /** One measurement: the median rate of the repetitions, and the latencies of all of them. */
    record Result(double rate, double minRate, double maxRate, long p50Nanos, long p99Nanos) {
    }

    /** Writes one row per thread; a thread's own connection where the database needs one. */
    interface Writer0 {
        void write(String run, long seq) throws Exception;
    }

    private final Backend b;
    private final Bench.Config config;
    private final Report report;

    ConcurrencyBench(Backend b, Bench.Config config, Report report) {
        this.b = b;
        this.config = config;
        this.report = report;
    }

    static void run(Backend b, Bench.Config config, Report report) throws Exception {
        new ConcurrencyBench(b, config, report).run();
    }

    private void run() throws Exception {
        int[] writers = config.threads();
        // the same number of appends per measurement at every writer count: a slow backend (the
        // in-process MongoDB server does tens of appends a second) gets fewer
        int total = config.quick() ? 20 : b instanceof Backend.Mongo ? 240 : 960;
        try (Stores off = b.storesWithoutGroupCommit()) {
            for (boolean oneRun : new boolean[] {false, true}) {
                for (int n : writers) {
                    // interleaved, so that drift of the machine touches all three alike
                    int ops = Math.max(5, total / n);
                    Result with = measure(n, ops, oneRun, "on", t -> memoria(b.stores));
                    Result without = off == null ? null : measure(n, ops, oneRun, "off", t -> memoria(off));
                    Result raw = measure(n, ops, oneRun, "raw", t -> b.rawWriter());
                    report.concurrency(b.name, oneRun, n, with, without, raw);
                }
            }
        }
        if (b instanceof Backend.Sqlite sqlite && !config.quick()) {
            for (boolean oneRun : new boolean[] {false, true}) {
                report.twoProcesses(b.name, oneRun, twoProcesses(sqlite.file(), oneRun, 4, total / 8));
            }
        }
        report.concurrencyVerdicts(b.name);
    }

    private static Writer0 memoria(Stores stores) {
        return (run, seq) -> stores.memory().append(new RunRef("bench", "agent", run), List.of(Bench.message(seq)));
    }

    /** A source of each thread's writer. */
    interface Writers {
        Writer0 open(int thread) throws Exception;
    }

    private Result measure(int threads, int ops, boolean oneRun, String tag, Writers writers) throws Exception {
        int reps = 3;
        double[] rates = new double[reps];
        List<Long> latencies = new ArrayList<>();
        for (int rep = 0; rep < reps; rep++) {
            String prefix = "conc-" + tag + "-" + oneRun + "-" + threads + "-" + rep;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CountDownLatch gate = new CountDownLatch(1);
            List<Future<long[]>> futures = new ArrayList<>();
            try {
                for (int t = 0; t < threads; t++) {
                    Writer0 w = writers.open(t);
                    String run = oneRun ? prefix : prefix + "-" + t;
                    int thread = t;
                    futures.add(pool.submit(() -> {
                        long[] nanos = new long[ops];
                        gate.await();
                        for (int i = 0; i < ops; i++) {
                            long t0 = System.nanoTime();
                            w.write(run, (long) thread * ops + i + 1);
                            nanos[i] = System.nanoTime() - t0;
                        }
                        if (w instanceof AutoCloseable c) {
                            c.close();
                        }
                        return nanos;
                    }));
                }
                long t0 = System.nanoTime();
                gate.countDown();
                for (Future<long[]> f : futures) {
                    for (long n : f.get()) {
                        latencies.add(n);
                    }
                }
                long elapsed = System.nanoTime() - t0;
                rates[rep] = (double) threads * ops * 1e9 / elapsed;
            } finally {
                gate.countDown(); // a writer that could not open must not leave the others waiting
                pool.shutdownNow();
            }
        }
        Arrays.sort(rates);
        long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        return new Result(rates[1], rates[0], rates[2], sorted[sorted.length / 2], sorted[(int) Math.ceil(sorted.length * 0.99) - 1]);
    }

    /**
     * Two child processes with {@code threads} writers each on one SQLite file, released at once.
     *
     * @return appends/s of both together, and each child's p50/p99 in µs
     */
    private static String twoProcesses(Path file, boolean oneRun, int threads, int ops) throws Exception {
        String classpath = classpath();
        List<Process> children = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
            children.add(new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", classpath,
                    TwoProcessAppender.class.getName(), file.toString(), oneRun ? "two-shared" : "two-own-" + p,
                    Integer.toString(threads), Integer.toString(ops)).redirectError(ProcessBuilder.Redirect.INHERIT).start());
        }
        List<BufferedReader> outs = new ArrayList<>();
        for (Process child : children) {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String ready = out.readLine();
            Bench.check("ready".equals(ready), "two-process child ready, got " + ready);
            outs.add(out);
        }
        long t0 = System.nanoTime();
        for (Process child : children) {
            Writer in = new OutputStreamWriter(child.getOutputStream(), StandardCharsets.UTF_8);
            in.write("go\n");
            in.flush();
        }
        List<String> results = new ArrayList<>();
        for (BufferedReader out : outs) {
            results.add(out.readLine()); // "p50 p99" in nanoseconds
        }
        long elapsed = System.nanoTime() - t0;
        for (Process child : children) {
            Bench.check(child.waitFor() == 0, "two-process child exit");
        }
        double rate = 2.0 * threads * ops * 1e9 / elapsed;
        return String.format(java.util.Locale.ROOT, "%,.0f | %s", rate, results.stream().map(r -> {
            String[] parts = r.split(" ");
            return String.format(java.util.Locale.ROOT, "%,.0f / %,.0f", Long.parseLong(parts[0]) / 1e3, Long.parseLong(parts[1]) / 1e3);
        }).collect(Collectors.joining(" and ")));
    }

    private static String classpath() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader instanceof URLClassLoader urls) {
            return Arrays.stream(urls.getURLs()).map(u -> {
                try {
                    return Path.of(u.toURI()).toString();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }).collect(Collectors.joining(java.io.File.pathSeparator));
        }
        return System.getProperty("java.class.path");
    }

    /** The child of {@link #twoProcesses}: appends with N threads once released, prints "p50 p99". */
    public static final class TwoProcessAppender {
        private TwoProcessAppender() {
        }

        public static void main(String[] args) throws Exception {
            Path file = Path.of(args[0]);
            String run = args[1];
            int threads = Integer.parseInt(args[2]);
            int ops = Integer.parseInt(args[3]);
            try (Stores stores = JdbcStores.sqlite(file)) {
                System.out.println("ready");
                System.out.flush();
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
                ExecutorService pool = Executors.newFixedThreadPool(threads);
                List<Future<long[]>> futures = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    String mine = run.startsWith("two-own") ? run + "-" + t : run;
                    int thread = t;
                    futures.add(pool.submit(() -> {
                        long[] nanos = new long[ops];
                        for (int i = 0; i < ops; i++) {
                            long t0 = System.nanoTime();
                            stores.memory().append(new RunRef("bench", "agent", mine),
                                    List.of(Event.userMessage("two processes " + thread + " " + i)));
                            nanos[i] = System.nanoTime() - t0;
                        }
                        return nanos;
                    }));
                }
                List<Long> all = new ArrayList<>();
                for (Future<long[]> f : futures) {
                    for (long n : f.get()) {
                        all.add(n);
                    }
                }
                pool.shutdown();
                long[] sorted = all.stream().mapToLong(Long::longValue).sorted().toArray();
                System.out.println(sorted[sorted.length / 2] + " " + sorted[(int) Math.ceil(sorted.length * 0.99) - 1]);
                System.out.flush();
            }
        }
    }
}
