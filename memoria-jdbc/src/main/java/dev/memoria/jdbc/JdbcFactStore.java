package dev.memoria.jdbc;

import dev.memoria.ConflictException;
import dev.memoria.Limits;
import dev.memoria.Page;
import dev.memoria.StoreUnavailableException;
import dev.memoria.fact.Fact;
import dev.memoria.fact.FactMatch;
import dev.memoria.fact.FactQuery;
import dev.memoria.fact.FactSource;
import dev.memoria.fact.FactStore;
import dev.memoria.fact.Namespace;
import dev.memoria.fact.NewFact;
import dev.memoria.run.RunRef;
import dev.memoria.spi.Checks;
import dev.memoria.spi.Facts;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;

/**
 * One row per fact version (K1–K10), for SQLite and PostgreSQL.
 *
 * <p>Writes: a put, or a batch of puts, is one transaction, and every write of a batch sees the
 * earlier ones (the same results as puts one by one). SQLite has one writer at a time
 * ({@code BEGIN IMMEDIATE}), so a put never races. PostgreSQL locks the key's current row
 * {@code FOR UPDATE}; the partial unique indexes (one current version per namespace and key, one
 * fact per namespace and idempotency key) settle what that lock cannot see: two first puts of a
 * key, or two puts of one idempotency key, that both found nothing. The loser's transaction
 * fails on the index, rolls back whole, and runs again: it then finds the winner's fact and
 * supersedes it (or returns it). A batch touching several keys first takes an advisory lock per
 * key in one sorted order, so two batches never deadlock on each other's rows.
 *
 * <p>Words: the row keeps core's normalised words ({@link Facts#indexText(String)}), never
 * re-normalised by the database. SQLite indexes them with FTS5 ({@code tokenize='ascii'}: each
 * of core's words is exactly one token; triggers keep the index in the writing transaction) and
 * ranks by FTS5's {@code bm25()}. PostgreSQL stores a {@code tsvector} built in Java from the
 * words and their positions (no parser, no dictionary), under a GIN index, and ranks by
 * {@code ts_rank}. A word search reads from the index the facts holding every word of the query,
 * in any namespace, and filters those (namespace, validity, expiry, key, labels, source) in SQL:
 * its cost is the matches of the words, not the size of the namespace (K10).
 *
 * <p>Similarity: vectors are little-endian float32 blobs, compared in Java
 * ({@link Facts#bySimilarity}) over the admitted facts that have one, streamed from one query.
 */
final class JdbcFactStore implements FactStore {
    /** The columns a fact is read from, in the order {@link #map(ResultSet)} expects. */
    private static final String COLUMNS = "id, namespace, fact_key, text, data, labels, source_session_id,"
            + " source_agent_id, source_run_id, source_seq, version, created_at, valid_from, valid_to, expires_at,"
            + " vector, idempotency_key";
    private static final int SCORE_COLUMN = 18;
    /** How often a transaction that lost a race on a unique index (or a deadlock) runs again. */
    private static final int MAX_ATTEMPTS = 100;
    /** Rows sent in one JDBC batch of inserts. */
    private static final int INSERT_BATCH = 500;
    /** PostgreSQL keeps word positions up to this one; larger ones count as it. */
    private static final int MAX_POSITION = 16383;
    /** PostgreSQL keeps at most this many positions per word of a tsvector. */
    private static final int MAX_POSITIONS = 256;

    private final Database db;
    private final boolean postgres;
    private final String insert;
    private final String selectById;
    private final String selectByIdempotencyKey;
    private final String selectCurrent;
    private final String selectNewestVersion;
    private final String supersede;
    private final String selectHistory;
    private final String deleteById;
    private final String prune;
    private final String lockKeys;

