package dev.memoria.jdbc;

import dev.memoria.StoreUnavailableException;
import dev.memoria.Stores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import javax.sql.DataSource;

/**
 * Memoria's stores in SQLite or PostgreSQL.
 *
 * <pre>{@code
 * try (Stores stores = JdbcStores.sqlite(Path.of("memoria.db"))) { ... }        // embedded, one file
 * try (Stores stores = JdbcStores.create(pooledPostgresDataSource)) { ... }     // dialect detected
 * String ddl = JdbcStores.schema(Dialect.POSTGRESQL, "memoria_");               // for DBAs
 * }</pre>
 *
 * <p>One row per session, run, event and fact version; appends cost the same at any run length,
 * and a fact's words are kept in a full-text index (SQLite FTS5, PostgreSQL GIN over a
 * {@code tsvector}) so that word search costs its matches, not the namespace. Tables are
 * created and migrated when the stores open (see {@link JdbcOptions#autoMigrate(boolean)}); a
 * database whose schema is newer than this code is refused. The returned stores are thread-safe;
 * several processes may share one SQLite file or PostgreSQL database.
 */
public final class JdbcStores {
    private static final int SQLITE_MAX_CONNECTIONS = 8;

    private JdbcStores() {
    }

    /**
     * @param file the SQLite file; it and its parent folders are created if missing
     * @return stores with the default options (FULL durability)
     */
    public static Stores sqlite(Path file) {
        return sqlite(file, JdbcOptions.defaults());
    }

    /**
     * @param file the SQLite file; it and its parent folders are created if missing
     * @param options table prefix, clock, durability, busy timeout, migration
     * @return the stores; closing them closes the connections Memoria opened
     */
    public static Stores sqlite(Path file, JdbcOptions options) {
        return sqlite(file, options, c -> c, null);
    }

