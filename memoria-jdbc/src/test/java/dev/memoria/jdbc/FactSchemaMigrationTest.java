package dev.memoria.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memoria.Stores;
import dev.memoria.fact.Fact;
import dev.memoria.fact.FactQuery;
import dev.memoria.fact.Namespace;
import dev.memoria.fact.NewFact;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.run.RunRef;
import dev.memoria.testservers.PostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A database written by the Memoria before facts (schema version 3, created here with that
 * version's migrations and rows written by hand) gains the fact tables when it opens, keeps its
 * sessions and events, and its facts work at once.
 */
class FactSchemaMigrationTest {
    private static final int BEFORE_FACTS = 3;
    private static final RunRef RUN = new RunRef("old-session", "agent", "old-run");

    @TempDir
    Path dir;

    @Test
    void aSqliteDatabaseOfTheSchemaBeforeFactsGainsThemOnOpen() throws Exception {
        Path file = dir.resolve("v3.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            createBeforeFacts(c, Dialect.SQLITE, new Tables("memoria_"));
        }
        try (Stores stores = JdbcStores.sqlite(file)) {
            checkOpened(stores);
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT (SELECT MAX(version) FROM memoria_schema_version),"
                     + " (SELECT COUNT(*) FROM sqlite_master WHERE name IN ('memoria_facts', 'memoria_fact_words'))")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(Schema.VERSION);
            assertThat(rs.getInt(2)).isEqualTo(2);
        }
        // and again: nothing left to migrate, the facts are still there
        try (Stores stores = JdbcStores.sqlite(file)) {
            assertThat(stores.facts().search(FactQuery.in("users", "ada").text("tea")).items()).hasSize(1);
        }
    }

    @Test
    void aPostgresDatabaseOfTheSchemaBeforeFactsGainsThemOnOpen() throws Exception {
        String prefix = PostgresServer.freshPrefix();
        try (Connection c = PostgresServer.get().dataSource().getConnection()) {
            createBeforeFacts(c, Dialect.POSTGRESQL, new Tables(prefix));
        }
        try (Stores stores = JdbcStores.create(PostgresServer.get().dataSource(), JdbcOptions.defaults().tablePrefix(prefix))) {
            checkOpened(stores);
        }
        try (Connection c = PostgresServer.get().dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT (SELECT MAX(version) FROM " + prefix + "schema_version),"
                     + " to_regclass('" + prefix + "facts') IS NOT NULL")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(Schema.VERSION);
            assertThat(rs.getBoolean(2)).isTrue();
        }
    }

    /** The tables of schema version 3 and a session with one event, as that version wrote them. */
    private static void createBeforeFacts(Connection c, Dialect dialect, Tables t) throws SQLException {
        String json = dialect == Dialect.POSTGRESQL ? "CAST(? AS jsonb)" : "?";
        try (Statement s = c.createStatement()) {
            s.execute(t.sql("CREATE TABLE {schema_version} (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)"));
            List<List<String>> migrations = Schema.migrations(dialect);
            for (int v = 1; v <= BEFORE_FACTS; v++) {
                for (String statement : migrations.get(v - 1)) {
                    s.execute(t.sql(statement));
                }
                s.execute(t.sql("INSERT INTO {schema_version} (version, applied_at) VALUES (" + v + ", 0)"));
            }
        }
        execute(c, t.sql("INSERT INTO {sessions} (id, user_id, status, created_at, updated_at, last_activity_at, ended_at,"
                + " labels, metadata, version) VALUES (?, 'ada', 'ACTIVE', 1000, 1000, 2000, NULL, " + json + ", " + json + ", 1)"),
                RUN.sessionId(), "{}", "{}");
        execute(c, t.sql("INSERT INTO {run_heads} (run_id, session_id, agent_id, last_seq) VALUES (?, ?, ?, 1)"),
                RUN.runId(), RUN.sessionId(), RUN.agentId());
        execute(c, t.sql("INSERT INTO {events} (run_id, seq, session_id, event_key, type, ts, data, labels)"
                + " VALUES (?, 1, ?, 'k1', 'USER_MESSAGE', 2000, " + json + ", " + json + ")"),
                RUN.runId(), RUN.sessionId(), "{\"text\":\"I prefer green tea\"}", "{}");
    }

    private static void execute(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            Database.bindAll(ps, params);
            ps.executeUpdate();
        }
    }

    private static void checkOpened(Stores stores) {
        List<MemoryEvent> events = stores.memory().load(RUN).events();
        assertThat(events).extracting(e -> e.textIfAny().orElse("")).containsExactly("I prefer green tea");
        assertThat(stores.sessions().get(RUN.sessionId())).isPresent();
        Namespace ada = Namespace.of("users", "ada");
        Fact tea = stores.facts().put(NewFact.builder(ada, "Ada prefers green tea").key("drink").source(RUN, 1).build());
        Fact coffee = stores.facts().put(NewFact.builder(ada, "Ada prefers coffee now").key("drink").build());
        assertThat(coffee.version()).isEqualTo(2);
        assertThat(stores.facts().search(FactQuery.in("users").text("TEA")).items()).isEmpty();
        assertThat(stores.facts().search(FactQuery.in("users").text("TEA").allVersions()).items())
                .extracting(m -> m.fact().id()).containsExactly(tea.id());
        assertThat(stores.facts().history(ada, "drink")).extracting(Fact::id).containsExactly(tea.id(), coffee.id());
        stores.facts().put(NewFact.of(ada, "Ada drinks tea at four"));
        assertThat(stores.facts().get(tea.id()).orElseThrow().source().run()).isEqualTo(RUN);
    }
}
