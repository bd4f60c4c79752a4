package dev.memoria.jdbc;

import dev.memoria.AlreadyExistsException;
import dev.memoria.NotFoundException;
import dev.memoria.Page;
import dev.memoria.session.NewSession;
import dev.memoria.session.Session;
import dev.memoria.session.SessionFilter;
import dev.memoria.session.SessionOrder;
import dev.memoria.session.SessionStatus;
import dev.memoria.session.SessionStore;
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
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

final class JdbcSessionStore implements SessionStore {
    private static final String COLUMNS =
            "id, user_id, status, created_at, updated_at, last_activity_at, ended_at, labels, metadata, version";

    final Database db;
    private final String insert;
    private final String selectById;
    private final String update;
    private final String delete;
    private final String touch;

    JdbcSessionStore(Database db) {
        this.db = db;
        Tables t = db.tables;
        this.insert = t.sql("INSERT INTO {sessions} (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, " + db.jsonParam() + ", "
                + db.jsonParam() + ", ?) ON CONFLICT (id) DO NOTHING");
        this.touch = t.sql("UPDATE {sessions} SET last_activity_at = ? WHERE id = ? AND last_activity_at < ?");
        this.selectById = t.sql("SELECT " + COLUMNS + " FROM {sessions} WHERE id = ?");
        this.update = t.sql("UPDATE {sessions} SET user_id = ?, status = ?, updated_at = ?, ended_at = ?, labels = "
                + db.jsonParam() + ", metadata = " + db.jsonParam() + ", version = ? WHERE id = ? AND version = ?");
        this.delete = t.sql("DELETE FROM {sessions} WHERE id = ?");
    }

    @Override
    public Session create(NewSession spec) {
        Objects.requireNonNull(spec, "spec");
        Session session = Records.created(spec, db.clock.instant());
        int inserted = db.write(c -> {
            try (PreparedStatement ps = db.prepare(c, insert)) {
                Database.bindAll(ps, session.id(), session.userId(), session.status().name(),
                        session.createdAt().toEpochMilli(), session.updatedAt().toEpochMilli(),
                        session.lastActivityAt().toEpochMilli(), null,
                        db.json(session.labels()), db.json(session.metadata()), session.version());
                return ps.executeUpdate();
            }
        });
        if (inserted == 0) {
            throw new AlreadyExistsException("session", session.id());
        }
        return session;
    }

    @Override
    public Optional<Session> get(String id) {
        Checks.id(id, "id");
        return db.read(c -> find(c, id, false));
    }

    private Optional<Session> find(Connection c, String id, boolean lock) throws SQLException {
        try (PreparedStatement ps = db.prepare(c, selectById + (lock ? db.forUpdate() : ""))) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(map(rs)) : Optional.empty();
            }
        }
    }

    @Override
    public Session update(Session changed) {
        Objects.requireNonNull(changed, "changed");
        return db.write(c -> {
            Session current = find(c, changed.id(), true).orElseThrow(() -> new NotFoundException("session", changed.id()));
            return store(c, current, changed);
        });
    }

    /**
     * The read-modify-write runs under the row's write lock (SQLite: the one writer; PostgreSQL:
     * {@code SELECT ... FOR UPDATE}), so it never conflicts and never needs a retry, however many
     * writers there are. {@code change} therefore runs inside the transaction: keep it quick.
     */
    @Override
    public Session update(String id, UnaryOperator<Session> change) {
        Checks.id(id, "id");
        Objects.requireNonNull(change, "change");
        return db.write(c -> {
            Session current = find(c, id, true).orElseThrow(() -> new NotFoundException("session", id));
            return store(c, current, Objects.requireNonNull(change.apply(current), "change returned null"));
        });
    }

    private Session store(Connection c, Session current, Session changed) throws SQLException {
        Session stored = Records.updated(current, changed, db.clock.instant());
        try (PreparedStatement ps = db.prepare(c, update)) {
            Database.bindAll(ps, stored.userId(), stored.status().name(), stored.updatedAt().toEpochMilli(),
                    stored.endedAt() == null ? null : stored.endedAt().toEpochMilli(), db.json(stored.labels()),
                    db.json(stored.metadata()), stored.version(), stored.id(), current.version());
            if (ps.executeUpdate() != 1) {
                throw new dev.memoria.StoreStateException("session " + stored.id() + " changed under its row lock");
            }
        }
        return stored;
    }

    @Override
    public void touch(String id, Instant activityAt) {
        Checks.id(id, "id");
        long at = Objects.requireNonNull(activityAt, "activityAt").toEpochMilli();
        db.write(c -> {
            try (PreparedStatement ps = db.prepare(c, touch)) {
                Database.bindAll(ps, at, id, at);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public Page<Session> list(SessionFilter filter) {
        Objects.requireNonNull(filter, "filter");
        String scope = Filters.scope(filter);
        String time = filter.order() == SessionOrder.RECENTLY_ACTIVE_FIRST ? "last_activity_at" : "created_at";
        boolean descending = Filters.descending(filter.order());
        SqlWhere where = new SqlWhere(db).equal("user_id", filter.userId()).in("status", filter.statuses())
                .labels(filter.labels())
                .after("created_at", filter.createdAfter()).before("created_at", filter.createdBefore())
                .after("updated_at", filter.updatedAfter()).before("updated_at", filter.updatedBefore())
                .after("last_activity_at", filter.lastActivityAfter()).before("last_activity_at", filter.lastActivityBefore());
        if (filter.cursor() != null) {
            List<String> key = Cursors.decode(filter.cursor(), "sessions", scope, 2);
            where.after(time, descending, Cursors.number(key.get(0)), key.get(1));
        }
        where.orderBy(time, descending, filter.limit() + 1);
        List<Session> found = db.query(db.tables.sql("SELECT " + COLUMNS + " FROM {sessions}") + where.sql, where.params,
                JdbcSessionStore::map);
        return Cursors.page(found, filter.limit(), last -> Cursors.encode("sessions", scope,
                Long.toString(Filters.sortTime(filter.order(), last).toEpochMilli()), last.id()));
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

    private static Session map(ResultSet rs) throws SQLException {
        long ended = rs.getLong(7);
        Instant endedAt = rs.wasNull() ? null : Instant.ofEpochMilli(ended);
        Map<String, String> labels = Database.labels(rs.getString(8));
        return new Session(rs.getString(1), rs.getString(2), SessionStatus.valueOf(rs.getString(3)),
                Instant.ofEpochMilli(rs.getLong(4)), Instant.ofEpochMilli(rs.getLong(5)), Instant.ofEpochMilli(rs.getLong(6)),
                endedAt, labels, Database.jsonMap(rs.getString(9)), rs.getLong(10));
    }

    @Override
    public String toString() {
        return "JdbcSessionStore[" + db + "]";
    }
}
