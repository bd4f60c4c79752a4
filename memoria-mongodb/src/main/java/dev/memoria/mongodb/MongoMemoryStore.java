package dev.memoria.mongodb;

import com.mongodb.MongoException;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;
import dev.memoria.ConflictException;
import dev.memoria.Page;
import dev.memoria.memory.Event;
import dev.memoria.memory.EventQuery;
import dev.memoria.memory.EventType;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.memory.MemoryStore;
import dev.memoria.memory.Snapshot;
import dev.memoria.run.RunRef;
import dev.memoria.spi.Checks;
import dev.memoria.spi.Cursors;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * A run's memory as a chain of batch documents, one per append, none of which grows with the run.
 *
 * <h2>Layout</h2>
 * A batch document holds {@code r} (run id), {@code sid}, {@code a} (agent), {@code p} (the
 * sequence it follows, 0 for the first), {@code last} (its last sequence, {@code p + n}),
 * {@code n}, {@code minTs}/{@code maxTs}, and the events {@code e: [{s, k, t, ts, d, l}]}. Two
 * unique indexes hold the invariants: {@code (r, p)} — at most one batch follows any position,
 * so the chain is linear and sequences are gap-free — and {@code (r, e.k)} — an idempotency key
 * appears once per run, across documents.
 *
 * <h2>Why appends are correct without transactions</h2>
 * An append reads the tail (the batch with the highest {@code last}, one indexed lookup) and
 * inserts one document with {@code p = tail.last}. A single-document insert is atomic, so:
 * <ul>
 *   <li><b>Two processes appending at once</b> read the same tail and both insert with the same
 *       {@code p}; the unique {@code (r, p)} index lets exactly one win. The loser gets a
 *       duplicate-key error, reads the new tail and tries again (M5, M11: with an expected last
 *       sequence it reports the conflict instead).</li>
 *   <li><b>Visible in order (M6)</b>: a batch is inserted only after the batch it follows was
 *       read, hence committed, so every visible batch's predecessors are visible.</li>
 *   <li><b>All or nothing (M2)</b>: the batch is one document; readers see all of it or none.</li>
 *   <li><b>A process dying half-way</b> leaves either no document (nothing happened) or the
 *       whole batch; there is no half-written state to repair. If it died after the insert but
 *       before its caller heard back, a retry of the same batch hits the unique key index; the
 *       store then finds the keys stored with the same content and returns the stored events
 *       (M3). Another appender simply follows the stored batch.</li>
 * </ul>
 * A duplicate-key error does not say which index refused the insert (and its message is not
 * parsed), so after one the store looks the batch's keys up: none stored means the chain moved.
 *
 * <h2>Reads</h2>
 * Run reads walk the {@code (r, last)} index from the wanted position, or {@code (r, e.t, last)}
 * for one type, and fetch at most {@code limit + 1} documents: each holds at least one wanted
 * event. Session reads merge batches in timestamp order over {@code (sid, minTs)} or
 * {@code (sid, maxTs)}. Sharding: shard the events collection on {@code {r: "hashed"}} — every
 * unique index is prefixed by {@code r}, and every append and run read then hits one shard.
 */
final class MongoMemoryStore implements MemoryStore {
    /** Headroom under MongoDB's 16 MiB document limit for field names and BSON framing. */
    private static final int MAX_BATCH_DOCUMENT_BYTES = 15 * 1024 * 1024;
    private static final int MAX_ATTEMPTS = 10_000;
    private static final Comparator<MemoryEvent> SESSION_ORDER = Comparator.comparing(MemoryEvent::timestamp)
            .thenComparing(e -> e.run().runId()).thenComparingLong(MemoryEvent::sequence);

    private final Layout c;

    MongoMemoryStore(Layout c) {
        this.c = c;
    }

    /** The last batch of a run, as far as an appender needs it. */
    private record Tail(long last, String sessionId, String agentId) {
    }

    @Override
    public Snapshot load(RunRef run) {
        Objects.requireNonNull(run, "run");
        try {
            List<MemoryEvent> all = new ArrayList<>();
            c.events.find(Filters.and(Filters.eq("r", run.runId()), Filters.eq("sid", run.sessionId())))
                    .sort(Sorts.ascending("last")).forEach(d -> all.addAll(events(d, null, 0)));
            return new Snapshot(run, all);
        } catch (MongoException e) {
            throw UserData.translate(e, "load failed");
        }
    }

    @Override
    public List<MemoryEvent> append(RunRef run, List<Event> events) {
        Objects.requireNonNull(run, "run");
        List<Event> batch = Checks.events(events);
        if (batch.isEmpty()) {
            return List.of();
        }
        return appendLoop(run, -1, batch);
    }

