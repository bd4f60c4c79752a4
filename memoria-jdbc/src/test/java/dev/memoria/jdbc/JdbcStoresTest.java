package dev.memoria.jdbc;

import dev.memoria.testservers.PostgresServer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.memoria.StoreUnavailableException;
import dev.memoria.Stores;
import dev.memoria.memory.Event;
import dev.memoria.run.RunRef;
import dev.memoria.session.NewSession;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JdbcStoresTest {
    @TempDir
    Path dir;

    @Test
    void schemaGivesTheDdlOfEveryTableAndIndexForEachDialect() {
        String sqlite = JdbcStores.schema(Dialect.SQLITE);
        assertThat(sqlite).startsWith("-- Memoria schema version " + Schema.VERSION + " for SQLITE, table prefix 'memoria_'")
                .contains("CREATE TABLE memoria_sessions", "CREATE TABLE memoria_runs", "CREATE TABLE memoria_run_heads",
                        "CREATE TABLE memoria_events", "CREATE UNIQUE INDEX memoria_events_key ON memoria_events (run_id, event_key)",
                        "INSERT INTO memoria_schema_version (version, applied_at) VALUES (1, 0);",
                        "CREATE INDEX memoria_events_session_type ON memoria_events (session_id, type, ts, run_id, seq)",
                        "INSERT INTO memoria_schema_version (version, applied_at) VALUES (2, 0);",
                        "CREATE TABLE memoria_facts", "CREATE UNIQUE INDEX memoria_facts_current ON memoria_facts (namespace, fact_key)"
                                + " WHERE valid_to IS NULL AND fact_key IS NOT NULL",
                        "CREATE VIRTUAL TABLE memoria_fact_words USING fts5(words, content='memoria_facts', content_rowid='seq',"
                                + " tokenize='ascii')",
                        "CREATE TRIGGER memoria_facts_words_delete AFTER DELETE ON memoria_facts",
                        "INSERT INTO memoria_schema_version (version, applied_at) VALUES (4, 0);")
                .doesNotContain("JSONB", "tsvector", "TSVECTOR");
        String postgres = JdbcStores.schema(Dialect.POSTGRESQL, "bot_");
        assertThat(postgres).contains("CREATE TABLE bot_events", "data JSONB NOT NULL", "CREATE INDEX bot_events_session",
                        "CREATE TABLE bot_facts", "namespace TEXT COLLATE \"C\" NOT NULL", "words TSVECTOR NOT NULL",
                        "CREATE INDEX bot_facts_words ON bot_facts USING GIN (words) WITH (fastupdate = off)")
                .doesNotContain("fts5", "TRIGGER")
                .doesNotContain("memoria_");
        assertThatThrownBy(() -> JdbcStores.schema(Dialect.SQLITE, "Bad-Prefix")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tablePrefix: must match [a-z][a-z0-9_]{0,30}, got 'Bad-Prefix'");
        assertThatThrownBy(() -> JdbcOptions.defaults().tablePrefix("a".repeat(32))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JdbcOptions.defaults().busyTimeout(Duration.ofHours(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("busyTimeout: must be between 0 and 10 minutes, got PT1H");
    }

    @Test
    void aSchemaAppliedByHandOpensWithMigrationOffAndAMissingOneIsExplained() throws Exception {
        Path manual = dir.resolve("manual.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + manual); Statement s = c.createStatement()) {
            for (String statement : JdbcStores.schema(Dialect.SQLITE).split(";\n")) {
                if (!statement.isBlank()) {
                    s.execute(statement);
                }
            }
        }
        try (Stores stores = JdbcStores.sqlite(manual, JdbcOptions.defaults().autoMigrate(false))) {
            assertThat(stores.sessions().create(NewSession.anonymous()).version()).isEqualTo(1);
        }
        assertThatThrownBy(() -> JdbcStores.sqlite(dir.resolve("empty.db"), JdbcOptions.defaults().autoMigrate(false)))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessage("schema of 'memoria_' tables is at version 0, this Memoria needs version " + Schema.VERSION
                        + " (apply JdbcStores.schema(...), or enable JdbcOptions.autoMigrate)");
    }

    @Test
    void aDatabaseWithANewerSchemaIsRefusedNamingBothVersions() throws Exception {
        Path file = dir.resolve("future.db");
        JdbcStores.sqlite(file).close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("INSERT INTO memoria_schema_version (version, applied_at) VALUES (" + (Schema.VERSION + 1) + ", 0)");
        }
        assertThatThrownBy(() -> JdbcStores.sqlite(file)).isInstanceOf(StoreUnavailableException.class)
                .hasMessage("the database's Memoria schema ('memoria_' tables) is at version " + (Schema.VERSION + 1)
                        + ", newer than this Memoria's version " + Schema.VERSION + ": upgrade Memoria to open it")
                .matches(e -> !((StoreUnavailableException) e).retryable());
    }

    @Test
    void aDatabaseAtAnOlderSchemaIsMigratedOnOpenKeepingItsData() throws Exception {
        Path file = dir.resolve("old.db");
        java.time.Instant t0 = java.time.Instant.parse("2026-01-01T00:00:00Z");
        try (Stores stores = JdbcStores.sqlite(file, JdbcOptions.defaults().clock(java.time.Clock.fixed(t0, java.time.ZoneOffset.UTC)))) {
            stores.sessions().create(dev.memoria.session.NewSession.builder().id("s").build());
            stores.memory().append(new RunRef("s", "a", "r"), List.of(Event.userMessage("kept").withTimestamp(t0.plusSeconds(60))));
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            // back to version 1, as a database written by the first Memoria
            s.execute("DROP TABLE memoria_fact_words");
            s.execute("DROP TABLE memoria_facts");
            s.execute("DROP INDEX memoria_sessions_activity");
            s.execute("DROP INDEX memoria_sessions_user_activity");
            s.execute("ALTER TABLE memoria_sessions DROP COLUMN last_activity_at");
            s.execute("DROP INDEX memoria_events_session_type");
            s.execute("DELETE FROM memoria_schema_version WHERE version > 1");
        }
        try (Stores stores = JdbcStores.sqlite(file)) {
            assertThat(stores.memory().load(new RunRef("s", "a", "r")).events()).extracting(e -> e.text()).containsExactly("kept");
            assertThat(stores.sessions().get("s").orElseThrow().lastActivityAt()).as("from the session's latest event")
                    .isEqualTo(t0.plusSeconds(60));
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT (SELECT MAX(version) FROM memoria_schema_version),"
                     + " (SELECT COUNT(*) FROM sqlite_master WHERE name = 'memoria_events_session_type')")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(Schema.VERSION);
            assertThat(rs.getInt(2)).isEqualTo(1);
        }
    }

    @Test
    void processesOpeningOneDatabaseAtOnceMigrateItOnce() throws Exception {
        Path file = dir.resolve("race.db");
        String prefix = PostgresServer.freshPrefix();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            threads.add(new Thread(() -> {
                try (Stores a = JdbcStores.sqlite(file);
                     Stores b = JdbcStores.create(PostgresServer.get().dataSource(), JdbcOptions.defaults().tablePrefix(prefix))) {
                    a.memory().append(new RunRef("s", "a", "r"), List.of(Event.userMessage("hi")));
                    b.memory().append(new RunRef("s", "a", "r"), List.of(Event.userMessage("hi")));
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        assertThat(failures).isEmpty();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM memoria_schema_version")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(Schema.VERSION);
        }
        try (Connection c = PostgresServer.get().dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + prefix + "schema_version")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(Schema.VERSION);
        }
    }

    @Test
    void closingTheStoresNeverClosesTheCallersDataSource() throws Exception {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(PostgresServer.get().url());
        config.setMaximumPoolSize(2);
        try (HikariDataSource ds = new HikariDataSource(config)) {
            Stores stores = JdbcStores.create(ds, JdbcOptions.defaults().tablePrefix(PostgresServer.freshPrefix()));
            stores.sessions().create(NewSession.anonymous());
            stores.close();
            assertThat(ds.isClosed()).isFalse();
            try (Connection c = ds.getConnection()) {
                assertThat(c.isValid(1)).isTrue();
            }
        }
    }

    @Test
    void anUnsupportedDatabaseIsNamedWithTheSupportedOnes() {
        DatabaseMetaData meta = (DatabaseMetaData) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {DatabaseMetaData.class}, (p, m, a) -> m.getName().equals("getDatabaseProductName") ? "H2" : null);
        Connection connection = (Connection) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {Connection.class}, (p, m, a) -> m.getName().equals("getMetaData") ? meta : null);
        DataSource ds = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {DataSource.class}, (p, m, a) -> m.getName().equals("getConnection") ? connection : null);
        assertThatThrownBy(() -> JdbcStores.create(ds)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("dataSource: H2 is not supported; memoria-jdbc supports SQLite and PostgreSQL");
    }

    @Test
    void storesOpenUnderstandsSqliteAndPostgresUris() {
        Path nested = dir.resolve("a/b/c/memoria.db");
        try (Stores stores = Stores.open("sqlite:" + nested + "?durability=normal&prefix=x_")) {
            stores.sessions().create(NewSession.builder().id("s").build());
        }
        assertThat(Files.exists(nested)).as("parent folders are created").isTrue();
        try (Stores stores = Stores.open("sqlite:" + nested + "?prefix=x_")) {
            assertThat(stores.sessions().get("s")).isPresent();
        }
        try (Stores stores = Stores.open("jdbc:sqlite:" + nested)) {
            assertThat(stores.sessions().get("s")).as("another prefix, other tables").isEmpty();
        }
        assertThatThrownBy(() -> Stores.open("sqlite:" + nested + "?speed=max")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("uri: unknown option 'speed' for a SQLite store (known: durability, prefix, create)");
        assertThatThrownBy(() -> Stores.open("sqlite:")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("uri: name the SQLite file, as in sqlite:./memoria.db");
        assertThatThrownBy(() -> Stores.open("oracle:thin")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("uri: no store provider for 'oracle:'; available: ").hasMessageContaining("memory:").hasMessageContaining("sqlite:").hasMessageContaining("jdbc:postgresql:");
        try (Stores stores = Stores.open(PostgresServer.get().url())) {
            stores.sessions().create(NewSession.anonymous());
        }
    }

    @Test
    void sqliteUriOptionsAreMemoriasOwnAndBadOnesAreRefusedByName() throws Exception {
        Path missing = dir.resolve("typo.db");
        assertThatThrownBy(() -> Stores.open("sqlite:" + missing + "?create=false"))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessageStartingWith("no SQLite database at " + missing.toAbsolutePath());
        assertThat(Files.exists(missing)).as("a refused open creates nothing").isFalse();
        assertThatThrownBy(() -> Stores.open("sqlite:" + missing + "?durability=FAST"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("uri: durability must be FULL or NORMAL, got 'FAST'");
        assertThatThrownBy(() -> Stores.open("sqlite:" + missing + "?create=maybe"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("uri: create must be true or false, got 'maybe'");
        assertThatThrownBy(() -> Stores.open("sqlite:" + missing + "?prefix=a_&prefix=b_"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("uri: option 'prefix' is given twice");
        assertThat(Files.exists(missing)).isFalse();
        String home = System.getProperty("user.home");
        System.setProperty("user.home", dir.toString());
        try (Stores stores = Stores.open("sqlite:~/in-home.db")) {
            stores.sessions().create(NewSession.anonymous());
        } finally {
            System.setProperty("user.home", home);
        }
        assertThat(Files.exists(dir.resolve("in-home.db"))).as("~ is the home folder").isTrue();
        assertThat(Files.exists(Path.of("~"))).as("no folder named ~").isFalse();
    }

    @Test
    void postgresUrisTakeMemoriasPrefixRefuseUnknownOptionsAndNeverPrintThePassword() throws Exception {
        String url = PostgresServer.get().url();
        String prefix = PostgresServer.freshPrefix();
        String sep = url.contains("?") ? "&" : "?";
        try (Stores stores = Stores.open(url + sep + "prefix=" + prefix)) {
            stores.sessions().create(NewSession.builder().id("prefixed").build());
        }
        try (Connection c = PostgresServer.get().dataSource().getConnection();
             ResultSet rs = c.getMetaData().getTables(null, null, prefix + "sessions", null)) {
            assertThat(rs.next()).as("tables under the URI's prefix").isTrue();
        }
        try (Stores stores = Stores.open(url + sep + "prefix=" + prefix)) {
            assertThat(stores.sessions().get("prefixed")).isPresent();
        }
        assertThatThrownBy(() -> Stores.open(url + sep + "prefx=" + prefix)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("uri: unknown option 'prefx'");
        assertThatThrownBy(() -> Stores.open(url + sep + "durability=NORMAL")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("uri: option 'durability' applies to SQLite stores only");
        String secret = "hunter2-" + ProcessHandle.current().pid();
        Throwable refused = org.assertj.core.api.Assertions.catchThrowable(() ->
                Stores.open("jdbc:postgresql://127.0.0.1:1/nowhere?user=ada&password=" + secret + "&connectTimeout=2"));
        assertThat(refused).isInstanceOf(StoreUnavailableException.class);
        for (Throwable t = refused; t != null; t = t.getCause()) {
            assertThat(String.valueOf(t.getMessage())).as("message of %s", t.getClass()).doesNotContain(secret);
        }
        assertThat(refused.getMessage()).contains("127.0.0.1:1");
    }

    @Test
    void aFileThatIsNotADatabaseIsReportedAsSuch() throws Exception {
        Path junk = dir.resolve("junk.db");
        Files.writeString(junk, "this is not a database, it is a shopping list: eggs, milk, ".repeat(200));
        assertThatThrownBy(() -> JdbcStores.sqlite(junk)).isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("not a SQLite database or is corrupt")
                .matches(e -> !((StoreUnavailableException) e).retryable());
        assertThatThrownBy(() -> JdbcStores.sqlite(dir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith("is a directory, not a SQLite file");
    }
}
