package dev.memoria.jdbc;

import dev.memoria.testservers.PostgresServer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.memoria.StoreUnavailableException;
import dev.memoria.Stores;
import dev.memoria.memory.Event;
import dev.memoria.memory.EventType;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.run.RunRef;
import dev.memoria.session.NewSession;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stores opened from a {@code jdbc:postgresql:} URI recover by themselves from a server restart
 * and from killed connections, and a batch cut off by a lost connection is all there or not at all.
 */
class PostgresRecoveryTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("A store opened from a URI keeps working after the PostgreSQL server restarts under it")
    void aStoreRecoversFromAServerRestart() throws Exception {
        // a server of this test's own: the shared one (or MEMORIA_POSTGRES_URL's) is not ours to restart
        Path data = dir.resolve("pgdata");
        EmbeddedPostgres server = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).start();
        int port = server.getPort();
        String url = server.getJdbcUrl("postgres", "postgres");
        try (Stores stores = Stores.open(url)) {
            stores.sessions().create(NewSession.builder().id("before").build());
            server.close();
            server = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).setPort(port).start();
            // the pool's connections all died with the old server; the next call gets a live one
            assertThat(stores.sessions().get("before")).isPresent();
            stores.sessions().create(NewSession.builder().id("after").build());
            assertThat(stores.sessions().get("after")).isPresent();
        } finally {
            server.close();
        }
    }

    @Test
    @DisplayName("Connections killed in the middle of 1,000-event batches: the store recovers and every batch is there once or not at all")
    void killedConnectionsLeaveEveryBatchWholeOrAbsent() throws Exception {
        String application = "memoria-kill-" + ProcessHandle.current().pid();
        String prefix = PostgresServer.freshPrefix();
        String base = PostgresServer.get().url();
        String url = base + (base.contains("?") ? "&" : "?") + "ApplicationName=" + application + "&prefix=" + prefix;
        RunRef run = new RunRef("s", "agent", "r");
        int minimumBatches = 30;
        int minimumKills = 3;
        AtomicBoolean appending = new AtomicBoolean(true);
        AtomicInteger killed = new AtomicInteger();
        // at most one kill per batch: on a slow machine a 1,000-event append takes longer than
        // the killer's pause, and killing every retry of one batch would never let it through
        AtomicInteger currentBatch = new AtomicInteger(-1);
        AtomicInteger lastKilledBatch = new AtomicInteger(-1);
        // only backends in the middle of a statement or a transaction are killed, so every kill
        // counted cut an append off; an idle pooled connection killed would prove nothing
        Thread killer = new Thread(() -> {
            try (Connection admin = DriverManager.getConnection(base); PreparedStatement kill = admin.prepareStatement(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                            + " WHERE application_name = ? AND state <> 'idle'")) {
                kill.setString(1, application);
                while (appending.get()) {
                    LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(5_000_000, 60_000_000));
                    int batch = currentBatch.get();
                    if (batch < 0 || batch == lastKilledBatch.get()) {
                        continue;
                    }
                    try (var rs = kill.executeQuery()) {
                        rs.next();
                        int n = rs.getInt(1);
                        if (n > 0) {
                            killed.addAndGet(n);
                            lastKilledBatch.set(batch);
                        }
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Map<Integer, List<Event>> written = new HashMap<>();
        try (Stores stores = Stores.open(url)) {
            killer.start();
            // the store reruns a transaction cut off before its commit by itself, so how many
            // appends fail for the caller depends on timing; the loop goes on until enough appends
            // were cut off, whatever the machine's speed, rather than for a fixed time
            int batches = 0;
            for (int b = 0; b < minimumBatches || killed.get() < minimumKills; b++) {
                assertThat(b).as("batches appended waiting for %d kills", minimumKills).isLessThan(2_000);
                batches++;
                currentBatch.set(b);
                List<Event> batch = new ArrayList<>();
                for (int i = 0; i < 1000; i++) {
                    batch.add(new Event("b" + b + "-" + i, EventType.TOOL_RESULT, null,
                            Map.of("batch", (long) b, "i", (long) i, "pad", "x".repeat(200)), Map.of()));
                }
                written.put(b, batch);
                for (int attempt = 0; ; attempt++) {
                    try {
                        stores.memory().append(run, batch);
                        break;
                    } catch (StoreUnavailableException lost) {
                        // the connection died under the append: it may or may not have committed,
                        // and the same batch again (same keys) is the safe retry
                        assertThat(lost.retryable()).as("%s", lost).isTrue();
                        assertThat(attempt).as("attempts at batch %d", b).isLessThan(200);
                    }
                }
            }
            appending.set(false);
            killer.join();
            // the killer is gone: the store works at once, without being reopened
            assertThat(stores.memory().append(run, List.of(Event.userMessage("calm again"))).get(0).sequence())
                    .isEqualTo(batches * 1000L + 1);
            List<MemoryEvent> events = stores.memory().load(run).events();
            assertThat(events).hasSize(batches * 1000 + 1);
            for (int i = 0; i < events.size(); i++) {
                assertThat(events.get(i).sequence()).isEqualTo(i + 1);
            }
            Map<Long, Integer> perBatch = new HashMap<>();
            events.stream().filter(e -> e.data().containsKey("batch"))
                    .forEach(e -> perBatch.merge((Long) e.data().get("batch"), 1, Integer::sum));
            assertThat(perBatch).hasSize(batches).allSatisfy((b, n) -> assertThat(n).as("events of batch %d", b).isEqualTo(1000));
        } finally {
            appending.set(false);
            killer.join();
        }
        assertThat(killed.get()).as("appends the killer cut off").isGreaterThanOrEqualTo(minimumKills);
    }
}