    @Override
    public List<MemoryEvent> appendAfter(RunRef run, long expectedLastSequence, List<Event> events) {
        Objects.requireNonNull(run, "run");
        Checks.expectedSequence(expectedLastSequence);
        return appendLoop(run, expectedLastSequence, Checks.events(events));
    }

    private List<MemoryEvent> appendLoop(RunRef run, long expected, List<Event> batch) {
        try {
            Map<String, MemoryEvent> known = Map.of();
            for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
                Tail tail = tail(run);
                long last = tail == null ? 0 : tail.last();
                if (!known.isEmpty() || (expected >= 0 && last != expected)) {
                    // a retry, or a moved run: M3 decides from what is stored under the batch's keys
                    known = storedByKey(run, batch);
                    if (known.size() == batch.size() && !batch.isEmpty()) {
                        return inOrder(batch, known, List.of());
                    }
                    if (expected >= 0 && last != expected) {
                        throw ConflictException.sequenceMoved(run.runId(), expected, last);
                    }
                }
                List<Event> fresh = new ArrayList<>();
                for (Event e : batch) {
                    if (!known.containsKey(e.key())) {
                        fresh.add(e);
                    }
                }
                if (fresh.isEmpty()) {
                    return inOrder(batch, known, List.of());
                }
                List<MemoryEvent> written = tryInsert(run, last, fresh);
                if (written != null) {
                    return inOrder(batch, known, written);
                }
                Map<String, MemoryEvent> stored = storedByKey(run, batch);
                if (stored.isEmpty() && known.isEmpty()) {
                    continue; // the chain moved: follow the new tail
                }
                known = stored;
                if (known.isEmpty()) {
                    continue;
                }
                if (known.size() == batch.size()) {
                    return inOrder(batch, known, List.of());
                }
            }
            throw new dev.memoria.StoreUnavailableException("append to run " + Checks.shorten(run.runId()) + " lost "
                    + MAX_ATTEMPTS + " races in a row to other appenders; retry it", null, true);
        } catch (MongoException e) {
            throw UserData.translate(e, "append failed");
        }
    }

    /** Reads the run's tail and checks that the ref names the run's own session and agent (M10). */
    private Tail tail(RunRef run) {
        Document d = c.events.find(Filters.eq("r", run.runId())).sort(Sorts.descending("last"))
                .projection(Projections.include("last", "sid", "a")).limit(1).first();
        if (d == null) {
            return null;
        }
        Tail tail = new Tail(d.getLong("last"), d.getString("sid"), d.getString("a"));
        if (!tail.sessionId().equals(run.sessionId()) || !tail.agentId().equals(run.agentId())) {
            throw ConflictException.foreignRun(run, tail.sessionId(), tail.agentId());
        }
        return tail;
    }

    /** @return the stored events, or null if the unique indexes refused the document */
    private List<MemoryEvent> tryInsert(RunRef run, long after, List<Event> fresh) {
        Instant now = c.clock.instant();
        List<MemoryEvent> stored = new ArrayList<>(fresh.size());
        List<Document> docs = new ArrayList<>(fresh.size());
        long seq = after;
        long minTs = Long.MAX_VALUE;
        long maxTs = Long.MIN_VALUE;
        for (Event e : fresh) {
            MemoryEvent m = new MemoryEvent(run, ++seq, e.key(), e.type(), e.timestamp() == null ? now : e.timestamp(),
                    e.data(), e.labels());
            stored.add(m);
            long ts = m.timestamp().toEpochMilli();
            minTs = Math.min(minTs, ts);
            maxTs = Math.max(maxTs, ts);
            docs.add(new Document("s", m.sequence()).append("k", m.key()).append("t", m.type().name()).append("ts", ts)
                    .append("d", UserData.toBson(m.data())).append("l", UserData.toBson(m.labels())));
        }
        Document batch = new Document("r", run.runId()).append("sid", run.sessionId()).append("a", run.agentId())
                .append("p", after).append("last", seq).append("n", (long) fresh.size()).append("minTs", minTs)
                .append("maxTs", maxTs).append("e", docs);
        checkSize(batch);
        try {
            c.events.insertOne(batch);
            return stored;
        } catch (MongoException e) {
            if (UserData.isDuplicateKey(e)) {
                return null;
            }
            throw e;
        }
    }

    private static void checkSize(Document batch) {
        int size = new org.bson.RawBsonDocument(batch, new org.bson.codecs.DocumentCodec()).getByteBuffer().remaining();
        if (size > MAX_BATCH_DOCUMENT_BYTES) {
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
                    "events: this batch takes %,d bytes as a MongoDB document, over the %,d bytes that fit one"
                            + " (its labels and keys add to its data); append it in smaller batches", size, MAX_BATCH_DOCUMENT_BYTES));
        }
    }

    private Map<String, MemoryEvent> storedByKey(RunRef run, List<Event> batch) {
        java.util.Set<String> keys = new java.util.HashSet<>(batch.stream().map(Event::key).toList());
        Map<String, MemoryEvent> found = new HashMap<>();
        for (Document d : c.events.find(Filters.and(Filters.eq("r", run.runId()), Filters.in("e.k", keys)))) {
            for (MemoryEvent e : events(d, null, 0)) {
                if (keys.contains(e.key())) {
                    found.put(e.key(), e);
                }
            }
        }
        for (Event e : batch) {
            MemoryEvent stored = found.get(e.key());
            if (stored != null && !e.sameContentAs(stored)) {
                throw ConflictException.keyReused(run.runId(), e.key());
            }
        }
        return found;
    }

    private static List<MemoryEvent> inOrder(List<Event> batch, Map<String, MemoryEvent> known, List<MemoryEvent> written) {
        Map<String, MemoryEvent> all = new HashMap<>(known);
        written.forEach(e -> all.put(e.key(), e));
        List<MemoryEvent> result = new ArrayList<>(batch.size());
        batch.forEach(e -> result.add(all.get(e.key())));
        return Collections.unmodifiableList(result);
    }

    @Override
    public Page<MemoryEvent> read(EventQuery query) {
        Objects.requireNonNull(query, "query");
        try {
            return query.isSessionScope() ? readSession(query) : readRun(query);
        } catch (MongoException e) {
            throw UserData.translate(e, "read failed");
        }
    }

    private Page<MemoryEvent> readRun(EventQuery query) {
        RunRef run = query.run();
        long after = query.afterSequence();
        if (query.cursor() != null) {
            after = Math.max(after, Cursors.number(Cursors.decode(query.cursor(), "run-events", query.scope(), 1).get(0)));
        }
        int wanted = query.isLatest() ? query.limit() : query.limit() + 1;
        List<MemoryEvent> found = query.types().isEmpty() ? readRange(run, after, wanted, query.isLatest())
                : readTyped(run, query, after, wanted);
        if (query.isLatest()) {
            return new Page<>(found, null);
        }
        return Cursors.page(found, query.limit(), last -> Cursors.encode("run-events", query.scope(), Long.toString(last.sequence())));
    }

    /**
     * Untyped reads: sequences have no gaps, so the batches that hold the wanted events are exactly
     * those overlapping a known sequence range, and only those are fetched.
     */
    private List<MemoryEvent> readRange(RunRef run, long after, int wanted, boolean latest) {
        long lower = after;
        Bson range;
        if (latest) {
            Tail tail = tail(run);
            if (tail == null) {
                return new ArrayList<>();
            }
            lower = Math.max(after, tail.last() - wanted);
            range = Filters.gt("last", lower);
        } else {
            range = Filters.and(Filters.gt("last", after), Filters.lt("p", after + wanted));
        }
        List<MemoryEvent> found = new ArrayList<>();
        for (Document d : c.events.find(Filters.and(Filters.eq("r", run.runId()), Filters.eq("sid", run.sessionId()), range))
                .sort(Sorts.ascending("last"))) {
            found.addAll(events(d, null, lower));
        }
        if (latest) {
            return new ArrayList<>(found.subList(Math.max(0, found.size() - wanted), found.size()));
        }
        return new ArrayList<>(found.subList(0, Math.min(wanted, found.size())));
    }

    /**
     * Typed reads walk the (r, e.t, last) index; every batch returned holds a wanted event, but
     * how many are needed is unknown, so they are fetched 1, 2, 4 … at a time: at most about
     * twice the batches needed, and never the whole run.
     */
    private List<MemoryEvent> readTyped(RunRef run, EventQuery query, long after, int wanted) {
        boolean latest = query.isLatest();
        List<String> types = query.types().stream().map(EventType::name).toList();
        List<MemoryEvent> found = new ArrayList<>();
        long boundary = latest ? Long.MAX_VALUE : after;
        int fetch = 1;
        while (found.size() < wanted) {
            Bson position = latest ? Filters.and(Filters.gt("last", after), Filters.lt("last", boundary))
                    : Filters.gt("last", boundary);
            List<Document> docs = c.events.find(Filters.and(Filters.eq("r", run.runId()), Filters.eq("sid", run.sessionId()),
                    Filters.in("e.t", types), position)).sort(latest ? Sorts.descending("last") : Sorts.ascending("last"))
                    .limit(fetch).batchSize(fetch).into(new ArrayList<>());
            for (Document d : docs) {
                List<MemoryEvent> batch = events(d, query, after);
                if (latest) {
                    Collections.reverse(batch);
                }
                for (MemoryEvent e : batch) {
                    if (found.size() < wanted) {
                        found.add(e);
                    }
                }
                boundary = d.getLong("last");
            }
            if (docs.size() < fetch) {
                break;
            }
            fetch = Math.min(fetch * 2, 1024);
        }
        if (latest) {
            Collections.reverse(found);
        }
        return found;
    }

    /**
     * Merges batches into (timestamp, run, sequence) order. Batches come by ascending
     * {@code minTs}; an event is final once its timestamp is below the next batch's
     * {@code minTs}, since no later batch can hold an earlier event. {@code latest} mirrors this
     * with {@code maxTs}, descending.
     */
    private Page<MemoryEvent> readSession(EventQuery query) {
        MemoryEvent from = null;
        if (query.cursor() != null) {
            List<String> key = Cursors.decode(query.cursor(), "session-events", query.scope(), 3);
            from = new MemoryEvent(new RunRef(query.sessionId(), "cursor", key.get(1)), Cursors.number(key.get(2)), "cursor",
                    EventType.USER_MESSAGE, Instant.ofEpochMilli(Cursors.number(key.get(0))), null, null);
        }
        boolean latest = query.isLatest();
        int wanted = latest ? query.limit() : query.limit() + 1;
        List<Bson> conditions = new ArrayList<>(List.of(Filters.eq("sid", query.sessionId())));
        if (from != null) {
            conditions.add(Filters.gte("maxTs", from.timestamp().toEpochMilli()));
        }
        if (!query.types().isEmpty()) {
            conditions.add(Filters.in("e.t", query.types().stream().map(EventType::name).toList()));
        }
        String bound = latest ? "maxTs" : "minTs";
        Comparator<MemoryEvent> order = latest ? SESSION_ORDER.reversed() : SESSION_ORDER;
        PriorityQueue<MemoryEvent> pending = new PriorityQueue<>(order);
        List<MemoryEvent> found = new ArrayList<>();
        MemoryEvent start = from;
        try (MongoCursor<Document> cursor = c.events.find(Filters.and(conditions))
                .sort(latest ? Sorts.descending(bound, "_id") : Sorts.ascending(bound, "_id")).batchSize(wanted).iterator()) {
            while (cursor.hasNext() && found.size() < wanted) {
                Document d = cursor.next();
                long edge = d.getLong(bound);
                while (!pending.isEmpty() && found.size() < wanted
                        && (latest ? pending.peek().timestamp().toEpochMilli() > edge : pending.peek().timestamp().toEpochMilli() < edge)) {
                    found.add(pending.poll());
                }
                for (MemoryEvent e : events(d, query, 0)) {
                    if (start == null || SESSION_ORDER.compare(e, start) > 0) {
                        pending.add(e);
                    }
                }
            }
        }
        while (!pending.isEmpty() && found.size() < wanted) {
            found.add(pending.poll());
        }
        if (latest) {
            Collections.reverse(found);
            return new Page<>(found, null);
        }
        return Cursors.page(found, query.limit(), last -> Cursors.encode("session-events", query.scope(),
                Long.toString(last.timestamp().toEpochMilli()), last.run().runId(), Long.toString(last.sequence())));
    }

    /** The events of a batch document after {@code after}, of the query's types (all if null). */
    private static List<MemoryEvent> events(Document d, EventQuery query, long after) {
        RunRef ref = new RunRef(d.getString("sid"), d.getString("a"), d.getString("r"));
        List<MemoryEvent> out = new ArrayList<>();
        for (Document e : d.getList("e", Document.class)) {
            long seq = e.getLong("s");
            EventType type = EventType.valueOf(e.getString("t"));
            if (seq <= after || (query != null && !query.types().isEmpty() && !query.types().contains(type))) {
                continue;
            }
            out.add(new MemoryEvent(ref, seq, e.getString("k"), type, Instant.ofEpochMilli(e.getLong("ts")),
                    UserData.fromBson(e.get("d")), UserData.labels(e.get("l"))));
        }
        return out;
    }

    @Override
    public long delete(RunRef run) {
        Objects.requireNonNull(run, "run");
        try {
            Bson filter = Filters.and(Filters.eq("r", run.runId()), Filters.eq("sid", run.sessionId()));
            long removed = 0;
            List<Object> ids = new ArrayList<>();
            for (Document d : c.events.find(filter).projection(Projections.include("n"))) {
                removed += d.getLong("n");
                ids.add(d.get("_id"));
            }
            if (!ids.isEmpty()) {
                c.events.deleteMany(Filters.in("_id", ids));
            }
            return removed;
        } catch (MongoException e) {
            throw UserData.translate(e, "delete failed");
        }
    }

    @Override
    public String toString() {
        return "MongoMemoryStore[" + c.prefix + "]";
    }
}
