package dev.memoria.jdbc;

import dev.memoria.Page;
import dev.memoria.memory.Event;
import dev.memoria.memory.EventQuery;
import dev.memoria.memory.EventType;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.memory.MemoryStore;
import dev.memoria.memory.Snapshot;
import dev.memoria.run.RunRef;
import dev.memoria.spi.Appends;
import dev.memoria.spi.Checks;
import dev.memoria.spi.Cursors;
import dev.memoria.spi.Filters;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * One row per event; a head row per run holds the last sequence. An append locks the head row
 * (PostgreSQL: {@code SELECT ... FOR UPDATE}; SQLite: the single writer), checks idempotency keys,
 * inserts the new rows and moves the head, in one transaction. So sequences are gap-free and
 * committed in order (M1, M5, M6), a batch is all or nothing (M2), and the cost of an append does
 * not depend on the run's length: every statement is an index lookup.
 */
final class JdbcMemoryStore implements MemoryStore {
    private static final String EVENT_COLUMNS = "run_id, seq, session_id, event_key, type, ts, data, labels";
    private static final List<String> KNOWN_TYPES = java.util.Arrays.stream(EventType.values())
            .filter(t -> t != EventType.UNKNOWN).map(EventType::name).toList();
    /**
     * M12: the run id names the log, but a read sees it only through the ref it was started with.
     * Events carry the session; the agent is on the head row, checked once per read (the
     * subquery does not depend on the row). Takes the run id and the agent id.
     */
    private static final String OWNED = "EXISTS (SELECT 1 FROM {run_heads} WHERE run_id = ? AND agent_id = ?)";

    private final Database db;
    /** Concurrent appends of this store share transactions (G1-G3); null when turned off. */
    private final GroupCommit groupCommit;
    private final String selectHead;
    private final String insertHead;
    private final String updateHead;
    private final String reserveHead;
    private final String insertEvent;
    private final String insertValues;
    private final String deleteEvents;
    private final String deleteHead;
    /** One read statement. */
    private record SqlQuery(String sql, List<Object> params) {
    }

    /** @param grouping whether concurrent appends share transactions ({@link JdbcOptions#groupCommit(boolean)}) */
    JdbcMemoryStore(Database db, boolean grouping) {
        this.db = db;
        this.groupCommit = grouping ? new GroupCommit(db) : null;
        Tables t = db.tables;
        this.selectHead = t.sql("SELECT session_id, agent_id, last_seq FROM {run_heads} WHERE run_id = ?") + db.forUpdate();
        this.insertHead = t.sql("INSERT INTO {run_heads} (run_id, session_id, agent_id, last_seq) VALUES (?, ?, ?, 0)"
                + " ON CONFLICT (run_id) DO NOTHING");
        this.updateHead = t.sql("UPDATE {run_heads} SET last_seq = ? WHERE run_id = ?");
        this.reserveHead = t.sql("UPDATE {run_heads} SET last_seq = last_seq + ? WHERE run_id = ?"
                + " RETURNING last_seq, session_id, agent_id");
        this.insertValues = "(?, ?, ?, ?, ?, ?, " + db.jsonParam() + ", " + db.jsonParam() + ")";
        this.insertEvent = t.sql("INSERT INTO {events} (" + EVENT_COLUMNS + ") VALUES ") + insertValues;
        this.deleteEvents = t.sql("DELETE FROM {events} WHERE run_id = ? AND session_id = ?");
        this.deleteHead = t.sql("DELETE FROM {run_heads} WHERE run_id = ? AND session_id = ?");
    }

    @Override
    public Snapshot load(RunRef run) {
        Objects.requireNonNull(run, "run");
        SqlQuery q = new SqlQuery(db.tables.sql("SELECT " + EVENT_COLUMNS
                + " FROM {events} WHERE run_id = ? AND session_id = ? AND " + OWNED + " ORDER BY seq"),
                List.of(run.runId(), run.sessionId(), run.runId(), run.agentId()));
        return new Snapshot(run, query(q, run));
    }

    @Override
    public List<MemoryEvent> append(RunRef run, List<Event> events) {
        Objects.requireNonNull(run, "run");
        List<Event> batch = Checks.events(events);
        if (batch.isEmpty()) {
            return List.of();
        }
        return appendBatch(run, -1, batch);
    }

