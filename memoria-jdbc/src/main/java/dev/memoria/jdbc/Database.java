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
    /**
     * SQLite parses a statement on every prepare, which costs as much as running it: statements
     * are kept per connection (Memoria's own pool, so connections are never shared). PostgreSQL's
     * driver caches server-side statements itself, and its connections may be the caller's.
     */
    private final Map<Connection, Map<String, PreparedStatement>> statements =
            java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());
    private static final int STATEMENTS_PER_CONNECTION = 64;

    Database(Dialect dialect, Tables tables, Clock clock, ConnectionSource source) {
        this.dialect = dialect;
        this.tables = tables;
        this.clock = clock;
        this.source = source;
    }

    /**
     * Prepares a statement; close it as usual. On SQLite a cached statement is returned whose
     * close only clears its parameters.
     */
    PreparedStatement prepare(Connection c, String sql) throws SQLException {
        if (dialect != Dialect.SQLITE) {
            return c.prepareStatement(sql);
        }
        Map<String, PreparedStatement> cached = statements.computeIfAbsent(c, k -> new java.util.HashMap<>());
        PreparedStatement kept = cached.get(sql);
        if (kept != null) {
            return kept;
        }
        PreparedStatement ps = c.prepareStatement(sql);
        if (cached.size() >= STATEMENTS_PER_CONNECTION) {
            return ps; // not kept: the caller's close closes it
        }
        kept = (PreparedStatement) java.lang.reflect.Proxy.newProxyInstance(PreparedStatement.class.getClassLoader(),
                new Class<?>[] {PreparedStatement.class}, (proxy, method, args) -> {
                    if (method.getName().equals("close")) {
                        ps.clearParameters();
                        return null;
                    }
                    try {
                        return method.invoke(ps, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        cached.put(sql, kept);
        return kept;
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

    <T> T read(SqlWork<T> work) {
        Connection c = acquire("read");
        try {
            return work.run(c);
        } catch (SQLException e) {
            throw SqlErrors.translate(e, dialect, "read failed");
        } finally {
            source.release(c);
        }
    }

    /**
     * Runs one statement that is its own transaction (PostgreSQL). A connection handed out with
     * auto-commit off is switched on for it and back after.
     *
     * @return the work's result, or null if the statement broke a unique constraint (SQLSTATE 23505)
     */
    <T> T autocommitUnlessDuplicate(SqlWork<T> work) {
        Connection c = acquire("write");
        boolean restore = false;
        try {
            if (!c.getAutoCommit()) {
                c.rollback();
                c.setAutoCommit(true);
                restore = true;
            }
            return work.run(c);
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) {
                return null;
            }
            throw SqlErrors.translate(e, dialect, "write failed");
        } finally {
            if (restore) {
                try {
                    c.setAutoCommit(false);
                } catch (SQLException ignored) {
                    // the connection is broken; the pool will discard it
                }
            }
            source.release(c);
        }
    }

    <T> T write(SqlWork<T> work) {
        if (dialect == Dialect.SQLITE) {
            sqliteWriter.lock();
            try {
                return sqliteWrite(work);
            } finally {
                sqliteWriter.unlock();
            }
        }
        return postgresWrite(work);
    }

    private <T> T sqliteWrite(SqlWork<T> work) {
        Connection c = acquire("write");
        boolean began = false;
        try {
            try (PreparedStatement begin = prepare(c, "BEGIN IMMEDIATE")) {
                begin.execute();
            }
            began = true;
            T result = work.run(c);
            try (PreparedStatement commit = prepare(c, "COMMIT")) {
                commit.execute();
            }
            began = false;
            return result;
        } catch (SQLException e) {
            throw SqlErrors.translate(e, dialect, "write failed");
        } finally {
            if (began) {
                rollbackQuietly(c, "ROLLBACK");
            }
            source.release(c);
        }
    }

    private <T> T postgresWrite(SqlWork<T> work) {
        Connection c = acquire("write");
        boolean restore = false;
        boolean done = false;
        try {
            if (c.getAutoCommit()) {
                c.setAutoCommit(false);
                restore = true;
            }
            T result = work.run(c);
            c.commit();
            done = true;
            return result;
        } catch (SQLException e) {
            throw SqlErrors.translate(e, dialect, "write failed");
        } finally {
            try {
                if (!done) {
                    c.rollback();
                }
                if (restore) {
                    c.setAutoCommit(true);
                }
            } catch (SQLException ignored) {
                // the connection is broken; the pool will discard it
            }
            source.release(c);
        }
    }

    private void rollbackQuietly(Connection c, String sql) {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException ignored) {
            // SQLite already rolled back (for example after SQLITE_FULL)
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
