package dev.memoria.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memoria.Stores;
import dev.memoria.memory.Event;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.run.RunRef;
import dev.memoria.testservers.PostgresServer;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import javax.sql.DataSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group commit seen from the statements the stores run: a lone writer runs its append as before,
 * with no savepoint (G3); concurrent writers share transactions, each in a savepoint (G1). The
 * first write of the concurrent phase is held until every writer has called append, so that a
 * group forms whatever the machine's speed: the test proves the writers overlapped.
 */
class GroupCommitTest {
    private static final int WRITERS = 8;
    private static final int ROUNDS = 25;

    @TempDir
    Path dir;

    /** Counts the statements of interest and can hold the first write until the writers are all in append. */
    private static final class Watch {
        final AtomicInteger savepoints = new AtomicInteger();
        final AtomicInteger transactions = new AtomicInteger();
        final AtomicInteger entered = new AtomicInteger();
        final AtomicInteger commits = new AtomicInteger();
        final Predicate<String> beginsAWrite;
        volatile boolean holdFirstWrite;

        Watch(Predicate<String> beginsAWrite) {
            this.beginsAWrite = beginsAWrite;
        }

        void executing(String sql) {
            if (sql.startsWith("SAVEPOINT memoria_member")) {
                savepoints.incrementAndGet();
            }
            if (beginsAWrite.test(sql)) {
                transactions.incrementAndGet();
                if (holdFirstWrite) {
                    holdFirstWrite = false;
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (entered.get() < WRITERS && System.nanoTime() < deadline) {
                        LockSupport.parkNanos(1_000_000);
                    }
                    LockSupport.parkNanos(50_000_000); // the last ones to enter reach the queue
                }
            }
        }