    @Override
    public List<MemoryEvent> appendAfter(RunRef run, long expectedLastSequence, List<Event> events) {
        Objects.requireNonNull(run, "run");
        Checks.expectedSequence(expectedLastSequence);
        List<Event> batch = Checks.events(events);
        return appendBatch(run, expectedLastSequence, batch);
    }

    /**
     * Three paths, fastest first; each either does the whole append or finds out that it cannot
     * and leaves nothing written. The fast paths assume every key is new (the common case):
     * PostgreSQL moves the head and inserts in one statement; otherwise one transaction reserves
     * the sequences with one head update and inserts the batch with {@code ON CONFLICT DO
     * NOTHING}, checking the row count; an expected last sequence (M11) is a condition on the head
     * update. If a key was already stored (a retry), or the log is not at the expected sequence, the
     * checked path locks the head, looks the keys up and lets {@link Appends#decide} say what to
     * write or throw (M3, M11).
     */
    private List<MemoryEvent> appendBatch(RunRef run, long expected, List<Event> batch) {
        if (batch.isEmpty()) {
            return db.write(c -> appendChecked(c, run, expected, batch));
        }
        if (groupCommit == null) {
            return appendAlone(run, expected, batch);
        }
        return groupCommit.append(run.runId(), batch.size(), () -> appendAlone(run, expected, batch), (c, savepoint) -> {
            // the same paths inside a group's transaction: a fast path that cannot do the job rolls
            // back to the member's savepoint, and the checked path decides
            List<MemoryEvent> done;
            if (db.dialect == Dialect.POSTGRESQL) {
                try {
                    done = appendInOneStatement(c, run, expected, batch, db.clock.instant());
                } catch (SQLException e) {
                    if (!"23505".equals(e.getSQLState())) {
                        throw e;
                    }
                    savepoint.rollback();
                    done = null;
                }
            } else {
                done = appendAllNew(c, run, expected, batch);
                if (done == null) {
                    savepoint.rollback();
                }
            }
            return done != null ? done : appendChecked(c, run, expected, batch);
        });
    }

    /** One caller's append when nobody else is appending: its own transactions, fastest path first. */
    private List<MemoryEvent> appendAlone(RunRef run, long expected, List<Event> batch) {
        // an expectation is checked by the fast paths too: the head moves only from the expected
        // sequence; a mismatch (a conflict, or the retry of a write that succeeded) takes the checked path
        Instant now = db.clock.instant();
        List<MemoryEvent> done = db.dialect == Dialect.POSTGRESQL
                ? db.autocommitUnlessDuplicate(c -> appendInOneStatement(c, run, expected, batch, now))
                : db.writeOrRollBack(c -> appendAllNew(c, run, expected, batch));
        if (done != null) {
            return done;
        }
        return db.write(c -> appendChecked(c, run, expected, batch));
    }

