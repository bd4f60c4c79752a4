package dev.memoria.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * Where connections come from: a DataSource (the user's, never closed by Memoria, or the HikariCP
 * pool Memoria opens for a {@code jdbc:postgresql:} URI, closed with the stores), or Memoria's own
 * bounded pool of SQLite connections.
 *
 * <p>A unit of work that failed with a {@link SQLException} gives its connection back as
 * <em>broken</em>: Memoria's pool closes it (and the statements it cached, which a failure such as
 * SQLITE_FULL can leave unusable) and opens a fresh one next time; a DataSource's pool decides
 * for itself (HikariCP evicts connections whose errors say they are dead, and validates idle ones
 * before handing them out).
 */
interface ConnectionSource extends AutoCloseable {
    Connection acquire() throws SQLException;

    /**
     * @param connection a connection from {@link #acquire()}
     * @param failure the SQLException a unit of work on it failed with, or null
     */
    void release(Connection connection, SQLException failure);

    /**
     * @param connection a connection from {@link #acquire()}
     * @return the statements kept for this connection, or null where statements are not kept (a
     *     DataSource's connections are wrappers that change on every checkout)
     */
    StatementCache statements(Connection connection);

    @Override
    void close();

    /** @return how many prepared statements are kept for later calls, over every connection */
    default int cachedStatements() {
        return 0;
    }

    /**
     * @param dataSource where connections come from
     * @param onAcquire run on every connection handed out (SQLite's per-connection settings), or null
     * @param owned whether closing the stores closes the DataSource (one Memoria created)
     */
    static ConnectionSource of(DataSource dataSource, SqlWork<Void> onAcquire, boolean owned) {
        return new ConnectionSource() {
            @Override
            public Connection acquire() throws SQLException {
                Connection c = dataSource.getConnection();
                if (onAcquire != null) {
                    try {
                        onAcquire.run(c);
                    } catch (SQLException | RuntimeException e) {
                        closeQuietly(c);
                        throw e;
                    }
                }
                return c;
            }

            @Override
            public void release(Connection connection, SQLException failure) {
                closeQuietly(connection); // back to the DataSource's pool, which checks it itself
                if (owned && failure != null && SqlErrors.isConnectionLoss(failure)
                        && dataSource instanceof com.zaxxer.hikari.HikariDataSource hikari) {
                    // one dead connection after a server restart means its idle siblings are dead
                    // too: replace them all now rather than fail one call for each
                    hikari.getHikariPoolMXBean().softEvictConnections();
                }
            }

            @Override
            public StatementCache statements(Connection connection) {
                return null;
            }

            @Override
            public void close() {
                if (owned && dataSource instanceof AutoCloseable closeable) {
                    try {
                        closeable.close();
                    } catch (Exception ignored) {
                        // closing our own pool at shutdown: nothing left to do on failure
                    }
                }
            }

            @Override
            public String toString() {
                return dataSource.toString();
            }
        };
    }

