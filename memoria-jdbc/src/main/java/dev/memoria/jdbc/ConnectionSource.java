package dev.memoria.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Deque;
import javax.sql.DataSource;

/** Where connections come from: a user's DataSource (never closed by us) or our own small pool. */
interface ConnectionSource extends AutoCloseable {
    Connection acquire() throws SQLException;

    void release(Connection connection);

    @Override
    void close();

    static ConnectionSource of(DataSource dataSource) {
        return new ConnectionSource() {
            @Override
            public Connection acquire() throws SQLException {
                return dataSource.getConnection();
            }

            @Override
            public void release(Connection connection) {
                try {
                    connection.close();
                } catch (SQLException ignored) {
                    // returning a connection to the user's pool failed: the pool will notice
                }
            }

            @Override
            public void close() {
                // the DataSource belongs to the caller
            }

            @Override
            public String toString() {
                return dataSource.getClass().getSimpleName();
            }
        };
    }

    /** Opens connections with {@code opener} and keeps up to {@code maxIdle} of them for reuse. */
    final class Pool implements ConnectionSource {
        interface Opener {
            Connection open() throws SQLException;
        }

        private final Opener opener;
        private final int maxIdle;
        private final Deque<Connection> idle = new ArrayDeque<>();
        private final String description;
        private boolean closed;

        Pool(Opener opener, int maxIdle, String description) {
            this.opener = opener;
            this.maxIdle = maxIdle;
            this.description = description;
        }

        @Override
        public Connection acquire() throws SQLException {
            synchronized (this) {
                if (closed) {
                    throw new SQLException("the stores are closed", "08003");
                }
                Connection c = idle.pollFirst();
                if (c != null) {
                    return c;
                }
            }
            return opener.open();
        }

        @Override
        public void release(Connection connection) {
            synchronized (this) {
                if (!closed && idle.size() < maxIdle) {
                    idle.addFirst(connection);
                    return;
                }
            }
            closeQuietly(connection);
        }

        @Override
        public void close() {
            synchronized (this) {
                closed = true;
                idle.forEach(Pool::closeQuietly);
                idle.clear();
            }
        }

        private static void closeQuietly(Connection c) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // nothing useful to do while discarding a connection
            }
        }

        @Override
        public String toString() {
            return description;
        }
    }
}