        Connection wrap(Connection c) {
            return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                    (proxy, method, args) -> {
                        if (method.getName().equals("commit")) {
                            commits.incrementAndGet();
                        }
                        Object result = invoke(c, method, args);
                        if (method.getName().equals("prepareStatement") && args.length >= 1) {
                            String sql = (String) args[0];
                            PreparedStatement ps = (PreparedStatement) result;
                            return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {PreparedStatement.class},
                                    (p, m, a) -> {
                                        if (m.getName().startsWith("execute")) {
                                            executing(sql);
                                        }
                                        return invoke(ps, m, a);
                                    });
                        }
                        return result;
                    });
        }

        DataSource wrap(DataSource ds) {
            return (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class},
                    (proxy, method, args) -> {
                        Object result = invoke(ds, method, args);
                        return method.getName().equals("getConnection") ? wrap((Connection) result) : result;
                    });
        }

        private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
    }

    @Test
    @DisplayName("G1/G3 (SQLite): a lone writer uses no savepoint; concurrent writers share transactions")
    void sqliteGroupsConcurrentAppends() throws Exception {
        Watch watch = new Watch(sql -> sql.equals("BEGIN IMMEDIATE"));
        try (Stores stores = JdbcStores.sqlite(dir.resolve("g.db"), JdbcOptions.defaults(), watch::wrap, null)) {
            proveGrouping(stores, watch, false);
        }
    }

    @Test
    @DisplayName("groupCommit(false): concurrent appends each run in their own transaction, as before group commit")
    void groupCommitCanBeTurnedOff() throws Exception {
        Watch watch = new Watch(sql -> sql.equals("BEGIN IMMEDIATE"));
        try (Stores stores = JdbcStores.sqlite(dir.resolve("off.db"), JdbcOptions.defaults().groupCommit(false), watch::wrap, null)) {
            stores.sessions().create(dev.memoria.session.NewSession.builder().id("s").build());
            CyclicBarrier together = new CyclicBarrier(WRITERS);
            ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < WRITERS; t++) {
                    futures.add(pool.submit(() -> {
                        for (int r = 0; r < 5; r++) {
                            together.await();
                            stores.memory().append(new RunRef("s", "agent", "shared"), List.of(Event.userMessage("m")));
                        }
                        return null;
                    }));
                }
                for (Future<?> f : futures) {
                    f.get(1, TimeUnit.MINUTES);
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(watch.savepoints).hasValue(0);
            assertThat(stores.memory().load(new RunRef("s", "agent", "shared")).events()).hasSize(WRITERS * 5);
        }
    }

    @Test
    @DisplayName("G1/G3 (PostgreSQL): a lone writer uses no savepoint; concurrent writers share transactions")
    void postgresGroupsConcurrentAppends() throws Exception {
        PostgresServer pg = PostgresServer.get();
        // an append alone is one auto-committed statement; a group is one transaction (a commit)
        // whose members each run the same statement in a savepoint
        Watch watch = new Watch(sql -> sql.startsWith("WITH h AS"));
        try (Stores stores = JdbcStores.create(watch.wrap(pg.dataSource()),
                JdbcOptions.defaults().tablePrefix(PostgresServer.freshPrefix()))) {
            proveGrouping(stores, watch, true);
        }
    }

    @Test
    @DisplayName("G1 (PostgreSQL): an append to one run never waits for another run's commit in its lane")
    void postgresRunsOfOtherLanesCommitInParallel() throws Exception {
        PostgresServer pg = PostgresServer.get();
        String prefix = PostgresServer.freshPrefix();
        try (Stores stores = JdbcStores.create(pg.dataSource(), JdbcOptions.defaults().tablePrefix(prefix));
             Connection blocker = pg.dataSource().getConnection();
             Connection watcher = pg.dataSource().getConnection()) {
            stores.sessions().create(dev.memoria.session.NewSession.builder().id("s").build());
            String held = "held";
            String other = "other-0";
            for (int i = 1; i < 100 && GroupCommit.lane(other, GroupCommit.POSTGRES_LANES) == GroupCommit.lane(held, GroupCommit.POSTGRES_LANES); i++) {
                other = "other-" + i;
            }
            RunRef heldRun = new RunRef("s", "agent", held);
            RunRef otherRun = new RunRef("s", "agent", other);
            stores.memory().append(heldRun, List.of(Event.userMessage("first")));
            stores.memory().append(otherRun, List.of(Event.userMessage("first")));

            // another transaction holds the held run's head row: its next append waits on the lock
            blocker.setAutoCommit(false);
            try (PreparedStatement lock = blocker.prepareStatement("SELECT last_seq FROM " + prefix + "run_heads WHERE run_id = ? FOR UPDATE")) {
                lock.setString(1, held);
                lock.executeQuery().close();
            }
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                Future<List<MemoryEvent>> waiting = pool.submit(() -> stores.memory().append(heldRun, List.of(Event.userMessage("second"))));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!waitsOnALock(watcher, prefix) && System.nanoTime() < deadline) {
                    LockSupport.parkNanos(5_000_000);
                }
                assertThat(waitsOnALock(watcher, prefix)).as("the held run's append waits on the row lock").isTrue();

                Future<List<MemoryEvent>> free = pool.submit(() -> stores.memory().append(otherRun, List.of(Event.userMessage("second"))));
                assertThat(free.get(20, TimeUnit.SECONDS)).singleElement()
                        .satisfies(e -> assertThat(e.sequence()).isEqualTo(2));
                assertThat(waiting).as("still held while the other run committed").isNotDone();

                blocker.rollback();
                assertThat(waiting.get(20, TimeUnit.SECONDS)).singleElement()
                        .satisfies(e -> assertThat(e.sequence()).isEqualTo(2));
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /**
     * Whether a statement on the prefix's head rows waits on a lock. Asked outside the blocker's
     * transaction, which would keep seeing the activity of its first read.
     */
    private static boolean waitsOnALock(Connection watcher, String prefix) throws Exception {
        try (PreparedStatement ps = watcher.prepareStatement("SELECT count(*) FROM pg_stat_activity"
                + " WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid() AND query LIKE ?")) {
            ps.setString(1, "%" + prefix + "run_heads%");
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1) > 0;
            }
        }
    }

    private static void proveGrouping(Stores stores, Watch watch, boolean postgres) throws Exception {
        stores.sessions().create(dev.memoria.session.NewSession.builder().id("s").build());
        RunRef lone = new RunRef("s", "agent", "lone");
        for (int i = 0; i < 20; i++) {
            stores.memory().append(lone, List.of(Event.userMessage("alone " + i)));
        }
        assertThat(watch.savepoints).as("a lone writer's appends run as they always did").hasValue(0);

        RunRef shared = new RunRef("s", "agent", "shared");
        watch.transactions.set(0);
        watch.commits.set(0);
        watch.savepoints.set(0);
        watch.holdFirstWrite = true;
        CyclicBarrier together = new CyclicBarrier(WRITERS);
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        try {
            List<Future<List<Long>>> futures = new ArrayList<>();
            for (int t = 0; t < WRITERS; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    List<Long> mine = new ArrayList<>();
                    for (int r = 0; r < ROUNDS; r++) {
                        together.await();
                        if (r == 0) {
                            watch.entered.incrementAndGet();
                        }
                        RunRef run = thread % 2 == 0 ? shared : new RunRef("s", "agent", "own-" + thread);
                        List<MemoryEvent> stored = stores.memory().append(run, List.of(Event.userMessage("t" + thread + " r" + r),
                                Event.assistantMessage("ok")));
                        assertThat(stored.get(1).sequence()).isEqualTo(stored.get(0).sequence() + 1);
                        mine.add(stored.get(0).sequence());
                    }
                    return mine;
                }));
            }
            for (Future<List<Long>> f : futures) {
                f.get(2, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        int appends = WRITERS * ROUNDS;
        assertThat(watch.savepoints.get()).as("appends that ran in a group's savepoint").isPositive();
        int transactions = postgres
                ? watch.transactions.get() - watch.savepoints.get() + watch.commits.get()
                : watch.transactions.get();
        assertThat(transactions).as("write transactions for %d concurrent appends", appends).isLessThan(appends);
        assertThat(stores.memory().load(shared).events()).hasSize(WRITERS / 2 * ROUNDS * 2);
        for (int t = 1; t < WRITERS; t += 2) {
            assertThat(stores.memory().load(new RunRef("s", "agent", "own-" + t)).events()).hasSize(ROUNDS * 2);
        }
    }
}
