package dev.memoria.jdbc;

import dev.memoria.spi.Json;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs units of work in transactions, the same way for every store of one backend.
 *
 * <p>SQLite has one writer at a time per file. Writers of this process take a fair in-process
 * lock first, so they queue in order instead of polling SQLite's busy handler; each write then
 * runs in {@code BEGIN IMMEDIATE}, whose busy timeout queues writers of other processes. Readers
 * never wait (WAL).
 *
 * <p>PostgreSQL writes run in READ COMMITTED transactions; rows that a write depends on are
 * locked with {@code SELECT ... FOR UPDATE}.
 */
final class Database implements AutoCloseable {
    final Dialect dialect;
    final Tables tables;
    final Clock clock;
    private final ConnectionSource source;
    private final ReentrantLock sqliteWriter = new ReentrantLock(true);

    Database(Dialect dialect, Tables tables, Clock clock, ConnectionSource source) {
        this.dialect = dialect;
        this.tables = tables;
        this.clock = clock;
        this.source = source;
    }

    /**
     * Prepares a statement; close it as usual. SQLite parses a statement on every prepare, which
     * costs as much as running it, so Memoria's own SQLite pool keeps statements per connection
     * and this returns a kept one. PostgreSQL's driver caches server-side statements itself, and
     * a DataSource's connections are wrappers that change on every checkout, so nothing is kept.
     */
    PreparedStatement prepare(Connection c, String sql) throws SQLException {
        ConnectionSource.StatementCache cache = source.statements(c);
        return cache == null ? c.prepareStatement(sql) : cache.prepare(c, sql);
    }

    /** @return the source of connections, for tests that look at the pool */
    ConnectionSource source() {
        return source;
    }

    /** @return " FOR UPDATE" on PostgreSQL, where reads inside a write must lock what they read */
    String forUpdate() {
        return dialect == Dialect.POSTGRESQL ? " FOR UPDATE" : "";
    }

    /** @return how a JSON parameter is written in SQL: PostgreSQL casts text to jsonb */
    String jsonParam() {
        return dialect == Dialect.POSTGRESQL ? "CAST(? AS jsonb)" : "?";
    }

