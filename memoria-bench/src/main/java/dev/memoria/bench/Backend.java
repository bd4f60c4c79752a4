package dev.memoria.bench;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.memoria.Stores;
import dev.memoria.jdbc.JdbcStores;
import dev.memoria.mongodb.MongoStores;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.bson.Document;

/**
 * One database under test, with Memoria's stores on it and a raw baseline: a single-row insert
 * (or insertOne) into a table (collection) shaped and indexed like Memoria's events, with the same
 * durability settings.
 */
abstract class Backend implements AutoCloseable {
    final String name;
    String durability;
    Stores stores;

    Backend(String name, String durability) {
        this.name = name;
        this.durability = durability;
    }

    abstract void rawInsert(String run, long seq) throws Exception;

    abstract void rawBatch(String run, long firstSeq, int n) throws Exception;

    /** @return a raw single-row writer for one thread (its own connection where it needs one); close it after */
    abstract ConcurrencyBench.Writer0 rawWriter() throws Exception;

    /** @return stores on the same database with group commit turned off, or null where there is none */
    Stores storesWithoutGroupCommit() throws Exception {
        return null;
    }

    /** The DataSource Spring AI runs on, or null for MongoDB. */
    DataSource dataSource() {
        return null;
    }

    String springDialect() {
        return null;
    }

    static String payload(long seq) {
        return "{\"text\":\"message " + seq + " with some ordinary chat text in it, about sixty bytes\"}";
    }

    /** SQL baseline shared by SQLite and PostgreSQL. */
    abstract static class Sql extends Backend {
        private final String json;

        Sql(String name, String durability, String json) {
            super(name, durability);
            this.json = json;
        }

        abstract Connection raw();

        void createRawTable() throws SQLException {
            String text = json.equals("JSONB") ? "VARCHAR(255)" : "TEXT";
            try (Statement s = raw().createStatement()) {
                s.execute("CREATE TABLE raw_events (run_id " + text + " NOT NULL, seq BIGINT NOT NULL, session_id " + text
                        + " NOT NULL, event_key " + text + " NOT NULL, type VARCHAR(32) NOT NULL, ts BIGINT NOT NULL, data "
                        + json + " NOT NULL, labels " + json + " NOT NULL, PRIMARY KEY (run_id, seq))");
                s.execute("CREATE UNIQUE INDEX raw_events_key ON raw_events (run_id, event_key)");
                s.execute("CREATE INDEX raw_events_type ON raw_events (run_id, type, seq)");
                s.execute("CREATE INDEX raw_events_session ON raw_events (session_id, ts, run_id, seq)");
            }
        }

        private String insertSql() {
            String one = json.equals("JSONB") ? "(?, ?, ?, ?, ?, ?, CAST(? AS jsonb), CAST(? AS jsonb))" : "(?, ?, ?, ?, ?, ?, ?, ?)";
            return "INSERT INTO raw_events VALUES " + one;
        }

        private void bind(PreparedStatement ps, String run, long seq) throws SQLException {
            ps.setString(1, run);
            ps.setLong(2, seq);
            ps.setString(3, "bench-session");
            ps.setString(4, UUID.randomUUID().toString());
            ps.setString(5, "USER_MESSAGE");
            ps.setLong(6, System.currentTimeMillis());
            ps.setString(7, payload(seq));
            ps.setString(8, "{}");
        }

        @Override
        void rawInsert(String run, long seq) throws SQLException {
            try (PreparedStatement ps = raw().prepareStatement(insertSql())) {
                bind(ps, run, seq);
                ps.executeUpdate();
            }
        }

        /** @return a new connection for one thread's raw inserts */
        abstract Connection newRawConnection() throws SQLException;

        /** A thread's raw inserts on its own connection, each its own transaction (auto-commit). */
        private final class RawWriter implements ConcurrencyBench.Writer0, AutoCloseable {
            private final Connection c = newRawConnection();
            private final PreparedStatement ps = c.prepareStatement(insertSql());

            RawWriter() throws SQLException {
            }

            @Override
            public void write(String run, long seq) throws SQLException {
                bind(ps, run, seq);
                ps.executeUpdate();
            }

            @Override
            public void close() throws SQLException {
                ps.close();
                c.close();
            }
        }

        @Override
        ConcurrencyBench.Writer0 rawWriter() throws SQLException {
            return new RawWriter();
        }