    JdbcFactStore(Database db) {
        this.db = db;
        this.postgres = db.dialect == Dialect.POSTGRESQL;
        Tables t = db.tables;
        String select = "SELECT " + COLUMNS + " FROM {facts}";
        this.insert = t.sql("INSERT INTO {facts} (" + COLUMNS + ", words) VALUES (?, ?, ?, ?, " + db.jsonParam() + ", "
                + db.jsonParam() + ", ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, " + (postgres ? "CAST(? AS tsvector)" : "?") + ")");
        this.selectById = t.sql(select + " WHERE id = ?");
        this.selectByIdempotencyKey = t.sql(select + " WHERE namespace = ? AND idempotency_key = ?");
        this.selectCurrent = t.sql(select + " WHERE namespace = ? AND fact_key = ? AND valid_to IS NULL") + db.forUpdate();
        this.selectNewestVersion = t.sql("SELECT MAX(version) FROM {facts} WHERE namespace = ? AND fact_key = ?");
        this.supersede = t.sql("UPDATE {facts} SET valid_to = ? WHERE id = ?");
        this.selectHistory = t.sql(select + " WHERE namespace = ? AND fact_key = ? AND (expires_at IS NULL OR expires_at > ?)"
                + " ORDER BY version");
        this.deleteById = t.sql("DELETE FROM {facts} WHERE id = ?");
        this.prune = t.sql("DELETE FROM {facts} WHERE id IN (SELECT id FROM {facts}"
                + " WHERE expires_at IS NOT NULL AND expires_at <= ? LIMIT ?)");
        // unnest yields the array's elements in order, and each lock is taken as its row is produced
        this.lockKeys = "SELECT pg_advisory_xact_lock(k) FROM unnest(CAST(? AS bigint[])) AS k";
    }

    // ---------------------------------------------------------------- writes

    @Override
    public Fact put(NewFact fact) {
        Objects.requireNonNull(fact, "fact");
        return store(List.of(fact)).get(0);
    }

    @Override
    public List<Fact> putAll(List<NewFact> facts) {
        Objects.requireNonNull(facts, "facts");
        if (facts.size() > Limits.MAX_EVENTS_PER_APPEND) {
            throw new IllegalArgumentException("facts: at most " + Limits.MAX_EVENTS_PER_APPEND + " per call, got "
                    + facts.size());
        }
        if (facts.isEmpty()) {
            return List.of();
        }
        List<NewFact> batch = new ArrayList<>(facts.size());
        for (NewFact f : facts) {
            batch.add(Objects.requireNonNull(f, "facts: element"));
        }
        return store(batch);
    }

    /** Puts the facts one after the other, as {@link #put} would, in one transaction. */
    private List<Fact> store(List<NewFact> batch) {
        long[] locks = postgres && batch.size() > 1 ? keyLocks(batch) : new long[0];
        return writeRetryingRaces(c -> {
            if (locks.length > 1) {
                try (PreparedStatement ps = db.prepare(c, lockKeys)) {
                    ps.setArray(1, c.createArrayOf("bigint", java.util.Arrays.stream(locks).boxed().toArray()));
                    ps.executeQuery().close();
                }
            }
            Writer writer = new Writer(c, db.clock.instant());
            List<Fact> stored = new ArrayList<>(batch.size());
            for (NewFact fact : batch) {
                stored.add(writer.put(fact));
            }
            writer.flush();
            return stored;
        });
    }

    /**
     * A PostgreSQL batch that touches several keys (or idempotency keys) locks each of them first,
     * with a transaction-scoped advisory lock, in one sorted order: two batches that supersede the
     * same keys in different orders would otherwise lock their current rows (or wait on each
     * other's new rows in the unique index) in opposite orders and deadlock. A single put holds
     * at most one row lock while it waits, cannot deadlock, and takes no advisory lock.
     *
     * @return the sorted, distinct 64-bit hashes of what the batch locks
     */
    private long[] keyLocks(List<NewFact> batch) {
        java.util.TreeSet<Long> locks = new java.util.TreeSet<>();
        for (NewFact f : batch) {
            if (f.key() != null) {
                locks.add(hash("key\u001f" + f.namespace().path() + '\u001f' + f.key()));
            }
            if (f.idempotencyKey() != null) {
                locks.add(hash("idempotency\u001f" + f.namespace().path() + '\u001f' + f.idempotencyKey()));
            }
        }
        return locks.stream().mapToLong(Long::longValue).toArray();
    }

