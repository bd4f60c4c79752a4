package dev.memoria.jdbc;

import dev.memoria.AlreadyExistsException;
import dev.memoria.NotFoundException;
import dev.memoria.Page;
import dev.memoria.run.NewRun;
import dev.memoria.run.Run;
import dev.memoria.run.RunFilter;
import dev.memoria.run.RunOrder;
import dev.memoria.run.RunStatus;
import dev.memoria.run.RunStore;
import dev.memoria.spi.Checks;
import dev.memoria.spi.Cursors;
import dev.memoria.spi.Filters;
import dev.memoria.spi.Records;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.TreeSet;

final class JdbcRunStore implements RunStore {
    private static final String COLUMNS =
            "id, session_id, agent_id, parent_run_id, status, started_at, updated_at, ended_at, labels, metadata, error, version";

    private final Database db;
    private final String insert;
    private final String selectById;
    private final String update;
    private final String delete;

    JdbcRunStore(Database db) {
        this.db = db;
        Tables t = db.tables;
        this.insert = t.sql("INSERT INTO {runs} (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, " + db.jsonParam()
                + ", " + db.jsonParam() + ", ?, ?) ON CONFLICT (id) DO NOTHING");
        this.selectById = t.sql("SELECT " + COLUMNS + " FROM {runs} WHERE id = ?");
        this.update = t.sql("UPDATE {runs} SET status = ?, updated_at = ?, ended_at = ?, labels = " + db.jsonParam()
                + ", metadata = " + db.jsonParam() + ", error = ?, version = ? WHERE id = ? AND version = ?");
        this.delete = t.sql("DELETE FROM {runs} WHERE id = ?");
    }

    @Override
    public Run create(NewRun spec) {
        Objects.requireNonNull(spec, "spec");
        Run run = Records.created(spec, db.clock.instant());
        long now = run.startedAt().toEpochMilli();
        int inserted = db.write(c -> {
            try (PreparedStatement ps = db.prepare(c, insert)) {
                Database.bindAll(ps, run.id(), run.sessionId(), run.agentId(), run.parentRunId(), run.status().name(),
                        now, now, null, db.json(run.labels()), db.json(run.metadata()),
                        null, run.version());
                return ps.executeUpdate();
            }
        });
        if (inserted == 0) {
            throw new AlreadyExistsException("run", run.id());
        }
        return run;
    }

    @Override
    public Optional<Run> get(String id) {
        Checks.id(id, "id");
        return db.read(c -> find(c, id, false));
    }

    private Optional<Run> find(Connection c, String id, boolean lock) throws SQLException {
        try (PreparedStatement ps = db.prepare(c, selectById + (lock ? db.forUpdate() : ""))) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(map(rs)) : Optional.empty();
            }
        }
    }

    @Override
    public Run update(Run changed) {
        Objects.requireNonNull(changed, "changed");
        return db.write(c -> {
            Run current = find(c, changed.id(), true).orElseThrow(() -> new NotFoundException("run", changed.id()));
            return store(c, current, changed);
        });
    }

    /** Under the row's write lock, as {@link JdbcSessionStore#update(String, UnaryOperator)}: never a conflict. */
    @Override
    public Run update(String id, UnaryOperator<Run> change) {
        Checks.id(id, "id");
        Objects.requireNonNull(change, "change");
        return db.write(c -> {
            Run current = find(c, id, true).orElseThrow(() -> new NotFoundException("run", id));
            return store(c, current, Objects.requireNonNull(change.apply(current), "change returned null"));
        });
    }

    private Run store(Connection c, Run current, Run changed) throws SQLException {
        Run stored = Records.updated(current, changed, db.clock.instant());
        try (PreparedStatement ps = db.prepare(c, update)) {
            Database.bindAll(ps, stored.status().name(), stored.updatedAt().toEpochMilli(),
                    stored.endedAt() == null ? null : stored.endedAt().toEpochMilli(), db.json(stored.labels()),
                    db.json(stored.metadata()), stored.error(), stored.version(), stored.id(), current.version());
            if (ps.executeUpdate() != 1) {
                throw new dev.memoria.StoreStateException("run " + stored.id() + " changed under its row lock");
            }
        }
        return stored;
    }

    @Override
    public Page<Run> list(RunFilter filter) {
        Objects.requireNonNull(filter, "filter");
        String scope = Filters.scope(filter);
        boolean descending = filter.order() == RunOrder.NEWEST_FIRST;
        SqlWhere where = new SqlWhere(db).equal("session_id", filter.sessionId()).equal("agent_id", filter.agentId())
                .equal("parent_run_id", filter.parentRunId()).in("status", filter.statuses()).labels(filter.labels())
                .after("started_at", filter.startedAfter()).before("started_at", filter.startedBefore())
                .after("updated_at", filter.updatedAfter()).before("updated_at", filter.updatedBefore());
        if (filter.cursor() != null) {
            List<String> key = Cursors.decode(filter.cursor(), "runs", scope, 2);
            where.after("started_at", descending, Cursors.number(key.get(0)), key.get(1));
        }
        where.orderBy("started_at", descending, filter.limit() + 1);
        List<Run> found = db.query(db.tables.sql("SELECT " + COLUMNS + " FROM {runs}") + where.sql, where.params,
                JdbcRunStore::map);
        return Cursors.page(found, filter.limit(), last -> Cursors.encode("runs", scope,
                Long.toString(last.startedAt().toEpochMilli()), last.id()));
    }

    @Override
    public boolean delete(String id) {
        Checks.id(id, "id");
        return db.write(c -> {
            try (PreparedStatement ps = db.prepare(c, delete)) {
                ps.setString(1, id);
                return ps.executeUpdate() > 0;
            }
        });
    }

    private static Run map(ResultSet rs) throws SQLException {
        long ended = rs.getLong(8);
        Instant endedAt = rs.wasNull() ? null : Instant.ofEpochMilli(ended);
        return new Run(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), RunStatus.valueOf(rs.getString(5)),
                Instant.ofEpochMilli(rs.getLong(6)), Instant.ofEpochMilli(rs.getLong(7)), endedAt,
                Database.labels(rs.getString(9)), Database.jsonMap(rs.getString(10)), rs.getString(11), rs.getLong(12));
    }

    @Override
    public String toString() {
        return "JdbcRunStore[" + db + "]";
    }
}
