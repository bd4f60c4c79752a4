package dev.memoria.jdbc;

import dev.memoria.StoreUnavailableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The versioned schema. Migration {@code n} takes the schema from version {@code n - 1} to
 * {@code n}; they are applied in order, each in the transaction that records it, so two processes
 * opening one database at once apply each exactly once (SQLite: the first takes the write lock;
 * PostgreSQL: a transaction-scoped advisory lock per table prefix).
 */
final class Schema {
    /** The schema version this code reads and writes. */
    static final int VERSION = 4;

    private Schema() {
    }

    /** The statements of each migration, in order; index 0 is migration 1. */
    static List<List<String>> migrations(Dialect dialect) {
        String json = dialect == Dialect.POSTGRESQL ? "JSONB" : "TEXT";
        String text = dialect == Dialect.POSTGRESQL ? "VARCHAR(255)" : "TEXT";
        List<String> v1 = List.of(
                "CREATE TABLE {sessions} (\n"
                        + "  id " + text + " PRIMARY KEY,\n"
                        + "  user_id " + text + ",\n"
                        + "  status VARCHAR(16) NOT NULL,\n"
                        + "  created_at BIGINT NOT NULL,\n"
                        + "  updated_at BIGINT NOT NULL,\n"
                        + "  ended_at BIGINT,\n"
                        + "  labels " + json + " NOT NULL,\n"
                        + "  metadata " + json + " NOT NULL,\n"
                        + "  version BIGINT NOT NULL\n"
                        + ")",
                "CREATE INDEX {p}sessions_created ON {sessions} (created_at, id)",
                "CREATE INDEX {p}sessions_user ON {sessions} (user_id, created_at, id)",
                "CREATE INDEX {p}sessions_status ON {sessions} (status, updated_at)",
                "CREATE TABLE {runs} (\n"
                        + "  id " + text + " PRIMARY KEY,\n"
                        + "  session_id " + text + " NOT NULL,\n"
                        + "  agent_id " + text + " NOT NULL,\n"
                        + "  parent_run_id " + text + ",\n"
                        + "  status VARCHAR(16) NOT NULL,\n"
                        + "  started_at BIGINT NOT NULL,\n"
                        + "  updated_at BIGINT NOT NULL,\n"
                        + "  ended_at BIGINT,\n"
                        + "  labels " + json + " NOT NULL,\n"
                        + "  metadata " + json + " NOT NULL,\n"
                        + "  error TEXT,\n"
                        + "  version BIGINT NOT NULL\n"
                        + ")",
                "CREATE INDEX {p}runs_started ON {runs} (started_at, id)",
                "CREATE INDEX {p}runs_session ON {runs} (session_id, started_at, id)",
                "CREATE INDEX {p}runs_parent ON {runs} (parent_run_id, started_at, id)",
                "CREATE INDEX {p}runs_status ON {runs} (status, updated_at)",
                // one row per run's log: serialises appenders and remembers whose log it is
                "CREATE TABLE {run_heads} (\n"
                        + "  run_id " + text + " PRIMARY KEY,\n"
                        + "  session_id " + text + " NOT NULL,\n"
                        + "  agent_id " + text + " NOT NULL,\n"
                        + "  last_seq BIGINT NOT NULL\n"
                        + ")",
                "CREATE TABLE {events} (\n"
                        + "  run_id " + text + " NOT NULL,\n"
                        + "  seq BIGINT NOT NULL,\n"
                        + "  session_id " + text + " NOT NULL,\n"
                        + "  event_key " + text + " NOT NULL,\n"
                        + "  type VARCHAR(32) NOT NULL,\n"
                        + "  ts BIGINT NOT NULL,\n"
                        + "  data " + json + " NOT NULL,\n"
                        + "  labels " + json + " NOT NULL,\n"
                        + "  PRIMARY KEY (run_id, seq)\n"
                        + ")",
                "CREATE UNIQUE INDEX {p}events_key ON {events} (run_id, event_key)",
                "CREATE INDEX {p}events_type ON {events} (run_id, type, seq)",
                "CREATE INDEX {p}events_session ON {events} (session_id, ts, run_id, seq)");
        // 2: session reads filtered by type walk one index range per type (history windows)
        List<String> v2 = List.of("CREATE INDEX {p}events_session_type ON {events} (session_id, type, ts, run_id, seq)");
        // 3: a session's last activity (its creation, its latest run start or event), for listing
        // conversations by their last message; existing sessions get it from their runs and events
        String later = " WHERE {sessions}.last_activity_at < (%s)";
        String latestRun = "SELECT MAX(r.started_at) FROM {runs} r WHERE r.session_id = {sessions}.id";
        String latestEvent = "SELECT MAX(e.ts) FROM {events} e WHERE e.session_id = {sessions}.id";
        List<String> v3 = List.of(
                "ALTER TABLE {sessions} ADD COLUMN last_activity_at BIGINT",
                "UPDATE {sessions} SET last_activity_at = created_at",
                "UPDATE {sessions} SET last_activity_at = (" + latestRun + ")" + String.format(later, latestRun),
                "UPDATE {sessions} SET last_activity_at = (" + latestEvent + ")" + String.format(later, latestEvent),
                "CREATE INDEX {p}sessions_activity ON {sessions} (last_activity_at, id)",
                "CREATE INDEX {p}sessions_user_activity ON {sessions} (user_id, last_activity_at, id)");
        return List.of(v1, v2, v3, facts(dialect));
    }