    /** FNV-1a, 64 bits, of the table prefix and the name, in UTF-8: stable across processes and versions. */
    private long hash(String name) {
        long h = 0xcbf29ce484222325L;
        for (byte b : (db.tables.prefix + '\u001f' + name).getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    /**
     * The puts of one transaction. Facts without key or idempotency key need no read: their
     * inserts are sent in JDBC batches. A fact with either flushes what is pending first, so that
     * its reads see every earlier fact of the batch, exactly as separate puts would.
     */
    private final class Writer {
        private final Connection c;
        private final Instant now;
        private final List<Fact> pending = new ArrayList<>();

        Writer(Connection c, Instant now) {
            this.c = c;
            this.now = now;
        }

        Fact put(NewFact fact) throws SQLException {
            String ns = fact.namespace().path();
            if (fact.idempotencyKey() != null) {
                flush();
                Fact done = one(c, selectByIdempotencyKey, ns, fact.idempotencyKey());
                if (done != null) {
                    if (!done.hasSameContentAs(fact) || !Objects.equals(done.key(), fact.key())) {
                        throw new ConflictException("idempotencyKey " + Checks.shorten(fact.idempotencyKey())
                                + " was used in " + fact.namespace() + " for another fact: " + done.id());
                    }
                    return done;
                }
            }
            long version = 1;
            Instant at = now;
            if (fact.key() != null) {
                flush();
                Fact current = one(c, selectCurrent, ns, fact.key());
                if (current != null && current.hasSameContentAs(fact) && !current.isExpiredAt(now)) {
                    return current;
                }
                version = newestVersion(ns, fact.key()) + 1;
                if (current != null) {
                    // another process's clock may be behind the one that stored the current fact:
                    // the new version never starts before the one it supersedes
                    if (at.isBefore(current.validFrom())) {
                        at = current.validFrom();
                    }
                    try (PreparedStatement ps = db.prepare(c, supersede)) {
                        Database.bindAll(ps, at.toEpochMilli(), current.id());
                        ps.executeUpdate();
                    }
                }
            }
            Fact stored = Facts.stored(fact, Facts.newId(), version, at);
            pending.add(stored);
            if (pending.size() >= INSERT_BATCH) {
                flush();
            }
            return stored;
        }

        private long newestVersion(String ns, String key) throws SQLException {
            try (PreparedStatement ps = db.prepare(c, selectNewestVersion)) {
                Database.bindAll(ps, ns, key);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : 0;
                }
            }
        }

        void flush() throws SQLException {
            if (pending.isEmpty()) {
                return;
            }
            try (PreparedStatement ps = db.prepare(c, insert)) {
                if (pending.size() == 1) {
                    bindInsert(ps, pending.get(0));
                    ps.executeUpdate();
                } else {
                    for (Fact f : pending) {
                        bindInsert(ps, f);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            }
            pending.clear();
        }
    }

    private void bindInsert(PreparedStatement ps, Fact f) throws SQLException {
        int i = 1;
        ps.setString(i++, f.id());
        ps.setString(i++, f.namespace().path());
        setString(ps, i++, f.key());
        ps.setString(i++, f.text());
        ps.setString(i++, db.json(f.data()));
        ps.setString(i++, db.json(f.labels()));
        FactSource source = f.source();
        setString(ps, i++, source == null ? null : source.run().sessionId());
        setString(ps, i++, source == null ? null : source.run().agentId());
        setString(ps, i++, source == null ? null : source.run().runId());
        setLong(ps, i++, source == null ? null : source.sequence());
        ps.setLong(i++, f.version());
        ps.setLong(i++, f.createdAt().toEpochMilli());
        ps.setLong(i++, f.validFrom().toEpochMilli());
        setLong(ps, i++, f.validTo() == null ? null : f.validTo().toEpochMilli());
        setLong(ps, i++, f.expiresAt() == null ? null : f.expiresAt().toEpochMilli());
        if (f.dimensions() == 0) {
            ps.setNull(i++, Types.BINARY);
        } else {
            ps.setBytes(i++, encode(f.vector()));
        }
        setString(ps, i++, f.idempotencyKey());
        // core's words, as they are: they hold letters and digits only, so FTS5's ascii tokenizer
        // splits Facts.indexText at its spaces and nowhere else
        ps.setString(i, postgres ? tsvector(Facts.indexWords(f.text())) : Facts.indexText(f.text()));
    }

    private static void setString(PreparedStatement ps, int i, String value) throws SQLException {
        if (value == null) {
            ps.setNull(i, Types.VARCHAR);
        } else {
            ps.setString(i, value);
        }
    }

    private static void setLong(PreparedStatement ps, int i, Long value) throws SQLException {
        if (value == null) {
            ps.setNull(i, Types.BIGINT);
        } else {
            ps.setLong(i, value);
        }
    }

    /**
     * Runs a write transaction, and runs it again when it lost a race that rolled it back whole:
     * a unique index that a concurrent first put (or idempotency key, or restore) took first, or
     * a PostgreSQL deadlock or serialization failure. Each run starts over from a fresh view, so
     * the second run sees the winner's fact.
     */
    private <T> T writeRetryingRaces(SqlWork<T> work) {
        for (int attempt = 1; ; attempt++) {
            try {
                return db.write(work);
            } catch (StoreUnavailableException e) {
                if (attempt >= MAX_ATTEMPTS || !(e.getCause() instanceof SQLException sql) || !lostARace(sql)) {
                    throw e;
                }
            }
        }
    }

    private boolean lostARace(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && isRace(s)) {
                return true;
            }
            if (t instanceof BatchUpdateException b && b.getNextException() != null && isRace(b.getNextException())) {
                return true;
            }
        }
        return false;
    }

    private boolean isRace(SQLException s) {
        if (postgres) {
            String state = s.getSQLState() == null ? "" : s.getSQLState();
            return state.equals("23505") || state.equals("40P01") || state.equals("40001");
        }
        return false; // one writer at a time: a SQLite write never races
    }

    @Override
    public boolean delete(String id) {
        Checks.id(id, "id");
        return db.write(c -> {
            try (PreparedStatement ps = db.prepare(c, deleteById)) {
                ps.setString(1, id);
                return ps.executeUpdate() > 0;
            }
        });
    }

    /**
     * Steps of {@link Facts#DELETE_BATCH} rows, each its own transaction, until a step finds
     * nothing left: an interrupted deletion leaves whole steps done, and the next call goes on.
     */
    @Override
    public long deleteNamespace(Namespace prefix) {
        Facts.deletable(prefix);
        StringBuilder where = new StringBuilder(" WHERE 1 = 1");
        List<Object> params = new ArrayList<>();
        within(prefix, where, params);
        params.add(Facts.DELETE_BATCH);
        String sql = db.tables.sql("DELETE FROM {facts} WHERE id IN (SELECT id FROM {facts}" + where + " LIMIT ?)");
        return inSteps(sql, params.toArray());
    }

    @Override
    public long prune() {
        return inSteps(prune, db.clock.millis(), Facts.DELETE_BATCH);
    }

    private long inSteps(String sql, Object... params) {
        long removed = 0;
        while (true) {
            int step = db.write(c -> {
                try (PreparedStatement ps = db.prepare(c, sql)) {
                    Database.bindAll(ps, params);
                    return ps.executeUpdate();
                }
            });
            removed += step;
            if (step == 0) {
                return removed;
            }
        }
    }

    @Override
    public Fact restore(Fact fact) {
        Objects.requireNonNull(fact, "fact");
        return writeRetryingRaces(c -> {
            String ns = fact.namespace().path();
            Fact existing = one(c, selectById + db.forUpdate(), fact.id());
            if (existing != null) {
                if (existing.equals(fact)) {
                    return existing;
                }
                throw new ConflictException("fact " + Checks.shorten(fact.id()) + " is already stored with other content");
            }
            if (fact.idempotencyKey() != null) {
                Fact used = one(c, selectByIdempotencyKey, ns, fact.idempotencyKey());
                if (used != null) {
                    throw new ConflictException("idempotencyKey " + Checks.shorten(fact.idempotencyKey())
                            + " is already used in " + fact.namespace() + " by fact " + used.id());
                }
            }
            if (fact.key() != null && fact.isCurrent()) {
                Fact current = one(c, selectCurrent, ns, fact.key());
                if (current != null) {
                    throw new ConflictException("key " + Checks.shorten(fact.key()) + " already has a current fact in "
                            + fact.namespace() + ": " + current.id());
                }
            }
            try (PreparedStatement ps = db.prepare(c, insert)) {
                bindInsert(ps, fact);
                ps.executeUpdate();
            }
            return fact;
        });
    }

    // ---------------------------------------------------------------- reads

    @Override
    public Optional<Fact> get(String id) {
        Checks.id(id, "id");
        Instant now = db.clock.instant();
        Fact fact = db.read(c -> one(c, selectById, id));
        return fact == null || fact.isExpiredAt(now) ? Optional.empty() : Optional.of(fact);
    }

    @Override
    public List<Fact> history(Namespace namespace, String key) {
        Objects.requireNonNull(namespace, "namespace");
        Checks.id(key, "key");
        long now = db.clock.millis();
        return db.query(selectHistory, List.of(namespace.path(), key, now), JdbcFactStore::map);
    }

    @Override
    public Page<FactMatch> search(FactQuery query) {
        Objects.requireNonNull(query, "query");
        Facts.requireVector(query);
        Facts.After after = Facts.after(query); // a foreign cursor is refused before any work
        Instant now = db.clock.instant();
        return switch (query.mode()) {
            case HYBRID -> Facts.hybrid(query, this::search);
            case SIMILAR -> similar(query, now);
            case LIST -> list(query, after, now);
            case WORDS -> words(query, after, now);
        };
    }

    /** Newest first, resuming after the cursor's (createdAt, id), filtered in SQL. */
    private Page<FactMatch> list(FactQuery query, Facts.After after, Instant now) {
        StringBuilder sql = new StringBuilder(db.tables.sql("SELECT " + COLUMNS + " FROM {facts} WHERE 1 = 1"));
        List<Object> params = new ArrayList<>();
        filters(query, now, sql, params);
        if (after != null) {
            sql.append(" AND (created_at < ? OR (created_at = ? AND id < ?))");
            params.add(after.createdAtMillis());
            params.add(after.createdAtMillis());
            params.add(after.id());
        }
        sql.append(" ORDER BY created_at DESC, id DESC LIMIT ?");
        params.add(query.limit() + 1);
        List<FactMatch> found = db.query(sql.toString(), params, rs -> new FactMatch(map(rs), 0));
        return Facts.page(query, found);
    }

    /**
     * Best first (score descending, then id), from the word index. The ranked matches are a
     * subquery (PostgreSQL: a materialized CTE, so that the GIN index always drives, whatever the
     * planner's statistics say about the namespace), and the cursor and the limit apply to it.
     */
    private Page<FactMatch> words(FactQuery query, Facts.After after, Instant now) {
        List<String> words = query.words();
        if (words.isEmpty()) {
            return new Page<>(List.of(), null);
        }
        StringBuilder sql = new StringBuilder();
        List<Object> params = new ArrayList<>();
        if (postgres) {
            String tsquery = tsquery(words);
            sql.append(db.tables.sql("WITH hits AS MATERIALIZED (SELECT " + COLUMNS
                    + ", CAST(ts_rank(words, CAST(? AS tsquery), 1) AS float8) AS score FROM {facts}"
                    + " WHERE words @@ CAST(? AS tsquery)) SELECT " + COLUMNS + ", score FROM hits WHERE 1 = 1"));
            params.add(tsquery);
            params.add(tsquery);
            filters(query, now, sql, params);
        } else {
            // the index drives (CROSS JOIN fixes the join order) and each match is one rowid lookup
            sql.append(db.tables.sql("SELECT * FROM (SELECT " + qualified("f.") + ", -bm25({fact_words}) AS score"
                    + " FROM {fact_words} CROSS JOIN {facts} AS f ON f.seq = {fact_words}.rowid"
                    + " WHERE {fact_words} MATCH ?"));
            params.add(ftsQuery(words));
            filters(query, now, sql, params);
            sql.append(") AS ranked WHERE 1 = 1");
        }
        if (after != null) {
            sql.append(" AND (score < ? OR (score = ? AND id > ?))");
            params.add(after.score());
            params.add(after.score());
            params.add(after.id());
        }
        sql.append(" ORDER BY score DESC, id LIMIT ?");
        params.add(query.limit() + 1);
        List<FactMatch> found = db.query(sql.toString(), params, rs -> new FactMatch(map(rs), rs.getDouble(SCORE_COLUMN)));
        return Facts.page(query, found);
    }

    /** Brute force over the admitted facts that have a vector, streamed from one query. */
    private Page<FactMatch> similar(FactQuery query, Instant now) {
        StringBuilder sql = new StringBuilder(db.tables.sql("SELECT " + COLUMNS + " FROM {facts} WHERE vector IS NOT NULL"));
        List<Object> params = new ArrayList<>();
        filters(query, now, sql, params);
        return db.read(c -> {
            try (PreparedStatement ps = db.prepare(c, sql.toString())) {
                Database.bindAll(ps, params.toArray());
                try (ResultSet rs = ps.executeQuery()) {
                    try {
                        return Facts.bySimilarity(query, () -> rows(rs), now);
                    } catch (RowFailure e) {
                        throw e.getCause();
                    }
                }
            }
        });
    }

    /** A row that could not be read while streaming; unwrapped into its SQLException. */
    private static final class RowFailure extends RuntimeException {
        RowFailure(SQLException cause) {
            super(cause);
        }

        @Override
        public synchronized SQLException getCause() {
            return (SQLException) super.getCause();
        }
    }

    private static Iterator<Fact> rows(ResultSet rs) {
        return new Iterator<>() {
            private Boolean ahead;

            @Override
            public boolean hasNext() {
                if (ahead == null) {
                    try {
                        ahead = rs.next();
                    } catch (SQLException e) {
                        throw new RowFailure(e);
                    }
                }
                return ahead;
            }

            @Override
            public Fact next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                ahead = null;
                try {
                    return map(rs);
                } catch (SQLException e) {
                    throw new RowFailure(e);
                }
            }
        };
    }

