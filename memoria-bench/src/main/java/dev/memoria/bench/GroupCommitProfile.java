package dev.memoria.bench;

import dev.memoria.Stores;
import dev.memoria.run.RunRef;
import dev.memoria.session.NewSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A steady concurrent-append load to profile, not a benchmark: N writers append one event at a
 * time for a while, to one shared run or a run each, with group commit on or off, and the rate is
 * printed. Run it under Java Flight Recorder to see where the time of concurrent appends goes
 * (docs/benchmarks.md says how):
 * {@code java -XX:StartFlightRecording=filename=gc.jfr,settings=profile -cp … dev.memoria.bench.GroupCommitProfile sqlite shared 8 20 on}.
 */
public final class GroupCommitProfile {
    private GroupCommitProfile() {
    }

    /**
     * @param args backend ({@code sqlite} or {@code postgresql}), layout ({@code shared} or
     *     {@code own}), writers, seconds to measure (after 3 s of warm-up), group commit ({@code on}
     *     or {@code off})
     * @throws Exception on any failure
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: GroupCommitProfile sqlite|postgresql shared|own WRITERS SECONDS on|off");
            System.exit(2);
        }
        boolean shared = args[1].equals("shared");
        int writers = Integer.parseInt(args[2]);
        int seconds = Integer.parseInt(args[3]);
        boolean grouped = args[4].equals("on");
        Path dir = Files.createTempDirectory("memoria-profile");
        try (Backend b = args[0].equals("sqlite") ? new Backend.Sqlite(dir) : new Backend.Postgres();
             Stores off = grouped ? null : b.storesWithoutGroupCommit()) {
            Stores stores = grouped ? b.stores : off;
            stores.sessions().create(NewSession.builder().id("profile").build());
            load(stores, shared, writers, 3, "warm");
            double rate = load(stores, shared, writers, seconds, "measured");
            System.out.printf(Locale.ROOT, "%s, %s run%s, %d writers, group commit %s: %,.0f appends/s over %d s%n",
                    b.name, shared ? "one shared" : "a", shared ? "" : " per writer", writers, grouped ? "on" : "off", rate, seconds);
        }
    }

    private static double load(Stores stores, boolean shared, int writers, int seconds, String phase) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        List<Future<Long>> futures = new ArrayList<>();
        for (int t = 0; t < writers; t++) {
            RunRef run = new RunRef("profile", "agent", phase + (shared ? "" : "-" + t));
            futures.add(pool.submit(() -> {
                long n = 0;
                while (!stop.get()) {
                    stores.memory().append(run, List.of(Bench.message(n++)));
                }
                return n;
            }));
        }
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        long total = 0;
        for (Future<Long> f : futures) {
            total += f.get();
        }
        long elapsed = System.nanoTime() - t0;
        pool.shutdown();
        return total * 1e9 / elapsed;
    }
}
