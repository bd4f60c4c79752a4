package dev.memoria.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Concurrent appends share one transaction, and so one durable commit (G1–G3). Each caller queues
 * its append and then waits for leadership; the caller that gets it commits everything queued
 * (its own append and those of callers that arrived meanwhile, within {@link #MAX_CALLERS} and
 * {@link #MAX_EVENTS}) and hands each caller its own result. There is no timer: a caller that
 * finds nobody else queued runs its append exactly as it would alone (G3), and a group forms only
 * from callers that were already waiting while the previous commit was being made.
 *
 * <p>In a group, every caller's append runs in a savepoint of the group's transaction: a caller
 * whose append fails (a reused key with other content, a stale expectation, another session's run)
 * is rolled back to its savepoint and gets its own failure, and the others commit (G1). A caller
 * returns only after the commit that holds its events (G2); if that commit fails, every caller of
 * the group gets the failure, as a lone caller would.
 */
final class GroupCommit {
    /** The most callers whose appends one transaction holds. */
    static final int MAX_CALLERS = 64;
    /** The most events one transaction holds, so that a group's transaction stays small. */
    static final int MAX_EVENTS = 5_000;
    private static final String SAVEPOINT = "SAVEPOINT memoria_member";
    private static final String ROLLBACK_TO = "ROLLBACK TO SAVEPOINT memoria_member";
    private static final String RELEASE = "RELEASE SAVEPOINT memoria_member";

    /** Rolls a member's writes back to where its append began, inside the group's transaction. */
    interface Savepoint {
        void rollback() throws SQLException;
    }

    /** A caller's append as a member of a group: runs in the group's transaction. */
    @FunctionalInterface
    interface Member<T> {
        T run(Connection c, Savepoint savepoint) throws SQLException;
    }

    private final Database db;
    private final ReentrantLock leadership = new ReentrantLock();
    private final ConcurrentLinkedQueue<Request<?>> queue = new ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.LongAdder groups = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder grouped = new java.util.concurrent.atomic.LongAdder();

    GroupCommit(Database db) {
        this.db = db;
    }

    private static final class Request<T> {
        final int events;
        final Supplier<T> alone;
        final Member<T> member;
        T value;
        RuntimeException failure;
        volatile boolean done;

        Request(int events, Supplier<T> alone, Member<T> member) {
            this.events = events;
            this.alone = alone;
            this.member = member;
        }

        void runAlone() {
            try {
                value = alone.get();
            } catch (RuntimeException e) {
                failure = e;
            }
        }

        T outcome() {
            if (failure != null) {
                throw failure;
            }
            return value;
        }
    }

    /**
     * Runs one append, alone or in a group.
     *
     * @param events how many events it appends
     * @param alone the append as one caller makes it, with its own transactions
     * @param member the same append as a member of a group
     * @return its result
     */
    <T> T append(int events, Supplier<T> alone, Member<T> member) {
        Request<T> mine = new Request<>(events, alone, member);
        queue.add(mine);
        while (true) {
            leadership.lock();
            try {
                if (mine.done) {
                    break; // a leader committed it while this caller waited
                }
                lead();
            } finally {
                leadership.unlock();
            }
            if (mine.done) {
                break;
            }
        }
        return mine.outcome();
    }

    /** Commits what is queued, oldest first, within the limits; called with leadership held. */
    private void lead() {
        List<Request<?>> group = new ArrayList<>();
        int events = 0;
        for (Request<?> next; group.size() < MAX_CALLERS && (next = queue.peek()) != null; ) {
            if (!group.isEmpty() && events + next.events > MAX_EVENTS) {
                break;
            }
            queue.poll();
            group.add(next);
            events += next.events;
        }
        if (group.isEmpty()) {
            return;
        }
        try {
            if (group.size() == 1) {
                group.get(0).runAlone();
            } else {
                commitTogether(group);
            }
        } finally {
            for (Request<?> r : group) {
                if (r.failure == null && r.value == null) {
                    r.failure = new dev.memoria.StoreStateException("the transaction of a group of appends ended"
                            + " without an outcome for this one; it was not committed");
                }
                r.done = true;
            }
        }
    }

    private void commitTogether(List<Request<?>> group) {
        groups.increment();
        grouped.add(group.size());
        try {
            db.write(c -> {
                for (Request<?> r : group) {
                    runMember(c, r);
                }
                return Boolean.TRUE;
            });
        } catch (RuntimeException wholeGroup) {
            // the commit failed (or the transaction broke): nothing of the group is committed
            for (Request<?> r : group) {
                r.value = null;
                r.failure = wholeGroup;
            }
        } catch (Error fatal) {
            for (Request<?> r : group) {
                r.value = null;
                r.failure = new dev.memoria.StoreStateException("a group of appends failed with " + fatal
                        + "; this append was not committed");
            }
            throw fatal;
        }
    }

    private <T> void runMember(Connection c, Request<T> r) throws SQLException {
        // a rerun of the group's transaction (a connection lost before the commit) starts each member afresh
        r.value = null;
        r.failure = null;
        execute(c, SAVEPOINT);
        try {
            r.value = r.member.run(c, () -> execute(c, ROLLBACK_TO));
            execute(c, RELEASE);
        } catch (SQLException | RuntimeException memberFailure) {
            r.value = null;
            try {
                execute(c, ROLLBACK_TO);
                execute(c, RELEASE);
            } catch (SQLException transactionGone) {
                // an error that ended the whole transaction (SQLite after SQLITE_FULL, say): the group fails
                memberFailure.addSuppressed(transactionGone);
                throw memberFailure instanceof SQLException sql ? sql : new SQLException(memberFailure.getMessage(), memberFailure);
            }
            r.failure = memberFailure instanceof SQLException sql ? SqlErrors.translate(sql, db.dialect, "append failed")
                    : (RuntimeException) memberFailure;
        }
    }

    private void execute(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = db.prepare(c, sql)) {
            ps.execute();
        }
    }

    /** @return how many groups of two or more appends were committed, and how many appends they held */
    long[] statistics() {
        return new long[] {groups.sum(), grouped.sum()};
    }

    @Override
    public String toString() {
        long[] s = statistics();
        return "GroupCommit[" + s[0] + " groups, " + s[1] + " appends in them]";
    }
}