    /** The query's namespace, expiry, key, source, labels and validity, in SQL. */
    private void filters(FactQuery query, Instant now, StringBuilder sql, List<Object> params) {
        within(query.prefix(), sql, params);
        sql.append(" AND (expires_at IS NULL OR expires_at > ?)");
        params.add(now.toEpochMilli());
        if (query.key() != null) {
            sql.append(" AND fact_key = ?");
            params.add(query.key());
        }
        if (query.sourceRunId() != null) {
            sql.append(" AND source_run_id = ?");
            params.add(query.sourceRunId());
        }
        LabelSql.append(db, query.labels(), sql, params);
        if (query.validAt() != null) {
            long at = query.validAt().toEpochMilli();
            sql.append(" AND valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)");
            params.add(at);
            params.add(at);
        } else if (!query.isAllVersions()) {
            sql.append(" AND valid_to IS NULL");
        }
    }

    /**
     * The namespace and those below it: one bytewise index range, since a path is its segments
     * joined by {@code /} with {@code /} and {@code %} escaped inside them ({@code '0'} is the
     * character after {@code '/'}). {@link Namespace#ROOT} is every namespace.
     */
    private static void within(Namespace prefix, StringBuilder sql, List<Object> params) {
        if (prefix.isRoot()) {
            return;
        }
        String path = prefix.path();
        sql.append(" AND (namespace = ? OR (namespace >= ? AND namespace < ?))");
        params.add(path);
        params.add(path + "/");
        params.add(path + "0");
    }