    /**
     * Like {@link #sqlite(Path, JdbcOptions)}, for tests: {@code wrap} wraps every connection the
     * pool opens (to watch the statements it runs), {@code onAcquire} runs on every connection it
     * hands out (to cap the file's size and let it grow again).
     */
    static Stores sqlite(Path file, JdbcOptions options, java.util.function.UnaryOperator<Connection> wrap,
                         SqlWork<Void> onAcquire) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(options, "options");
        Path absolute = file.toAbsolutePath().normalize();
        if (Files.isDirectory(absolute)) {
            throw new IllegalArgumentException("file: " + absolute + " is a directory, not a SQLite file");
        }
        if (!options.createIfMissing() && !Files.exists(absolute)) {
            throw new StoreUnavailableException("no SQLite database at " + absolute
                    + " (check the path; it is not created, since only an existing store was asked for)", null, false);
        }
        try {
            if (absolute.getParent() != null) {
                Files.createDirectories(absolute.getParent());
            }
        } catch (IOException e) {
            throw new StoreUnavailableException("cannot create the folder of " + absolute + ": " + e.getMessage(), e, false);
        }
        // only the busy timeout goes in at open: switching a new file to WAL takes a lock that
        // another process opening it at the same moment may hold, so it must wait, not fail
        Properties props = new Properties();
        props.setProperty("busy_timeout", Long.toString(options.busyTimeout().toMillis()));
        String url = "jdbc:sqlite:" + absolute;
        ConnectionSource pool = new ConnectionSource.Pool(() -> {
            Connection c = wrap.apply(DriverManager.getConnection(url, props));
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA busy_timeout=" + options.busyTimeout().toMillis());
                enableWal(s, options.busyTimeout().toMillis());
                s.execute("PRAGMA synchronous=" + options.durability().name());
                s.execute("PRAGMA foreign_keys=OFF");
            } catch (SQLException | RuntimeException e) {
                c.close();
                throw e;
            }
            return c;
        }, SQLITE_MAX_CONNECTIONS, Math.max(1, options.busyTimeout().toMillis()), "sqlite:" + absolute, onAcquire);
        return open(Dialect.SQLITE, pool, options);
    }

    /**
     * Switches to WAL. SQLite can answer BUSY at once here, without calling the busy handler,
     * while another connection is switching the same new file, so this waits and retries within
     * the busy timeout.
     */
    private static void enableWal(Statement s, long busyTimeoutMillis) throws SQLException {
        long deadline = System.nanoTime() + busyTimeoutMillis * 1_000_000;
        while (true) {
            try {
                s.execute("PRAGMA journal_mode=WAL");
                return;
            } catch (SQLException e) {
                int code = e.getErrorCode() & 0xff;
                if ((code != 5 && code != 6) || System.nanoTime() > deadline) {
                    throw e;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
            }
        }
    }

    /**
     * @param dataSource a SQLite or PostgreSQL DataSource, ideally pooled; Memoria never closes it
     * @return stores with the default options
     * @see #create(DataSource, JdbcOptions)
     */
    public static Stores create(DataSource dataSource) {
        return create(dataSource, JdbcOptions.defaults());
    }

    /**
     * Stores on a DataSource the caller owns. For SQLite, the database is switched to WAL once and
     * every connection handed out gets the options' synchronous mode and busy timeout (they are
     * per-connection settings a pool may not have made); statements are not kept between calls,
     * since a pool's connections are wrappers that change on every checkout.
     *
     * @param dataSource a SQLite or PostgreSQL DataSource, ideally pooled; Memoria never closes it
     * @param options table prefix, clock, durability and busy timeout (SQLite), migration
     * @return the stores
     * @throws IllegalArgumentException if the database is neither SQLite nor PostgreSQL
     */
    public static Stores create(DataSource dataSource, JdbcOptions options) {
        Objects.requireNonNull(dataSource, "dataSource");
        Objects.requireNonNull(options, "options");
        Dialect dialect = detect(dataSource);
        if (dialect == Dialect.POSTGRESQL) {
            return open(dialect, ConnectionSource.of(dataSource, null, false), options);
        }
        long busy = options.busyTimeout().toMillis();
        String synchronous = options.durability().name();
        SqlWork<Void> settings = c -> {
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA busy_timeout=" + busy);
                s.execute("PRAGMA synchronous=" + synchronous);
            }
            return null;
        };
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            settings.run(c);
            enableWal(s, busy);
        } catch (SQLException e) {
            throw new StoreUnavailableException("cannot switch the SQLite database to WAL (" + e.getMessage()
                    + "): open it writable, or set journal_mode=WAL on the DataSource's connections", e, false);
        }
        return open(dialect, ConnectionSource.of(dataSource, settings, false), options);
    }

    /**
     * The DDL of the current schema, for teams that apply schema changes by hand (then open the
     * stores with {@code JdbcOptions.autoMigrate(false)}).
     *
     * @param dialect the database
     * @param tablePrefix the table prefix, as in {@link JdbcOptions#tablePrefix(String)}
     * @return SQL statements separated by semicolons
     */
    public static String schema(Dialect dialect, String tablePrefix) {
        Objects.requireNonNull(dialect, "dialect");
        return Schema.ddl(dialect, new Tables(JdbcOptions.defaults().tablePrefix(tablePrefix).tablePrefix()));
    }

    /**
     * @param dialect the database
     * @return the DDL with the default prefix {@code memoria_}
     */
    public static String schema(Dialect dialect) {
        return schema(dialect, JdbcOptions.defaults().tablePrefix());
    }

    static Stores open(Dialect dialect, ConnectionSource source, JdbcOptions options) {
        Database db = new Database(dialect, new Tables(options.tablePrefix()), options.clock(), source);
        try {
            Schema.prepare(db, options.autoMigrate(), options.clock().millis());
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
        return Stores.of(new JdbcSessionStore(db), new JdbcRunStore(db), new JdbcMemoryStore(db, options.groupCommit()),
                new JdbcFactStore(db), db);
    }

    /** @return the database behind JDBC stores, for tests that look at connections and statements */
    static Database database(Stores stores) {
        return ((JdbcSessionStore) stores.sessions()).db;
    }

    private static Dialect detect(DataSource dataSource) {
        String product;
        try (Connection c = dataSource.getConnection()) {
            DatabaseMetaData meta = c.getMetaData();
            product = meta.getDatabaseProductName();
        } catch (SQLException e) {
            throw new StoreUnavailableException("cannot connect to detect the database: " + e.getMessage(), e, true);
        }
        String p = product == null ? "" : product.toLowerCase(Locale.ROOT);
        if (p.contains("sqlite")) {
            return Dialect.SQLITE;
        }
        if (p.contains("postgresql")) {
            return Dialect.POSTGRESQL;
        }
        throw new IllegalArgumentException("dataSource: " + product + " is not supported; memoria-jdbc supports SQLite"
                + " and PostgreSQL (use memoria-mongodb for MongoDB, or implement the stores and run memoria-testkit)");
    }
}