    static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // nothing useful to do while discarding a connection
        }
    }

    /**
     * Prepared statements kept for one connection, at most {@link #MAX} of them, least recently
     * used closed first. Each is handed out as a wrapper whose {@code close} only clears its
     * parameters, so callers use the usual try-with-resources.
     */
    final class StatementCache {
        static final int MAX = 64;
        private record Kept(PreparedStatement statement, PreparedStatement shared) {
        }

        private final Map<String, Kept> statements = new LinkedHashMap<>(16, 0.75f, true);

        /** @return the shared wrapper of the statement kept for this SQL, preparing and keeping it first if needed */
        PreparedStatement prepare(Connection c, String sql) throws SQLException {
            Kept kept = statements.get(sql);
            if (kept != null) {
                return kept.shared();
            }
            PreparedStatement ps = c.prepareStatement(sql);
            if (statements.size() >= MAX) {
                var eldest = statements.entrySet().iterator();
                Kept dropped = eldest.next().getValue();
                eldest.remove();
                try {
                    dropped.statement().close();
                } catch (SQLException ignored) {
                    // a broken connection is discarded with its statements anyway
                }
            }
            PreparedStatement shared = (PreparedStatement) java.lang.reflect.Proxy.newProxyInstance(
                    PreparedStatement.class.getClassLoader(), new Class<?>[] {PreparedStatement.class},
                    (proxy, method, args) -> {
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
            statements.put(sql, new Kept(ps, shared));
            return shared;
        }

        int size() {
            return statements.size();
        }
    }

    /**
     * Memoria's pool of SQLite connections: at most {@code max} open at once (a caller waits up to
     * {@code waitMillis} for one), each with its own statement cache, idle ones reused newest
     * first, broken ones closed.
     */
    final class Pool implements ConnectionSource {
        interface Opener {
            Connection open() throws SQLException;
        }

        private final Opener opener;
        private final Semaphore permits;
        private final int max;
        private final long waitMillis;
        private final Deque<Connection> idle = new ArrayDeque<>();
        private final Map<Connection, StatementCache> caches = new IdentityHashMap<>();
        private final String description;
        private final SqlWork<Void> onAcquire;
        private boolean closed;

        /**
         * @param onAcquire run on every connection handed out, or null; a failure counts as a
         *     broken connection (tests use it to change a setting on live connections)
         */
        Pool(Opener opener, int max, long waitMillis, String description, SqlWork<Void> onAcquire) {
            this.onAcquire = onAcquire;
            this.opener = opener;
            this.max = max;
            this.permits = new Semaphore(max, true);
            this.waitMillis = waitMillis;
            this.description = description;
        }

        @Override
        public Connection acquire() throws SQLException {
            try {
                // waits only when every connection is in use, so that a caller with its interrupt
                // flag set still gets a free connection at once
                if (!permits.tryAcquire() && !permits.tryAcquire(waitMillis, TimeUnit.MILLISECONDS)) {
                    throw new SQLException("all " + max + " connections of " + description
                            + " stayed in use for longer than the busy timeout", "08004");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while waiting for a connection", "08004", e);
            }
            try {
                Connection c;
                synchronized (this) {
                    if (closed) {
                        throw new SQLException("the stores are closed", "08003");
                    }
                    c = idle.pollFirst();
                }
                if (c == null) {
                    c = opener.open();
                    synchronized (this) {
                        caches.put(c, new StatementCache());
                    }
                }
                if (onAcquire != null) {
                    try {
                        onAcquire.run(c);
                    } catch (SQLException | RuntimeException e) {
                        discard(c);
                        throw e;
                    }
                }
                return c;
            } catch (SQLException | RuntimeException | Error e) {
                permits.release();
                throw e;
            }
        }

        @Override
        public void release(Connection connection, SQLException failure) {
            boolean discard;
            synchronized (this) {
                discard = failure != null || closed;
                if (discard) {
                    caches.remove(connection);
                } else {
                    idle.addFirst(connection);
                }
            }
            if (discard) {
                closeQuietly(connection); // closes its statements too
            }
            permits.release();
        }

        private void discard(Connection connection) {
            synchronized (this) {
                caches.remove(connection);
            }
            closeQuietly(connection);
        }

        @Override
        public synchronized StatementCache statements(Connection connection) {
            return caches.get(connection);
        }

        /** @return how many statements all connections keep: bounded by max connections x {@link StatementCache#MAX} */
        @Override
        public synchronized int cachedStatements() {
            return caches.values().stream().mapToInt(StatementCache::size).sum();
        }

        /** @return how many connections are open */
        synchronized int openConnections() {
            return caches.size();
        }

        @Override
        public void close() {
            synchronized (this) {
                closed = true;
                idle.forEach(c -> {
                    caches.remove(c);
                    closeQuietly(c);
                });
                idle.clear();
            }
        }

        @Override
        public String toString() {
            return description;
        }
    }
}