    /**
     * PostgreSQL's fastest path, one round trip: a data-modifying CTE moves the head (locking it
     * and checking whose run it is) and inserts the rows at the sequences it reserved, as one
     * statement and so one transaction. If the head does not exist yet or names another session
     * or agent, nothing matches and nothing is written; if a key is already stored, the unique
     * index fails the whole statement. Either way the checked path takes over.
     *
     * @return the stored events, or null to fall back
     */
    private List<MemoryEvent> appendInOneStatement(Connection c, RunRef run, long expected, List<Event> batch, Instant now)
            throws SQLException {
        StringBuilder sql = new StringBuilder(db.tables.sql("WITH h AS (UPDATE {run_heads} SET last_seq = last_seq + ?"
                + " WHERE run_id = ? AND session_id = ? AND agent_id = ?" + (expected >= 0 ? " AND last_seq = ?" : "")
                + " RETURNING last_seq)"
                + " INSERT INTO {events} (run_id, seq, session_id, event_key, type, ts, data, labels)"
                + " SELECT ?, h.last_seq - ? + v.ord, ?, v.k, v.t, v.ts, CAST(v.d AS jsonb), CAST(v.l AS jsonb)"
                + " FROM h, (VALUES "));
        for (int i = 0; i < batch.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append("(CAST(? AS BIGINT), ?, ?, CAST(? AS BIGINT), ?, ?)");
        }
        sql.append(") AS v(ord, k, t, ts, d, l) RETURNING seq");
        try (PreparedStatement ps = db.prepare(c, sql.toString())) {
            int i = 1;
            ps.setLong(i++, batch.size());
            ps.setString(i++, run.runId());
            ps.setString(i++, run.sessionId());
            ps.setString(i++, run.agentId());
            if (expected >= 0) {
                ps.setLong(i++, expected);
            }
            ps.setString(i++, run.runId());
            ps.setLong(i++, batch.size());
            ps.setString(i++, run.sessionId());
            for (int e = 0; e < batch.size(); e++) {
                Event event = batch.get(e);
                ps.setLong(i++, e + 1);
                ps.setString(i++, event.key());
                ps.setString(i++, event.typeName());
                ps.setLong(i++, (event.timestamp() == null ? now : event.timestamp()).toEpochMilli());
                ps.setString(i++, db.json(event.data()));
                ps.setString(i++, db.json(event.labels()));
            }
            long last = 0;
            int n = 0;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    last = Math.max(last, rs.getLong(1));
                    n++;
                }
            }
            return n == 0 ? null : Appends.numbered(run, last - batch.size(), batch, now);
        }
    }

    /**
     * One statement moves the head, locks it and says whose it is; the insert then fills exactly
     * the sequences it reserved, all in this transaction.
     *
     * @return the stored events, or null (and the transaction rolls back) if a key was already stored
     *     or the log's last sequence is not the expected one
     */
    private List<MemoryEvent> appendAllNew(Connection c, RunRef run, long expected, List<Event> batch) throws SQLException {
        long last = reserve(c, run, batch.size());
        if (expected >= 0 && last - batch.size() != expected) {
            return null; // the log moved (or this is a retry): the checked path says which
        }
        List<MemoryEvent> fresh = Appends.numbered(run, last - batch.size(), batch, db.clock.instant());
        return insertRows(c, run, fresh) == fresh.size() ? fresh : null;
    }

    private List<MemoryEvent> appendChecked(Connection c, RunRef run, long expected, List<Event> batch) throws SQLException {
        long last = lockHead(c, run, !batch.isEmpty());
        Map<String, MemoryEvent> stored = batch.isEmpty() ? Map.of() : existingByKey(c, run, batch);
        Appends.Decision decision = Appends.decide(run, last, expected, batch, stored, db.clock.instant()).orThrow();
        if (insertRows(c, run, decision.toWrite()) != decision.toWrite().size()) {
            // the head row is locked, so no other writer of this run can be inserting
            throw new dev.memoria.StoreStateException("run " + run.runId() + ": a key appeared under the head row lock");
        }
        if (!decision.toWrite().isEmpty()) {
            try (PreparedStatement ps = db.prepare(c, updateHead)) {
                Database.bindAll(ps, decision.lastSequence(), run.runId());
                ps.executeUpdate();
            }
        }
        return decision.result();
    }

    /**
     * One multi-row INSERT for the whole batch: a round trip and a statement parse per append, not
     * per event (a JDBC batch costs one per row on drivers that do not rewrite it).
     */
    private int insertRows(Connection c, RunRef run, List<MemoryEvent> rows) throws SQLException {
        if (rows.isEmpty()) {
            return 0;
        }
        String sql = insertEvent + (", " + insertValues).repeat(rows.size() - 1) + " ON CONFLICT (run_id, event_key) DO NOTHING";
        try (PreparedStatement ps = db.prepare(c, sql)) {
            int i = 1;
            for (MemoryEvent e : rows) {
                ps.setString(i++, run.runId());
                ps.setLong(i++, e.sequence());
                ps.setString(i++, run.sessionId());
                ps.setString(i++, e.key());
                ps.setString(i++, e.typeName());
                ps.setLong(i++, e.timestamp().toEpochMilli());
                ps.setString(i++, db.json(e.data()));
                ps.setString(i++, db.json(e.labels()));
            }
            return ps.executeUpdate();
        }
    }

    /** Moves the head by {@code count}, creating it on the first append; returns the new last sequence. */
    private long reserve(Connection c, RunRef run, int count) throws SQLException {
        for (int attempt = 0; attempt < 2; attempt++) {
            try (PreparedStatement ps = db.prepare(c, reserveHead)) {
                Database.bindAll(ps, count, run.runId());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        Appends.checkOwner(run, rs.getString(2), rs.getString(3));
                        return rs.getLong(1);
                    }
                }
            }
            try (PreparedStatement ps = db.prepare(c, insertHead)) {
                Database.bindAll(ps, run.runId(), run.sessionId(), run.agentId());
                ps.executeUpdate(); // a concurrent first append may win: then the update finds its row
            }
        }
        throw new dev.memoria.StoreStateException("head row of run " + run.runId() + " vanished while appending");
    }

    /** Locks the run's head row, creating it if asked, checks the ref, and returns the last sequence. */
    private long lockHead(Connection c, RunRef run, boolean create) throws SQLException {
        for (int attempt = 0; attempt < 2; attempt++) {
            try (PreparedStatement ps = db.prepare(c, selectHead)) {
                ps.setString(1, run.runId());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        Appends.checkOwner(run, rs.getString(1), rs.getString(2));
                        return rs.getLong(3);
                    }
                }
            }
            if (!create) {
                return 0;
            }
            try (PreparedStatement ps = db.prepare(c, insertHead)) {
                Database.bindAll(ps, run.runId(), run.sessionId(), run.agentId());
                ps.executeUpdate(); // a concurrent first append may win the insert: then we lock its row
            }
        }
        throw new dev.memoria.StoreStateException("head row of run " + run.runId() + " vanished while appending");
    }

    /**
     * The stored events among the batch's keys. PostgreSQL gets one array parameter: a long IN
     * list makes its cached generic plan leave the unique index once the table grows.
     */
    private Map<String, MemoryEvent> existingByKey(Connection c, RunRef run, List<Event> batch) throws SQLException {
        String select = db.tables.sql("SELECT " + EVENT_COLUMNS + " FROM {events} WHERE run_id = ? AND event_key ");
        String sql = db.dialect == Dialect.POSTGRESQL ? select + "= ANY(?)"
                : select + "IN (" + "?, ".repeat(batch.size() - 1) + "?)";
        Map<String, MemoryEvent> found = new HashMap<>();
        try (PreparedStatement ps = db.prepare(c, sql)) {
            ps.setString(1, run.runId());
            if (db.dialect == Dialect.POSTGRESQL) {
                ps.setArray(2, c.createArrayOf("varchar", batch.stream().map(Event::key).toArray()));
            } else {
                for (int i = 0; i < batch.size(); i++) {
                    ps.setString(i + 2, batch.get(i).key());
                }
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    MemoryEvent e = map(rs, run);
                    found.put(e.key(), e);
                }
            }
        }
        return found;
    }

    @Override
    public Page<MemoryEvent> read(EventQuery query) {
        Objects.requireNonNull(query, "query");
        return query.isSessionScope() ? readSession(query) : readRun(query);
    }

    private Page<MemoryEvent> readRun(EventQuery query) {
        String scope = Filters.scope(query);
        long after = query.afterSequence();
        if (query.cursor() != null) {
            after = Math.max(after, Cursors.number(Cursors.decode(query.cursor(), "run-events", scope, 1).get(0)));
        }
        RunRef run = query.run() != null ? query.run() : storedRef(query.runId());
        if (run == null) {
            return new Page<>(List.of(), null);
        }
        List<Object> params = new ArrayList<>(List.of(run.runId(), run.sessionId(), run.runId(), run.agentId(), after));
        StringBuilder sql = new StringBuilder(db.tables.sql("SELECT " + EVENT_COLUMNS
                + " FROM {events} WHERE run_id = ? AND session_id = ? AND " + OWNED + " AND seq > ?"));
        if (!query.isFiltered()) {
            // sequences have no gaps, so the rows wanted are a known key range: the plan cannot
            // wander off the primary key, whatever the planner's statistics say
            if (query.isLatest()) {
                sql.append(db.tables.sql(" AND seq > (SELECT last_seq FROM {run_heads} WHERE run_id = ?) - ?"));
                params.add(run.runId());
                params.add(query.limit());
            } else {
                sql.append(" AND seq <= ?");
                params.add(after + query.limit() + 1);
            }
        }
        appendTypes(query, sql, params);
        appendLabelsAndTimes(query, sql, params);
        sql.append(query.isLatest() ? " ORDER BY seq DESC LIMIT ?" : " ORDER BY seq LIMIT ?");
        params.add(query.isLatest() ? query.limit() : query.limit() + 1);
        List<MemoryEvent> found = query(new SqlQuery(sql.toString(), params), run);
        if (query.isLatest()) {
            Collections.reverse(found);
            return new Page<>(found, null);
        }
        return Cursors.page(found, query.limit(), last -> Cursors.encode("run-events", scope, Long.toString(last.sequence())));
    }

    /** The ref a run's log was started with, from its head row; null if the run has no log. */
    private RunRef storedRef(String runId) {
        return db.read(c -> {
            try (PreparedStatement ps = db.prepare(c, db.tables.sql("SELECT session_id, agent_id FROM {run_heads} WHERE run_id = ?"))) {
                ps.setString(1, runId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? new RunRef(rs.getString(1), rs.getString(2), runId) : null;
                }
            }
        });
    }

    /** Labels are matched row by row (no index); time bounds use the timestamp column. */
    private void appendLabelsAndTimes(EventQuery query, StringBuilder sql, List<Object> params) {
        LabelSql.append(db, query.labels(), sql, params);
        if (query.timestampAfter() != null) {
            sql.append(" AND ts > ?");
            params.add(query.timestampAfter().toEpochMilli());
        }
        if (query.timestampBefore() != null) {
            sql.append(" AND ts < ?");
            params.add(query.timestampBefore().toEpochMilli());
        }
    }

    /**
     * One index-ordered scan per type, each limited, merged by one outer sort of at most
     * types × limit rows: a filter on several types would otherwise leave the planner to sort
     * every matching event of the session (seen on PostgreSQL: 130 ms for the history window of a
     * 100,000-event session, against 0.3 ms for this form).
     */
    private Page<MemoryEvent> readSession(EventQuery query) {
        String scope = Filters.scope(query);
        List<String> cursorKey = query.cursor() == null ? null
                : Cursors.decode(query.cursor(), "session-events", scope, 3);
        String order = query.isLatest() ? " ORDER BY ts DESC, run_id DESC, seq DESC LIMIT ?" : " ORDER BY ts, run_id, seq LIMIT ?";
        int limit = query.isLatest() ? query.limit() : query.limit() + 1;
        List<EventType> types = new ArrayList<>(new TreeSet<>(query.types()));
        if (types.isEmpty()) {
            types.add(null);
        }
        List<Object> params = new ArrayList<>();
        List<String> parts = new ArrayList<>();
        for (EventType type : types) {
            StringBuilder part = new StringBuilder(db.tables.sql("SELECT " + EVENT_COLUMNS + " FROM {events} WHERE session_id = ?"));
            params.add(query.sessionId());
            if (type != null) {
                part.append(" AND ").append(typeCondition(java.util.Set.of(type), params));
            }
            appendLabelsAndTimes(query, part, params);
            if (cursorKey != null) {
                part.append(" AND (ts, run_id, seq) > (?, ?, ?)");
                params.add(Cursors.number(cursorKey.get(0)));
                params.add(cursorKey.get(1));
                params.add(Cursors.number(cursorKey.get(2)));
            }
            part.append(order);
            params.add(limit);
            parts.add(part.toString());
        }
        StringBuilder sql = new StringBuilder();
        if (parts.size() == 1) {
            sql.append(parts.get(0));
        } else {
            sql.append("SELECT * FROM (");
            for (int i = 0; i < parts.size(); i++) {
                sql.append(i == 0 ? "" : " UNION ALL ").append("SELECT * FROM (").append(parts.get(i)).append(") AS t").append(i);
            }
            sql.append(") AS merged").append(order);
            params.add(limit);
        }
        List<MemoryEvent> found = query(new SqlQuery(sql.toString(), params), null);
        if (query.isLatest()) {
            Collections.reverse(found);
            return new Page<>(found, null);
        }
        return Cursors.page(found, query.limit(), last -> Cursors.encode("session-events", scope,
                Long.toString(last.timestamp().toEpochMilli()), last.run().runId(), Long.toString(last.sequence())));
    }

    /**
     * One type uses the (run, type, seq) index. Several types are filtered while walking the
     * primary key in sequence order (SQLite: the unary {@code +} keeps the planner off the type
     * index, which would read every event of those types to sort them).
     */
    private void appendTypes(EventQuery query, StringBuilder sql, List<Object> params) {
        if (query.types().isEmpty()) {
            return;
        }
        sql.append(" AND ").append(typeCondition(query.types(), params));
    }

    /**
     * One type uses the (run, type, seq) index. Several types are filtered while walking the
     * primary key in sequence order (SQLite: the unary {@code +} keeps the planner off the type
     * index, which would read every event of those types to sort them). {@code UNKNOWN} stands
     * for every stored name this version does not know.
     */
    private String typeCondition(java.util.Set<EventType> types, List<Object> params) {
        List<String> known = new ArrayList<>();
        for (EventType t : new TreeSet<>(types)) {
            if (t != EventType.UNKNOWN) {
                known.add(t.name());
            }
        }
        String column = known.size() == 1 && !types.contains(EventType.UNKNOWN) ? "type"
                : db.dialect == Dialect.SQLITE ? "+type" : "type";
        StringBuilder condition = new StringBuilder();
        if (!known.isEmpty()) {
            condition.append(column).append(known.size() == 1 ? " = ?" : " IN (" + "?, ".repeat(known.size() - 1) + "?)");
            params.addAll(known);
        }
        if (types.contains(EventType.UNKNOWN)) {
            condition.insert(0, known.isEmpty() ? "" : "(").append(known.isEmpty() ? "" : " OR ")
                    .append(column).append(" NOT IN (").append("?, ".repeat(KNOWN_TYPES.size() - 1)).append("?)")
                    .append(known.isEmpty() ? "" : ")");
            params.addAll(KNOWN_TYPES);
        }
        return condition.toString();
    }

    private List<MemoryEvent> query(SqlQuery q, RunRef knownRun) {
        return db.read(c -> {
            List<MemoryEvent> out = new ArrayList<>();
            try (PreparedStatement ps = db.prepare(c, q.sql())) {
                Database.bindAll(ps, q.params().toArray());
                try (ResultSet rs = ps.executeQuery()) {
                    Map<String, RunRef> refs = new HashMap<>();
                    while (rs.next()) {
                        out.add(map(rs, knownRun != null ? knownRun : refOf(c, rs.getString(1), rs.getString(3), refs)));
                    }
                }
            }
            return out;
        });
    }

    /** Session reads span runs: their agents come from the head rows, once per run. */
    private RunRef refOf(Connection c, String runId, String sessionId, Map<String, RunRef> cache) throws SQLException {
        RunRef ref = cache.get(runId);
        if (ref == null) {
            try (PreparedStatement ps = db.prepare(c, db.tables.sql("SELECT agent_id FROM {run_heads} WHERE run_id = ?"))) {
                ps.setString(1, runId);
                try (ResultSet rs = ps.executeQuery()) {
                    ref = new RunRef(sessionId, rs.next() ? rs.getString(1) : "unknown", runId);
                }
            }
            cache.put(runId, ref);
        }
        return ref;
    }

    private static MemoryEvent map(ResultSet rs, RunRef run) throws SQLException {
        return new MemoryEvent(run, rs.getLong(2), rs.getString(4), rs.getString(5),
                Instant.ofEpochMilli(rs.getLong(6)), Database.jsonMap(rs.getString(7)), Database.labels(rs.getString(8)));
    }

    @Override
    public long delete(RunRef run) {
        Objects.requireNonNull(run, "run");
        return db.write(c -> {
            // lock the head first, so that an append in flight finishes before its events are counted
            try (PreparedStatement ps = db.prepare(c, selectHead)) {
                ps.setString(1, run.runId());
                ps.executeQuery().close();
            }
            long removed;
            try (PreparedStatement ps = db.prepare(c, deleteEvents)) {
                Database.bindAll(ps, run.runId(), run.sessionId());
                removed = ps.executeUpdate();
            }
            try (PreparedStatement ps = db.prepare(c, deleteHead)) {
                Database.bindAll(ps, run.runId(), run.sessionId());
                ps.executeUpdate();
            }
            return removed;
        });
    }

    @Override
    public String toString() {
        return "JdbcMemoryStore[" + db + "]";
    }
}
