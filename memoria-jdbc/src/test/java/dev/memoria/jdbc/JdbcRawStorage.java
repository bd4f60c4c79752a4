package dev.memoria.jdbc;

import dev.memoria.run.RunRef;
import dev.memoria.testkit.CompatibilityContract;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/** Rows written by hand in the current schema, as another version of Memoria would have written them. */
final class JdbcRawStorage implements CompatibilityContract.RawStorage {
    interface Connections {
        Connection open() throws SQLException;
    }

    private final Tables tables;
    private final String json;
    private final Connections connections;

    JdbcRawStorage(Dialect dialect, String prefix, Connections connections) {
        this.tables = new Tables(prefix);
        this.json = dialect == Dialect.POSTGRESQL ? "CAST(? AS jsonb)" : "?";
        this.connections = connections;
    }

    @Override
    public void insertSession(String id, long createdAtMillis, String labelsJson, String metadataJson) {
        execute("INSERT INTO {sessions} (id, user_id, status, created_at, updated_at, ended_at, labels, metadata, version)"
                + " VALUES (?, NULL, 'ACTIVE', ?, ?, NULL, " + json + ", " + json + ", 1)",
                id, createdAtMillis, createdAtMillis, labelsJson, metadataJson);
    }

    @Override
    public void insertRun(String id, String sessionId, String agentId, String status, long startedAtMillis,
                          String labelsJson, String error) {
        execute("INSERT INTO {runs} (id, session_id, agent_id, parent_run_id, status, started_at, updated_at, ended_at,"
                + " labels, metadata, error, version) VALUES (?, ?, ?, NULL, ?, ?, ?, ?, " + json + ", " + json + ", ?, 1)",
                id, sessionId, agentId, status, startedAtMillis, startedAtMillis, startedAtMillis, labelsJson, "{}", error);
    }

    @Override
    public void insertEvents(RunRef run, List<CompatibilityContract.RawEvent> events) {
        try (Connection c = connections.open()) {
            long last = 0;
            try (PreparedStatement ps = c.prepareStatement(tables.sql("SELECT last_seq FROM {run_heads} WHERE run_id = ?"))) {
                ps.setString(1, run.runId());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        last = rs.getLong(1);
                    } else {
                        bind(c, "INSERT INTO {run_heads} (run_id, session_id, agent_id, last_seq) VALUES (?, ?, ?, 0)",
                                run.runId(), run.sessionId(), run.agentId());
                    }
                }
            }
            for (CompatibilityContract.RawEvent e : events) {
                bind(c, "INSERT INTO {events} (run_id, seq, session_id, event_key, type, ts, data, labels)"
                        + " VALUES (?, ?, ?, ?, ?, ?, " + json + ", " + json + ")", run.runId(), e.sequence(), run.sessionId(),
                        e.key(), e.typeName(), e.timestampMillis(), e.dataJson(), e.labelsJson());
                last = Math.max(last, e.sequence());
            }
            bind(c, "UPDATE {run_heads} SET last_seq = ? WHERE run_id = ?", last, run.runId());
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private void execute(String sql, Object... values) {
        try (Connection c = connections.open()) {
            bind(c, sql, values);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private void bind(Connection c, String sql, Object... values) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(tables.sql(sql))) {
            Database.bindAll(ps, values);
            ps.executeUpdate();
        }
    }
}