    /** @return JSON text for a normalised value, in the form this database keeps exactly */
    String json(Object value) {
        return Json.write(value, dialect == Dialect.POSTGRESQL);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> jsonMap(String text) {
        return (Map<String, Object>) (Map<String, ?>) Json.parseObject(text);
    }

    @SuppressWarnings("unchecked")
    static Map<String, String> labels(String text) {
        return (Map<String, String>) (Map<String, ?>) Json.parseObject(text);
    }

    /**
     * Runs a read. A read that found its connection dead (a server restart, a killed backend) is
     * run once more on another connection: it changes nothing, so running it again is safe.
     */
    <T> T read(SqlWork<T> work) {
        for (int attempt = 0; ; attempt++) {
            Connection c = acquire("read");
            SQLException failure = null;
            try {
                return work.run(c);
            } catch (SQLException e) {
                failure = e;
                if (attempt == 0 && SqlErrors.isConnectionLoss(e)) {
                    continue;
                }
                throw SqlErrors.translate(e, dialect, "read failed");
            } finally {
                source.release(c, failure);
            }
        }
    }

    /**
     * Runs one statement that is its own transaction (PostgreSQL). A connection handed out with
     * auto-commit off is switched on for it and back after. Only for statements that are safe to
     * run twice (an idempotent append): one that found its connection dead is run once more on
     * another, since whether the dead connection committed it cannot be known.
     *
     * @return the work's result, or null if the statement broke a unique constraint (SQLSTATE 23505)
     */
    <T> T autocommitUnlessDuplicate(SqlWork<T> idempotentWork) {
        for (int attempt = 0; ; attempt++) {
            Connection c = acquire("write");
            boolean restore = false;
            SQLException failure = null;
            try {
                if (!c.getAutoCommit()) {
                    c.rollback();
                    c.setAutoCommit(true);
                    restore = true;
                }
                return idempotentWork.run(c);
            } catch (SQLException e) {
                if ("23505".equals(e.getSQLState())) {
                    return null;
                }
                failure = e;
                if (attempt == 0 && SqlErrors.isConnectionLoss(e)) {
                    continue;
                }
                throw SqlErrors.translate(e, dialect, "write failed");
            } finally {
                if (restore) {
                    try {
                        c.setAutoCommit(false);
                    } catch (SQLException e) {
                        failure = failure == null ? e : failure;
                    }
                }
                source.release(c, failure);
            }
        }
    }

    /** Runs a unit of work in one transaction, committed if it returns, rolled back if it throws. */
    <T> T write(SqlWork<T> work) {
        return write(work, true);
    }

    /**
     * Like {@link #write(SqlWork)}, but a null result rolls the transaction back: for work that
     * finds out half-way that another path must do the job, without an exception as a signal.
     */
    <T> T writeOrRollBack(SqlWork<T> work) {
        return write(work, false);
    }

    private <T> T write(SqlWork<T> work, boolean commitNull) {
        if (dialect == Dialect.SQLITE) {
            sqliteWriter.lock();
            try {
                return sqliteWrite(work, commitNull);
            } finally {
                sqliteWriter.unlock();
            }
        }
        return postgresWrite(work, commitNull);
    }

    private <T> T sqliteWrite(SqlWork<T> work, boolean commitNull) {
        Connection c = acquire("write");
        boolean began = false;
        SQLException failure = null;
        try {
            try (PreparedStatement begin = prepare(c, "BEGIN IMMEDIATE")) {
                begin.execute();
            }
            began = true;
            T result = work.run(c);
            if (result != null || commitNull) {
                try (PreparedStatement commit = prepare(c, "COMMIT")) {
                    commit.execute();
                }
                began = false;
            }
            return result;
        } catch (SQLException e) {
            failure = e;
            throw SqlErrors.translate(e, dialect, "write failed");
        } finally {
            if (began) {
                SQLException rollback = rollBack(c);
                failure = failure == null ? rollback : failure;
            }
            source.release(c, failure);
        }
    }

    /**
     * A transaction whose connection turns out dead before the commit is sent committed nothing
     * (the server rolls back what a lost connection left open), so it runs once more on another
     * connection; a failure during the commit is reported, since its outcome is unknown.
     */
    private <T> T postgresWrite(SqlWork<T> work, boolean commitNull) {
        for (int attempt = 0; ; attempt++) {
            Connection c = acquire("write");
            boolean restore = false;
            boolean committing = false;
            boolean done = false;
            SQLException failure = null;
            try {
                if (c.getAutoCommit()) {
                    c.setAutoCommit(false);
                    restore = true;
                }
                T result = work.run(c);
                if (result != null || commitNull) {
                    committing = true;
                    c.commit();
                    done = true;
                }
                return result;
            } catch (SQLException e) {
                failure = e;
                if (attempt == 0 && !committing && SqlErrors.isConnectionLoss(e)) {
                    continue;
                }
                throw SqlErrors.translate(e, dialect, "write failed");
            } finally {
                try {
                    if (!done) {
                        c.rollback();
                    }
                    if (restore) {
                        c.setAutoCommit(true);
                    }
                } catch (SQLException e) {
                    failure = failure == null ? e : failure;
                }
                source.release(c, failure);
            }
        }
    }

    /**
     * @return null if the rollback worked, else its failure: SQLite may have rolled back by itself
     *     (after SQLITE_FULL), and then the connection is discarded rather than trusted
     */
    private static SQLException rollBack(Connection c) {
        try (Statement s = c.createStatement()) {
            s.execute("ROLLBACK");
            return null;
        } catch (SQLException e) {
            return e;
        }
    }

    private Connection acquire(String what) {
        try {
            return source.acquire();
        } catch (SQLException e) {
            throw SqlErrors.translate(e, dialect, "cannot get a connection for a " + what);
        }
    }

    /** Maps the current row of a result set. */
    @FunctionalInterface
    interface RowMapper<T> {
        T map(java.sql.ResultSet rs) throws SQLException;
    }

    /** Runs a read query with bound parameters and maps every row. */
    <T> java.util.List<T> query(String sql, java.util.List<Object> params, RowMapper<T> mapper) {
        return read(c -> {
            java.util.List<T> out = new java.util.ArrayList<>();
            try (PreparedStatement ps = prepare(c, sql)) {
                bindAll(ps, params.toArray());
                try (java.sql.ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(mapper.map(rs));
                    }
                }
            }
            return out;
        });
    }

    static void bindAll(PreparedStatement ps, Object... values) throws SQLException {
        for (int i = 0; i < values.length; i++) {
            ps.setObject(i + 1, values[i]);
        }
    }

    @Override
    public void close() {
        source.close();
    }

    @Override
    public String toString() {
        return dialect + " via " + source + " (prefix " + tables.prefix + ")";
    }
}
