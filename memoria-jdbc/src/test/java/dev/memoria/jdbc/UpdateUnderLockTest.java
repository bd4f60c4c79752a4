package dev.memoria.jdbc;

import dev.memoria.testservers.PostgresServer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.memoria.Stores;
import dev.memoria.run.NewRun;
import dev.memoria.run.Run;
import dev.memoria.session.NewSession;
import dev.memoria.session.Session;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * On SQL databases {@code update(id, fn)} runs under the row's write lock: sixteen writers of one
 * record never conflict, so {@code fn} runs exactly once per update (an optimistic retry loop calls
 * it again after every lost race, and at 16 threads could run out of attempts).
 */
class UpdateUnderLockTest {
    @TempDir
    static Path dir;

    static Stream<String> backends() {
        return Stream.of("sqlite", "postgresql");
    }

    private static Stores open(String backend) {
        // NORMAL durability: the property is about the write lock, not the disk, and 20,000 fsyncs take long
        return backend.equals("sqlite") ? JdbcStores.sqlite(dir.resolve("locked.db"), JdbcOptions.defaults().durability(Durability.NORMAL))
                : JdbcStores.create(PostgresServer.get().dataSource(), JdbcOptions.defaults().tablePrefix(PostgresServer.freshPrefix()));
    }

    @ParameterizedTest
    @MethodSource("backends")
    void sixteenWritersOfOneRecordNeverRetry(String backend) throws Exception {
        int threads = 16;
        int perThread = 200;
        try (Stores stores = open(backend)) {
            Session session = stores.sessions().create(NewSession.builder().metadata("n", 0).build());
            Run run = stores.runs().create(NewRun.builder(session.id(), "agent").metadata("n", 0).build());
            AtomicInteger sessionCalls = new AtomicInteger();
            AtomicInteger runCalls = new AtomicInteger();
            AtomicInteger inside = new AtomicInteger();
            AtomicInteger mostInside = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CountDownLatch gate = new CountDownLatch(1);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    done.add(pool.submit(() -> {
                        gate.await();
                        for (int i = 0; i < perThread; i++) {
                            stores.sessions().update(session.id(), s -> {
                                sessionCalls.incrementAndGet();
                                return s.withMetadata("n", (Long) s.metadata().get("n") + 1);
                            });
                            inside.incrementAndGet();
                            mostInside.accumulateAndGet(inside.get(), Math::max);
                            stores.runs().update(run.id(), r -> {
                                runCalls.incrementAndGet();
                                return r.withMetadata("n", (Long) r.metadata().get("n") + 1);
                            });
                            inside.decrementAndGet();
                        }
                        return null;
                    }));
                }
                gate.countDown();
                for (Future<?> f : done) {
                    f.get(5, TimeUnit.MINUTES);
                }
            } finally {
                pool.shutdownNow();
            }
            int total = threads * perThread;
            assertThat(mostInside.get()).as("threads between their two updates at once").isGreaterThan(1);
            assertThat(stores.sessions().get(session.id()).orElseThrow().metadata().get("n")).isEqualTo((long) total);
            assertThat(stores.runs().get(run.id()).orElseThrow().metadata().get("n")).isEqualTo((long) total);
            assertThat(sessionCalls.get()).as("calls of the session's change function").isEqualTo(total);
            assertThat(runCalls.get()).as("calls of the run's change function").isEqualTo(total);
        }
    }
}