        @Override
        void rawBatch(String run, long firstSeq, int n) throws SQLException {
            Connection c = raw();
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(insertSql())) {
                for (int i = 0; i < n; i++) {
                    bind(ps, run, firstSeq + i);
                    ps.addBatch();
                }
                ps.executeBatch();
                c.commit();
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    static final class Sqlite extends Sql {
        private final Path file;
        private final Connection raw;
        private final HikariDataSource springPool;

        Sqlite(Path dir) throws Exception {
            super("SQLite", "synchronous=FULL, WAL", "TEXT");
            Files.createDirectories(dir);
            this.file = dir.resolve("bench.db");
            this.stores = JdbcStores.sqlite(file);
            this.raw = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file + "?journal_mode=WAL&synchronous=FULL&busy_timeout=30000");
            try (Statement s = raw.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=FULL");
                s.execute("PRAGMA busy_timeout=30000");
            }
            createRawTable();
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl("jdbc:sqlite:" + file + "?journal_mode=WAL&synchronous=FULL&busy_timeout=30000");
            config.setMaximumPoolSize(1);
            this.springPool = new HikariDataSource(config);
        }

        @Override
        Connection raw() {
            return raw;
        }

        @Override
        Connection newRawConnection() throws SQLException {
            Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file);
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA busy_timeout=30000");
                s.execute("PRAGMA synchronous=FULL");
            }
            return c;
        }

        Path file() {
            return file;
        }

        @Override
        Stores storesWithoutGroupCommit() {
            return JdbcStores.sqlite(file, dev.memoria.jdbc.JdbcOptions.defaults().groupCommit(false));
        }

        @Override
        DataSource dataSource() {
            return springPool;
        }

        @Override
        String springDialect() {
            return "sqlite";
        }

        @Override
        public void close() throws Exception {
            stores.close();
            raw.close();
            springPool.close();
        }
    }

    static final class Postgres extends Sql {
        private final EmbeddedPostgres pg;
        private final HikariDataSource pool;
        private final Connection raw;

        Postgres() throws Exception {
            super("PostgreSQL", null, "JSONB");
            this.pg = EmbeddedPostgres.builder().setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on")
                    .start();
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(pg.getJdbcUrl("postgres", "postgres"));
            config.setMaximumPoolSize(12);
            this.pool = new HikariDataSource(config);
            this.stores = JdbcStores.create(pool);
            this.raw = pool.getConnection();
            createRawTable();
        }

        String settings() throws SQLException {
            try (Statement s = raw.createStatement();
                 ResultSet rs = s.executeQuery("SELECT current_setting('fsync'), current_setting('synchronous_commit'), version()")) {
                rs.next();
                return "fsync=" + rs.getString(1) + ", synchronous_commit=" + rs.getString(2) + " ("
                        + rs.getString(3).split(" on ")[0] + ")";
            }
        }

        @Override
        Connection raw() {
            return raw;
        }

        @Override
        Connection newRawConnection() throws SQLException {
            // a connection of its own, outside the pool: 16 raw writers hold theirs for the whole measurement
            return java.sql.DriverManager.getConnection(pg.getJdbcUrl("postgres", "postgres"));
        }

        @Override
        Stores storesWithoutGroupCommit() {
            return JdbcStores.create(pool, dev.memoria.jdbc.JdbcOptions.defaults().groupCommit(false));
        }

        @Override
        DataSource dataSource() {
            return pool;
        }

        @Override
        String springDialect() {
            return "postgresql";
        }

        @Override
        public void close() throws Exception {
            stores.close();
            raw.close();
            pool.close();
            pg.close();
        }
    }

    static final class Mongo extends Backend {
        private final MongoServer server;
        private final MongoClient client;
        private final MongoCollection<Document> raw;

        Mongo() {
            super("MongoDB (in-process server)", "mongo-java-server 1.47 in memory, acknowledged writes");
            this.server = new MongoServer(new MemoryBackend());
            InetSocketAddress address = server.bind();
            this.client = MongoClients.create("mongodb://" + address.getHostString() + ":" + address.getPort());
            this.stores = MongoStores.create(client.getDatabase("bench"));
            this.raw = client.getDatabase("bench").getCollection("raw_events");
            raw.createIndex(Indexes.ascending("r", "s"), new IndexOptions().unique(true));
            raw.createIndex(Indexes.ascending("r", "k"), new IndexOptions().unique(true));
            raw.createIndex(Indexes.ascending("r", "t", "s"));
            raw.createIndex(Indexes.ascending("sid", "ts"));
        }

        private static Document doc(String run, long seq) {
            return new Document("r", run).append("s", seq).append("sid", "bench-session")
                    .append("k", UUID.randomUUID().toString()).append("t", "USER_MESSAGE")
                    .append("ts", System.currentTimeMillis()).append("d", Document.parse(payload(seq)))
                    .append("l", new Document());
        }

        @Override
        void rawInsert(String run, long seq) {
            raw.insertOne(doc(run, seq));
        }

        @Override
        void rawBatch(String run, long firstSeq, int n) {
            List<Document> docs = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                docs.add(doc(run, firstSeq + i));
            }
            raw.insertMany(docs);
        }

        @Override
        ConcurrencyBench.Writer0 rawWriter() {
            return (run, seq) -> raw.insertOne(doc(run, seq));
        }

        @Override
        public void close() {
            stores.close();
            client.close();
            server.shutdownNow();
        }
    }
}