    private Fact one(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = db.prepare(c, sql)) {
            Database.bindAll(ps, params);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? map(rs) : null;
            }
        }
    }

    private static String qualified(String alias) {
        StringBuilder b = new StringBuilder();
        for (String column : COLUMNS.split(",")) {
            b.append(b.length() == 0 ? "" : ", ").append(alias).append(column.trim());
        }
        return b.toString();
    }

    private static Fact map(ResultSet rs) throws SQLException {
        String sourceRun = rs.getString(9);
        FactSource source = null;
        if (sourceRun != null) {
            source = new FactSource(new RunRef(rs.getString(7), rs.getString(8), sourceRun), rs.getLong(10));
        }
        return new Fact(rs.getString(1), Namespace.parse(rs.getString(2)), rs.getString(3), rs.getString(4),
                Database.jsonMap(rs.getString(5)), Database.labels(rs.getString(6)), source, rs.getLong(11),
                Instant.ofEpochMilli(rs.getLong(12)), Instant.ofEpochMilli(rs.getLong(13)), instant(rs, 14), instant(rs, 15),
                decode(rs.getBytes(16)), rs.getString(17));
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        long millis = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(millis);
    }

    // ---------------------------------------------------------------- encodings

    /** @return the vector as little-endian float32 */
    static byte[] encode(float[] vector) {
        ByteBuffer b = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : vector) {
            b.putFloat(v);
        }
        return b.array();
    }

    static float[] decode(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        float[] vector = new float[bytes.length / Float.BYTES];
        for (int i = 0; i < vector.length; i++) {
            vector[i] = b.getFloat();
        }
        return vector;
    }

    /**
     * @param words a fact's normalised words, in order
     * @return a tsvector literal of them with their positions ({@code 'tea':1,3 'green':2}): the
     *     words are taken as they are, no parser or dictionary runs
     */
    static String tsvector(List<String> words) {
        Map<String, List<Integer>> positions = new LinkedHashMap<>();
        for (int i = 0; i < words.size(); i++) {
            List<Integer> at = positions.computeIfAbsent(words.get(i), w -> new ArrayList<>());
            int position = Math.min(i + 1, MAX_POSITION);
            if (at.size() < MAX_POSITIONS && (at.isEmpty() || at.get(at.size() - 1) != position)) {
                at.add(position);
            }
        }
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, List<Integer>> e : positions.entrySet()) {
            if (b.length() > 0) {
                b.append(' ');
            }
            b.append(lexeme(e.getKey())).append(':');
            List<Integer> at = e.getValue();
            for (int i = 0; i < at.size(); i++) {
                b.append(i == 0 ? "" : ",").append(at.get(i));
            }
        }
        return b.toString();
    }

    /** @return a tsquery literal that every word must match: {@code 'w1' & 'w2'} */
    static String tsquery(List<String> words) {
        StringBuilder b = new StringBuilder();
        for (String w : words) {
            b.append(b.length() == 0 ? "" : " & ").append(lexeme(w));
        }
        return b.toString();
    }

    /** A quoted lexeme of a tsvector or tsquery literal, quotes doubled and backslashes escaped. */
    private static String lexeme(String word) {
        return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'";
    }

    /** @return an FTS5 query that every word must match: each word one string, {@code "w1" "w2"} (implicit AND) */
    static String ftsQuery(List<String> words) {
        StringBuilder b = new StringBuilder();
        for (String w : words) {
            b.append(b.length() == 0 ? "" : " ").append('"').append(w.replace("\"", "\"\"")).append('"');
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return "JdbcFactStore[" + db + "]";
    }
}