    /**
     * 4: facts (K1–K10). One row per fact version; {@code seq} (SQLite) is the stable rowid the
     * word index refers to. At most one current version per (namespace, key) and one fact per
     * (namespace, idempotency key): partial unique indexes, which also settle racing first puts.
     * Namespaces are compared bytewise (PostgreSQL: {@code COLLATE "C"}), so the facts below a
     * namespace are one index range. The words column holds core's normalised words: SQLite
     * indexes it with FTS5 ({@code tokenize='ascii'}: each normalised word is one token), kept
     * in sync by triggers in the writing transaction; PostgreSQL keeps it as a {@code tsvector}
     * built in Java (no parser, no dictionary) under a GIN index.
     */
    private static List<String> facts(Dialect dialect) {
        boolean pg = dialect == Dialect.POSTGRESQL;
        String id = pg ? "VARCHAR(255)" : "TEXT";
        String json = pg ? "JSONB" : "TEXT";
        List<String> v4 = new ArrayList<>();
        v4.add("CREATE TABLE {facts} (\n"
                + (pg ? "" : "  seq INTEGER PRIMARY KEY,\n")
                + "  id " + id + (pg ? " PRIMARY KEY" : " NOT NULL") + ",\n"
                + "  namespace TEXT" + (pg ? " COLLATE \"C\"" : "") + " NOT NULL,\n"
                + "  fact_key " + id + ",\n"
                + "  text TEXT NOT NULL,\n"
                + "  words " + (pg ? "TSVECTOR" : "TEXT") + " NOT NULL,\n"
                + "  data " + json + " NOT NULL,\n"
                + "  labels " + json + " NOT NULL,\n"
                + "  source_session_id " + id + ",\n"
                + "  source_agent_id " + id + ",\n"
                + "  source_run_id " + id + ",\n"
                + "  source_seq BIGINT,\n"
                + "  version BIGINT NOT NULL,\n"
                + "  created_at BIGINT NOT NULL,\n"
                + "  valid_from BIGINT NOT NULL,\n"
                + "  valid_to BIGINT,\n"
                + "  expires_at BIGINT,\n"
                + "  vector " + (pg ? "BYTEA" : "BLOB") + ",\n"
                + "  idempotency_key " + id + "\n"
                + ")");
        if (!pg) {
            v4.add("CREATE UNIQUE INDEX {p}facts_id ON {facts} (id)");
        }
        v4.add("CREATE UNIQUE INDEX {p}facts_current ON {facts} (namespace, fact_key)"
                + " WHERE valid_to IS NULL AND fact_key IS NOT NULL");
        v4.add("CREATE UNIQUE INDEX {p}facts_idempotency ON {facts} (namespace, idempotency_key)"
                + " WHERE idempotency_key IS NOT NULL");
        v4.add("CREATE INDEX {p}facts_key ON {facts} (namespace, fact_key, version) WHERE fact_key IS NOT NULL");
        v4.add("CREATE INDEX {p}facts_created ON {facts} (namespace, created_at, id)");
        v4.add("CREATE INDEX {p}facts_expiry ON {facts} (expires_at) WHERE expires_at IS NOT NULL");
        if (pg) {
            // no pending list: every search would scan it (up to gin_pending_list_limit) on top of
            // its matches, and the planner, seeing that cost, prefers scanning the table
            v4.add("CREATE INDEX {p}facts_words ON {facts} USING GIN (words) WITH (fastupdate = off)");
        } else {
            // external content: the index keeps only the tokens; the words live in the facts row,
            // so that a delete removes exactly the tokens the insert added
            v4.add("CREATE VIRTUAL TABLE {fact_words} USING fts5(words, content='{facts}', content_rowid='seq',"
                    + " tokenize='ascii')");
            v4.add("CREATE TRIGGER {p}facts_words_insert AFTER INSERT ON {facts} BEGIN"
                    + " INSERT INTO {fact_words} (rowid, words) VALUES (new.seq, new.words); END");
            v4.add("CREATE TRIGGER {p}facts_words_delete AFTER DELETE ON {facts} BEGIN"
                    + " INSERT INTO {fact_words} ({fact_words}, rowid, words) VALUES ('delete', old.seq, old.words); END");
            v4.add("CREATE TRIGGER {p}facts_words_update AFTER UPDATE OF seq, words ON {facts} BEGIN"
                    + " INSERT INTO {fact_words} ({fact_words}, rowid, words) VALUES ('delete', old.seq, old.words);"
                    + " INSERT INTO {fact_words} (rowid, words) VALUES (new.seq, new.words); END");
        }
        return List.copyOf(v4);
    }

