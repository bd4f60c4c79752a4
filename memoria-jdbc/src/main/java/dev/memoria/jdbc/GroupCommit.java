package dev.memoria.jdbc;

import dev.memoria.spi.GroupCommits;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Concurrent appends share one transaction, and so one durable commit (G1–G3), through core's
 * leader/follower {@link GroupCommits}: the caller that gets leadership commits everything queued
 * (within {@link #MAX_CALLERS} and {@link #MAX_EVENTS}) and hands each caller its own result. A
 * group of one runs its append exactly as a caller alone always did (G3).
 *
 * <p>In a group, every caller's append runs in a savepoint of the group's transaction: a caller
 * whose append fails (a reused key with other content, a stale expectation, another session's run)
 * is rolled back to its savepoint and gets its own failure, and the others commit (G1). A caller
 * returns only after the commit that holds its events (G2); if that commit fails, every caller of
 * the group gets the failure, as a lone caller would.
 *
 * <p>SQLite lets one transaction write at a time, so its appends form one queue. PostgreSQL
 * commits transactions of different rows in parallel and groups their WAL flushes itself, so its
 * appends queue in {@link #POSTGRES_LANES} lanes by run: appends to one run (which serialise on
 * its head row anyway) share a transaction, and appends to runs in other lanes never wait for
 * that group's commit.
 */
final class GroupCommit {
    /** The most callers whose appends one transaction holds. */
    static final int MAX_CALLERS = 64;
    /** The most events one transaction holds, so that a group's transaction stays small. */
    static final int MAX_EVENTS = 5_000;
    /**
     * PostgreSQL's queues: as many as the connections Memoria's own pool holds, so that groups of
     * different runs can all be committing at once.
     */
    static final int POSTGRES_LANES = 8;
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
    private final List<GroupCommits<Append<?>>> lanes;

    GroupCommit(Database db) {
        this.db = db;
        int count = db.dialect == Dialect.POSTGRESQL ? POSTGRES_LANES : 1;
        List<GroupCommits<Append<?>>> queues = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            queues.add(new GroupCommits<>(MAX_CALLERS, MAX_EVENTS, this::commit));
        }
        this.lanes = List.copyOf(queues);
    }

    /** @return which of {@code lanes} queues an append to this run joins */
    static int lane(String runId, int lanes) {
        return Math.floorMod(runId.hashCode(), lanes);
    }

    private static final class Append<T> extends GroupCommits.Request<T> {
        final Supplier<T> alone;
        final Member<T> member;
        T value;
        RuntimeException failure;

        Append(int events, Supplier<T> alone, Member<T> member) {
            super(events);
            this.alone = alone;
            this.member = member;
        }
    }

    /**
     * Runs one append, alone or in a group.
     *
     * @param runId the run it appends to, which picks its lane
     * @param events how many events it appends
     * @param alone the append as one caller makes it, with its own transactions
     * @param member the same append as a member of a group
     * @return its result
     */
    <T> T append(String runId, int events, Supplier<T> alone, Member<T> member) {
        return lanes.get(lane(runId, lanes.size())).submit(new Append<>(events, alone, member));
    }

    private void commit(List<Append<?>> group) {
        if (group.size() == 1) {
            runAlone(group.get(0));
            return;
        }
        try {
            db.write(c -> {
                for (Append<?> a : group) {
                    runMember(c, a);
                }
                return Boolean.TRUE;
            });
        } catch (RuntimeException wholeGroup) {
            // the commit failed (or the transaction broke): nothing of the group is committed
            group.forEach(a -> a.fail(wholeGroup));
            return;
        }
        group.forEach(GroupCommit::settle);
    }

    private static <T> void runAlone(Append<T> a) {
        try {
            a.succeed(a.alone.get());
        } catch (RuntimeException e) {
            a.fail(e);
        }
    }

    private static <T> void settle(Append<T> a) {
        if (a.failure != null) {
            a.fail(a.failure);
        } else {
            a.succeed(a.value);
        }
    }

    private <T> void runMember(Connection c, Append<T> a) throws SQLException {
        // a rerun of the group's transaction (a connection lost before the commit) starts each member afresh
        a.value = null;
        a.failure = null;
        execute(c, SAVEPOINT);
        try {
            a.value = a.member.run(c, () -> execute(c, ROLLBACK_TO));
            execute(c, RELEASE);
        } catch (SQLException | RuntimeException memberFailure) {
            a.value = null;
            try {
                execute(c, ROLLBACK_TO);
                execute(c, RELEASE);
            } catch (SQLException transactionGone) {
                // an error that ended the whole transaction (SQLite after SQLITE_FULL, say): the group fails
                memberFailure.addSuppressed(transactionGone);
                throw memberFailure instanceof SQLException sql ? sql : new SQLException(memberFailure.getMessage(), memberFailure);
            }
            a.failure = memberFailure instanceof SQLException sql ? SqlErrors.translate(sql, db.dialect, "append failed")
                    : (RuntimeException) memberFailure;
        }
    }

    private void execute(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = db.prepare(c, sql)) {
            ps.execute();
        }
    }

    @Override
    public String toString() {
        return "GroupCommit[" + lanes.size() + (lanes.size() == 1 ? " queue" : " queues by run") + ", up to "
                + MAX_CALLERS + " appends, " + MAX_EVENTS + " events per transaction]";
    }
}
