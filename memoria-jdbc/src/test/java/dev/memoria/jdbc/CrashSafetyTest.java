package dev.memoria.jdbc;

import dev.memoria.testservers.PostgresServer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.memoria.Stores;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.run.RunRef;
import java.io.BufferedReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * X3 under a real crash: a child JVM appends and prints each acknowledged sequence; it is killed
 * with SIGKILL at a random moment, several times; every acknowledged event must then be present
 * and intact, and the log gap-free.
 */
class CrashSafetyTest {
    private static final int ROUNDS = 3;

    @TempDir
    Path dir;

    @Test
    @DisplayName("X3 (SQLite): every acknowledged append survives kill -9 of the writing process")
    void x3_sqliteKeepsEveryAcknowledgedAppendAcrossKillNine() throws Exception {
        Path file = dir.resolve("crash.db");
        killRepeatedly(List.of("sqlite", file.toString()), () -> JdbcStores.sqlite(file));
    }

    @Test
    @DisplayName("X3 (PostgreSQL): every acknowledged append survives kill -9 of the writing process")
    void x3_postgresKeepsEveryAcknowledgedAppendAcrossKillNine() throws Exception {
        String prefix = PostgresServer.freshPrefix();
        PostgresServer pg = PostgresServer.get();
        killRepeatedly(List.of("postgres", pg.url(), prefix),
                () -> JdbcStores.create(pg.dataSource(), JdbcOptions.defaults().tablePrefix(prefix)));
    }

    @Test
    @DisplayName("G2 (SQLite): every acknowledged append of 8 concurrent writers of one run survives kill -9")
    void g2_sqliteKeepsEveryAcknowledgedAppendOfConcurrentWritersAcrossKillNine() throws Exception {
        Path file = dir.resolve("crash.db");
        killRepeatedly(List.of("sqlite", file.toString()), () -> JdbcStores.sqlite(file), "threads=8");
    }

    @Test
    @DisplayName("G2 (PostgreSQL): every acknowledged append of 8 concurrent writers of one run survives kill -9")
    void g2_postgresKeepsEveryAcknowledgedAppendOfConcurrentWritersAcrossKillNine() throws Exception {
        String prefix = PostgresServer.freshPrefix();
        PostgresServer pg = PostgresServer.get();
        killRepeatedly(List.of("postgres", pg.url(), prefix),
                () -> JdbcStores.create(pg.dataSource(), JdbcOptions.defaults().tablePrefix(prefix)), "threads=8");
    }

    private void killRepeatedly(List<String> target, Supplier<Stores> reopen, String... options) throws Exception {
        Random random = new Random();
        List<ChildProcesses.Ack> acked = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            List<String> args = new ArrayList<>(target);
            args.addAll(List.of("crash-run", "round" + round, "-1"));
            args.addAll(List.of(options));
            Process child = ChildProcesses.start(args);
            int killAfter = 20 + random.nextInt(150);
            try (BufferedReader out = ChildProcesses.stdout(child)) {
                assertThat(out.readLine()).isEqualTo("ready");
                int seen = 0;
                String line;
                while (seen < killAfter && (line = out.readLine()) != null) {
                    acked.add(ChildProcesses.Ack.parse(line));
                    seen++;
                }
                child.toHandle().destroyForcibly(); // SIGKILL; the handle, unlike Process, keeps stdout readable
                assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
                while ((line = out.readLine()) != null) { // printed after commit, before death
                    if (line.startsWith("ack ")) {
                        acked.add(ChildProcesses.Ack.parse(line));
                    }
                }
            }
            assertThat(child.exitValue()).as("killed, not finished").isNotZero();
            try (Stores stores = reopen.get()) {
                List<MemoryEvent> events = stores.memory().load(new RunRef("crash-session", "agent", "crash-run")).events();
                for (int i = 0; i < events.size(); i++) {
                    assertThat(events.get(i).sequence()).as("gap-free after a crash").isEqualTo(i + 1);
                }
                Map<Long, MemoryEvent> bySequence = new java.util.HashMap<>();
                events.forEach(e -> bySequence.put(e.sequence(), e));
                int r = round;
                for (ChildProcesses.Ack ack : acked) {
                    MemoryEvent e = bySequence.get(ack.sequence());
                    assertThat(e).as("acknowledged sequence %d after round %d", ack.sequence(), r).isNotNull();
                    String tag = e.key().substring(0, e.key().indexOf('-'));
                    assertThat(e.data()).isEqualTo(CrashAppender.event(tag, ack.index()).data());
                }
            }
        }
        assertThat(acked).hasSizeGreaterThanOrEqualTo(ROUNDS * 20);
    }
}