    /** The whole DDL of the current version, for DBAs who apply it by hand. */
    static String ddl(Dialect dialect, Tables t) {
        StringBuilder out = new StringBuilder();
        out.append("-- Memoria schema version ").append(VERSION).append(" for ").append(dialect)
                .append(", table prefix '").append(t.prefix).append("'\n");
        out.append(t.sql(versionTable())).append(";\n");
        List<List<String>> migrations = migrations(dialect);
        for (int v = 1; v <= migrations.size(); v++) {
            out.append("\n-- migration ").append(v).append('\n');
            for (String statement : migrations.get(v - 1)) {
                out.append(t.sql(statement)).append(";\n");
            }
            out.append(t.sql("INSERT INTO {schema_version} (version, applied_at) VALUES (" + v + ", 0)")).append(";\n");
        }
        return out.toString();
    }

    private static String versionTable() {
        return "CREATE TABLE IF NOT EXISTS {schema_version} (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)";
    }

    /** Brings the schema to {@link #VERSION}, or checks it is there when migration is off. */
    static void prepare(Database db, boolean autoMigrate, long now) {
        Tables t = db.tables;
        if (!autoMigrate) {
            int found = db.read(c -> currentVersion(c, t, false));
            if (found != VERSION) {
                throw new StoreUnavailableException("schema of '" + t.prefix + "' tables is at version " + found
                        + ", this Memoria needs version " + VERSION
                        + " (apply JdbcStores.schema(...), or enable JdbcOptions.autoMigrate)", null, false);
            }
            return;
        }
        db.write(c -> {
            if (db.dialect == Dialect.POSTGRESQL) {
                try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                    lock.setLong(1, ("memoria:" + t.prefix).hashCode());
                    lock.execute();
                }
            }
            try (Statement s = c.createStatement()) {
                s.execute(t.sql(versionTable()));
            }
            int current = currentVersion(c, t, true);
            if (current > VERSION) {
                throw new StoreUnavailableException("the database's Memoria schema ('" + t.prefix + "' tables) is at version "
                        + current + ", newer than this Memoria's version " + VERSION
                        + ": upgrade Memoria to open it", null, false);
            }
            List<List<String>> migrations = migrations(db.dialect);
            for (int v = current + 1; v <= VERSION; v++) {
                try (Statement s = c.createStatement()) {
                    for (String statement : migrations.get(v - 1)) {
                        s.execute(t.sql(statement));
                    }
                }
                try (PreparedStatement record = c.prepareStatement(
                        t.sql("INSERT INTO {schema_version} (version, applied_at) VALUES (?, ?)"))) {
                    record.setInt(1, v);
                    record.setLong(2, now);
                    record.executeUpdate();
                }
            }
            return null;
        });
    }

    private static int currentVersion(Connection c, Tables t, boolean tableExists) throws SQLException {
        if (!tableExists && !tableExists(c, t.schemaVersion)) {
            return 0;
        }
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(t.sql("SELECT MAX(version) FROM {schema_version}"))) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static boolean tableExists(Connection c, String table) throws SQLException {
        List<String> names = new ArrayList<>();
        try (ResultSet rs = c.getMetaData().getTables(null, null, table, null)) {
            while (rs.next()) {
                names.add(rs.getString("TABLE_NAME"));
            }
        }
        return names.stream().anyMatch(table::equalsIgnoreCase);
    }
}
