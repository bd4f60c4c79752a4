package dev.memoria.mongodb;

import com.mongodb.MongoException;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;
import dev.memoria.Page;
import dev.memoria.StoreUnavailableException;
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
import dev.memoria.spi.Json;
import dev.memoria.spi.Retries;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.IntConsumer;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.bson.codecs.DocumentCodec;
import org.bson.conversions.Bson;
import org.bson.types.ObjectId;

/**
 * A run's memory as a chain of batch documents, one per append, none of which grows with the run.
 *
 * <h2>Layout</h2>
 * A batch document holds {@code r} (run id), {@code sid}, {@code a} (agent), {@code p} (the
 * sequence it follows, 0 for the first), {@code last} (its last sequence, {@code p + n}),
 * {@code n}, {@code minTs}/{@code maxTs}, {@code g} (the log's generation, below) and the events
 * {@code e: [{s, k, t, ts, d, l}]}: sequence, idempotency key, type name, timestamp, data and
 * labels. Two unique indexes hold the invariants: {@code (r, p)} — at most one batch follows any
 * position, so the chain is linear and sequences are gap-free — and {@code (r, e.k)} — an
 * idempotency key appears once per run, across documents.
 *
 * <h2>Batches larger than BSON allows</h2>
 * The limits bound a batch's data and labels as JSON (8 MiB), and BSON can be many times larger
 * than JSON (a list of small numbers takes 2 bytes per element in JSON and up to 16 in BSON, with
 * each element's index written out as its key). A batch must still be one document, since that
 * is what makes an append atomic without transactions. So when the BSON of a batch document would
 * pass {@value #MAX_BATCH_DOCUMENT_BYTES} bytes, each of its events keeps its data and labels as
 * JSON text instead: {@code dj} and {@code lj} in place of {@code d} and {@code l}. JSON text is
 * bounded by the 8 MiB limit, so such a document always fits. Reads accept both encodings, event
 * by event; queries never look inside data or labels, so nothing else changes.
 *
 * <h2>Why appends are correct without transactions</h2>
 * An append reads the tail (the batch with the highest {@code last}, one indexed lookup) and
 * inserts one document with {@code p = tail.last}. A single-document insert is atomic, so:
 * <ul>
 *   <li><b>Two processes appending at once</b> read the same tail and both insert with the same
 *       {@code p}; the unique {@code (r, p)} index lets exactly one win. The loser gets a
 *       duplicate-key error, backs off ({@link Retries#backOff}), reads the new tail and tries
 *       again, at most {@link Retries#MAX_ATTEMPTS} times (M5); with an expected last sequence it
 *       reports the conflict instead (M11).</li>
 *   <li><b>Visible in order (M6)</b>: a batch is inserted only after the batch it follows was
 *       read, hence committed, so every visible batch's predecessors are visible.</li>
 *   <li><b>All or nothing (M2)</b>: the batch is one document; readers see all of it or none.</li>
 *   <li><b>A process dying half-way</b> leaves either no document (nothing happened) or the
 *       whole batch; there is no half-written state to repair. If it died after the insert but
 *       before its caller heard back, a retry of the same batch hits the unique key index; the
 *       store then finds the keys stored with the same content and returns the stored events
 *       (M3). Another appender simply follows the stored batch.</li>
 * </ul>
 * What to write and what to return is decided by {@link Appends#decide}, the rules every backend
 * shares. A duplicate-key error does not say which index refused the insert (and its message is
 * not parsed), so after one the store looks the batch's keys up: none stored means the chain moved.
 *
 * <h2>Deleting a log while appenders race it</h2>
 * A delete cannot remove a run's batches atomically, and an appender that read the tail before
 * the delete may insert after it: that batch would continue a log that no longer exists, a
 * chain that does not start at sequence 1. Generations close that gap. A log's first batch
 * ({@code p = 0}) takes a fresh {@code g} (its own {@code _id}); every later batch copies
 * {@code g} from the tail it follows. A generation is <em>live</em> while its first batch exists,
 * and once that batch is gone it never comes back, since a new log takes a new {@code g}.
 * <ul>
 *   <li>A delete removes the first batch <b>first</b>: from that moment the log is gone for every
 *       reader (reads go through the first batch, below) and every appender. It then removes
 *       every other batch of that generation, in bounded chunks, until none is left.</li>
 *   <li>An appender that inserted a batch with {@code p > 0} then checks that its generation is
 *       still live (one indexed lookup of the first batch). If it is, the first batch was still
 *       there after the insert, so the delete had not begun; the delete will find the batch
 *       when it sweeps the generation, so the append landed before the delete and is removed by
 *       it. If it is not, the append raced the delete: the appender removes what is left of the
 *       dead generation, its own batch included, and starts again, as a fresh log at sequence 1.</li>
 *   <li>An appender that follows such a batch in the short time before it is taken back copies
 *       the dead {@code g} and fails the same check, so a chain of batches after a deleted log is
 *       never kept. (Checking only the batch just before would not do: that batch may be such an
 *       orphan itself, still there for the check and taken back right after.)</li>
 *   <li>Batches of a dead generation are never returned: not as stored events of a retried batch
 *       (their keys are looked up with their generation), not by run reads. Anyone who meets them
 *       removes them, so a delete that stopped half-way is finished by the next append or
 *       delete.</li>
 * </ul>
 * The count a delete returns is the events of the batches it removed; if an appender or another
 * delete removed some batches of the same log at the same moment, they may be counted by both
 * or, for a batch an appender took back, counted although its events are appended again.
 * Session reads ({@code read(session(id))}) do not look up each run's first batch, so during a
 * delete they may still see batches of the log being removed.
 *
 * <h2>Reads</h2>
 * A run read first looks up the run's first batch (one indexed lookup): it says whose log it is
 * (M12: a ref with another session or agent reads nothing) and which generation is live. Run reads
 * then walk the {@code (r, last)} index from the wanted position, or {@code (r, e.t, last)} for
 * types, and return only the wanted events of each batch (an aggregation {@code $filter}), so the
 * work of {@code latest(n)} or {@code after(seq)} does not grow with the run or its batches (M7).
 * Session reads merge batches in timestamp order over {@code (sid, minTs)} or {@code (sid, maxTs)}.
 * Sharding: shard the events collection on {@code {r: "hashed"}} — every unique index is prefixed
 * by {@code r}, and every append and run read then hits one shard.
 */
final class MongoMemoryStore implements MemoryStore {
    /** Headroom under MongoDB's 16 MiB document limit for the insert command's framing. */
    static final int MAX_BATCH_DOCUMENT_BYTES = 15 * 1024 * 1024;
    /** How many batch ids a delete collects at a time: a few tens of kilobytes per command. */
    static final int DELETE_CHUNK = 1000;
    private static final List<String> KNOWN_TYPES = Arrays.stream(EventType.values()).filter(t -> t != EventType.UNKNOWN)
            .map(EventType::name).toList();
    private static final DocumentCodec CODEC = new DocumentCodec();
    private static final Comparator<MemoryEvent> SESSION_ORDER = Comparator.comparing(MemoryEvent::timestamp)
            .thenComparing(e -> e.run().runId()).thenComparingLong(MemoryEvent::sequence);

    private final Layout c;
    private final int maxAttempts;
    private final IntConsumer backOff;
    /** Concurrent appends of this store share writes (G1): one document per run, one insertMany per group. */
    private final dev.memoria.spi.GroupCommits<GroupedAppend> groups =
            new dev.memoria.spi.GroupCommits<>(64, 5_000, this::commitGroup);

    MongoMemoryStore(Layout c) {
        this(c, Retries.MAX_ATTEMPTS, Retries::backOff);
    }

    /**
     * @param maxAttempts how many times an append tries before giving up
     * @param backOff waits after the n-th race an append lost in a row (tests watch it)
     */
    MongoMemoryStore(Layout c, int maxAttempts, IntConsumer backOff) {
        this.c = Objects.requireNonNull(c, "c");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts: must be at least 1, got " + maxAttempts);
        }
        this.maxAttempts = maxAttempts;
        this.backOff = Objects.requireNonNull(backOff, "backOff");
    }

    /** The batch with the highest {@code last} among a run's documents, as far as an appender needs it. */
    private record Tail(long last, String sessionId, String agentId, Object generation) {
    }

    /** The outcome of one insert attempt. */
    private enum Insert {
        /** The batch is stored in a live log. */
        WRITTEN,
        /** A unique index refused it: the chain moved, or a key of the batch is stored. */
        REFUSED,
        /** The log it continued was deleted meanwhile; the batch was taken back. */
        ORPHANED
    }

    // ---- run logs and generations -------------------------------------------------------------

    /** @return the run's first batch (owner and generation), or null if the run has no live log */
    private Document firstBatch(String runId) {
        return c.events.find(Filters.and(Filters.eq("r", runId), Filters.eq("p", 0L)))
                .projection(Projections.include("sid", "a", "g", "n")).first();
    }

    /**
     * @return the filter of the log a read with {@code ref} sees, or null if it sees none: no
     *     log, or a log of another session or agent (M12)
     */
    private Bson readableLog(RunRef ref) {
        Document first = firstBatch(ref.runId());
        if (first == null || !Appends.readable(ref, first.getString("sid"), first.getString("a"))) {
            return null;
        }
        return generation(ref.runId(), first.get("g"));
    }

    /** A generation's batches. Logs written before generations existed have none: {@code g: null} matches them. */
    private static Bson generation(String runId, Object g) {
        return Filters.and(Filters.eq("r", runId), Filters.eq("g", g));
    }

    private boolean isLive(String runId, Object g) {
        Document first = firstBatch(runId);
        return first != null && Objects.equals(first.get("g"), g);
    }

    /**
     * Removes what is left of a dead generation. Only ever called for a generation whose first
     * batch was found missing: such a generation never becomes live again.
     */
    private void removeDead(String runId, Object g) {
        c.events.deleteMany(generation(runId, g));
    }

    // ---- load and append ------------------------------------------------------------------------

    @Override
    public Snapshot load(RunRef run) {
        Objects.requireNonNull(run, "run");
        return c.call("load failed", () -> {
            Bson log = readableLog(run);
            List<MemoryEvent> all = new ArrayList<>();
            if (log != null) {
                try (MongoCursor<Document> cursor = c.events.find(log).sort(Sorts.ascending("last")).iterator()) {
                    while (cursor.hasNext()) {
                        all.addAll(events(cursor.next(), null, 0));
                    }
                }
            }
            return new Snapshot(run, all);
        });
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
        if (batch.isEmpty()) {
            return appendAlone(run, expected, batch);
        }
        return groups.submit(new GroupedAppend(run, expected, batch));
    }

    /** One caller's append in a group; settled once the group's writes are done. */
    private static final class GroupedAppend extends dev.memoria.spi.GroupCommits.Request<List<MemoryEvent>> {
        final RunRef run;
        final long expected;
        final List<Event> batch;
        /** What it returns (or the conflict it reports) if the document holding its events is written. */
        List<MemoryEvent> tentative;
        RuntimeException tentativeFailure;

        GroupedAppend(RunRef run, long expected, List<Event> batch) {
            super(batch.size());
            this.run = run;
            this.expected = expected;
            this.batch = batch;
        }
    }

    /** The appends of one run in a group, as one batch document. */
    private static final class Combined {
        final RunRef owner;
        final Tail tail;
        final List<GroupedAppend> members = new ArrayList<>();
        final List<MemoryEvent> events = new ArrayList<>();

        Combined(RunRef owner, Tail tail) {
            this.owner = owner;
            this.tail = tail;
        }
    }

    /**
     * Commits a group: a group of one is the append a lone caller makes (G3). Otherwise the appends
     * of each run are decided one after the other against the run's tail (each later one sees the
     * events of the earlier ones, so keys and expectations are checked as if they came in order),
     * their events go into one batch document per run (at most {@value dev.memoria.Limits#MAX_EVENTS_PER_APPEND}
     * events, like any batch), and the documents of every run go in one unordered insertMany. A
     * document the chain refuses (another process appended meanwhile, or a key of it is stored),
     * or one whose log was deleted meanwhile, leaves its appends to the lone path, one by one: nothing
     * of them was kept, and that path decides again from what is stored. An append refused while it
     * was decided is refused only once its run's document is written, since it was decided after the
     * appends before it.
     */
    private void commitGroup(List<GroupedAppend> group) {
        if (group.size() == 1) {
            settleAlone(group.get(0));
            return;
        }
        List<GroupedAppend> alone = new ArrayList<>();
        List<Combined> combined = new ArrayList<>();
        Map<String, List<GroupedAppend>> byRun = new LinkedHashMap<>();
        group.forEach(a -> byRun.computeIfAbsent(a.run.runId(), k -> new ArrayList<>()).add(a));
        try {
            c.call("append failed", () -> {
                Instant now = c.clock.instant();
                for (List<GroupedAppend> appends : byRun.values()) {
                    if (appends.size() == 1) {
                        alone.addAll(appends);
                        continue;
                    }
                    Combined one = combine(appends, now, alone);
                    if (one != null) {
                        combined.add(one);
                    }
                }
                insertAll(combined, alone);
                return null;
            });
        } catch (RuntimeException failed) {
            // a failure other than the chain's refusal (the server, the network): outcome unknown
            for (Combined one : combined) {
                for (GroupedAppend a : one.members) {
                    if (!a.isSettled()) {
                        a.fail(failed);
                    }
                }
            }
        }
        for (GroupedAppend a : alone) {
            if (!a.isSettled()) {
                settleAlone(a);
            }
        }
    }

    private void settleAlone(GroupedAppend a) {
        try {
            a.succeed(appendAlone(a.run, a.expected, a.batch));
        } catch (RuntimeException e) {
            a.fail(e);
        }
    }

    /** @return the run's appends as one document, or null if none of them is left to write together */
    private Combined combine(List<GroupedAppend> appends, Instant now, List<GroupedAppend> alone) {
        RunRef owner = appends.get(0).run;
        Tail tail = tail(owner.runId());
        if (tail != null && (!Appends.readable(owner, tail.sessionId(), tail.agentId()) || !isLive(owner.runId(), tail.generation()))) {
            alone.addAll(appends); // another owner, or a deleted log's leftovers: the lone path sorts it out
            return null;
        }
        Combined one = new Combined(owner, tail);
        long last = tail == null ? 0 : tail.last();
        Map<String, MemoryEvent> pending = new HashMap<>();
        for (GroupedAppend a : appends) {
            if (!a.run.equals(owner)) {
                alone.add(a);
                continue;
            }
            Map<String, MemoryEvent> stored = new HashMap<>(pending);
            if (a.expected >= 0 && last != a.expected) {
                stored.putAll(storedByKey(a.run, a.batch)); // M11: a retry of a written batch returns it whatever the expectation
            }
            Appends.Decision decision;
            try {
                decision = Appends.decide(a.run, last, a.expected, a.batch, stored, now).orThrow();
            } catch (RuntimeException refused) {
                a.tentativeFailure = refused;
                one.members.add(a);
                continue;
            }
            if (one.events.size() + decision.toWrite().size() > dev.memoria.Limits.MAX_EVENTS_PER_APPEND) {
                alone.add(a);
                continue;
            }
            a.tentative = decision.result();
            one.members.add(a);
            one.events.addAll(decision.toWrite());
            decision.toWrite().forEach(e -> pending.put(e.key(), e));
            if (!decision.toWrite().isEmpty()) {
                last = decision.lastSequence();
            }
        }
        if (one.events.isEmpty()) {
            one.members.forEach(MongoMemoryStore::settleTentative); // nothing to write: every outcome is final
            return null;
        }
        return one;
    }

    private static void settleTentative(GroupedAppend a) {
        if (a.tentativeFailure != null) {
            a.fail(a.tentativeFailure);
        } else {
            a.succeed(a.tentative);
        }
    }

    /** Inserts every run's document at once; settles the members of each written one. */
    private void insertAll(List<Combined> combined, List<GroupedAppend> alone) {
        if (combined.isEmpty()) {
            return;
        }
        List<RawBsonDocument> docs = new ArrayList<>();
        List<Object> generations = new ArrayList<>();
        for (Combined one : combined) {
            ObjectId id = new ObjectId();
            long after = one.tail == null ? 0 : one.tail.last();
            Object g = one.tail == null ? id : one.tail.generation();
            generations.add(g);
            docs.add(encode(id, one.owner, after, g, one.events));
        }
        Set<Integer> refused = new java.util.HashSet<>();
        try {
            c.rawEvents.insertMany(docs, new com.mongodb.client.model.InsertManyOptions().ordered(false));
        } catch (com.mongodb.MongoBulkWriteException e) {
            for (com.mongodb.bulk.BulkWriteError error : e.getWriteErrors()) {
                if (error.getCategory() != com.mongodb.ErrorCategory.DUPLICATE_KEY) {
                    throw e; // not the chain's refusal: reported to the callers whose outcome it leaves unknown
                }
                refused.add(error.getIndex());
            }
        }
        for (int i = 0; i < combined.size(); i++) {
            Combined one = combined.get(i);
            if (refused.contains(i)) {
                alone.addAll(one.members); // nothing of them was written
                continue;
            }
            if (one.tail != null && !isLive(one.owner.runId(), generations.get(i))) {
                removeDead(one.owner.runId(), generations.get(i)); // the log was deleted under the group
                alone.addAll(one.members);
                continue;
            }
            one.members.forEach(MongoMemoryStore::settleTentative);
        }
    }

    /** The append of one caller alone, racing other processes through the chain's unique index. */
    private List<MemoryEvent> appendAlone(RunRef run, long expected, List<Event> batch) {
        return c.call("append failed", () -> {
            // stored keys are looked up only when they can matter: after a refused insert (a retry
            // of a stored batch hits the key index), and for a stale expectation (M11: a retry of
            // a written batch returns it whatever the expectation)
            boolean lookUpKeys = false;
            for (int attempt = 0; attempt < maxAttempts; attempt++) {
                if (attempt > 0) {
                    backOff.accept(attempt - 1);
                }
                Tail tail = tail(run.runId());
                if (tail != null && !Appends.readable(run, tail.sessionId(), tail.agentId())) {
                    if (isLive(run.runId(), tail.generation())) {
                        Appends.checkOwner(run, tail.sessionId(), tail.agentId()); // M10: throws
                    }
                    removeDead(run.runId(), tail.generation()); // a deleted log's leftover, not an owner
                    continue;
                }
                long last = tail == null ? 0 : tail.last();
                Map<String, MemoryEvent> stored = lookUpKeys || (expected >= 0 && last != expected)
                        ? storedByKey(run, batch) : Map.of();
                Appends.Decision decision = Appends.decide(run, last, expected, batch, stored, c.clock.instant()).orThrow();
                if (decision.toWrite().isEmpty()) {
                    return decision.result();
                }
                switch (insert(run, tail, decision.toWrite())) {
                    case WRITTEN -> {
                        return decision.result();
                    }
                    case REFUSED -> lookUpKeys = true;
                    case ORPHANED -> { } // the log was deleted under this append: start again as a fresh log
                    default -> throw new IllegalStateException();
                }
            }
            throw new StoreUnavailableException(String.format(Locale.ROOT, "append to run %s lost %,d races in a row to other"
                    + " appenders, backing off after each; nothing of the batch was written: retry it",
                    Checks.shorten(run.runId()), maxAttempts), null, true);
        });
    }

    /** Reads the batch with the highest {@code last}: one indexed lookup. */
    private Tail tail(String runId) {
        Document d = c.events.find(Filters.eq("r", runId)).sort(Sorts.descending("last"))
                .projection(Projections.include("last", "sid", "a", "g")).limit(1).first();
        return d == null ? null : new Tail(number(d, "last"), d.getString("sid"), d.getString("a"), d.get("g"));
    }

    /** Inserts the batch after the tail, then makes sure the log it continues still exists. */
    private Insert insert(RunRef run, Tail tail, List<MemoryEvent> events) {
        ObjectId id = new ObjectId();
        long after = tail == null ? 0 : tail.last();
        Object g = tail == null ? id : tail.generation(); // a fresh log's generation is its first batch's _id
        try {
            c.rawEvents.insertOne(encode(id, run, after, g, events));
        } catch (MongoException e) {
            if (UserData.isDuplicateKey(e)) {
                return Insert.REFUSED;
            }
            throw e;
        }
        if (after == 0 || isLive(run.runId(), g)) {
            return Insert.WRITTEN;
        }
        removeDead(run.runId(), g); // this batch and whatever else followed the deleted log
        return Insert.ORPHANED;
    }

    /** The batch document as BSON, with data and labels as JSON text if BSON would be too large. */
    private static RawBsonDocument encode(ObjectId id, RunRef run, long after, Object g, List<MemoryEvent> events) {
        RawBsonDocument bson = new RawBsonDocument(batchDocument(id, run, after, g, events, false), CODEC);
        if (bson.getByteBuffer().remaining() <= MAX_BATCH_DOCUMENT_BYTES) {
            return bson;
        }
        RawBsonDocument json = new RawBsonDocument(batchDocument(id, run, after, g, events, true), CODEC);
        int size = json.getByteBuffer().remaining();
        if (size > MAX_BATCH_DOCUMENT_BYTES) {
            // cannot happen for a batch Checks.events accepted: its JSON is at most 8 MiB
            throw new dev.memoria.StoreStateException(String.format(Locale.ROOT, "a batch of %d events takes %,d bytes even with its"
                    + " data as JSON text, over the %,d bytes of a document", events.size(), size, MAX_BATCH_DOCUMENT_BYTES));
        }
        return json;
    }

    private static Document batchDocument(ObjectId id, RunRef run, long after, Object g, List<MemoryEvent> events,
                                          boolean asJson) {
        List<Document> docs = new ArrayList<>(events.size());
        long minTs = Long.MAX_VALUE;
        long maxTs = Long.MIN_VALUE;
        for (MemoryEvent m : events) {
            long ts = m.timestamp().toEpochMilli();
            minTs = Math.min(minTs, ts);
            maxTs = Math.max(maxTs, ts);
            Document e = new Document("s", m.sequence()).append("k", m.key()).append("t", m.typeName()).append("ts", ts);
            if (asJson) {
                e.append("dj", Json.write(m.data())).append("lj", Json.write(m.labels()));
            } else {
                e.append("d", UserData.toBson(m.data())).append("l", UserData.toBson(m.labels()));
            }
            docs.add(e);
        }
        Document batch = new Document("_id", id).append("r", run.runId()).append("sid", run.sessionId())
                .append("a", run.agentId()).append("p", after).append("last", after + events.size())
                .append("n", (long) events.size()).append("minTs", minTs).append("maxTs", maxTs);
        if (g != null) {
            batch.append("g", g); // a log written before generations existed continues without one
        }
        return batch.append("e", docs);
    }

    /**
     * The events of the live log stored under the batch's keys ({@link Appends#decide} compares
     * their content). Only the matching events of each document are fetched. Events of a dead
     * generation are not stored events: they are removed, not returned.
     */
    private Map<String, MemoryEvent> storedByKey(RunRef run, List<Event> batch) {
        List<String> keys = new ArrayList<>(new LinkedHashSet<>(batch.stream().map(Event::key).toList()));
        Document keep = new Document("$in", List.of("$$ev.k", keys));
        List<Document> docs = c.events.aggregate(List.of(
                new Document("$match", Filters.and(Filters.eq("r", run.runId()), Filters.in("e.k", keys))),
                project(keep, 0))).into(new ArrayList<>());
        if (docs.isEmpty()) {
            return Map.of();
        }
        Document first = firstBatch(run.runId()); // none: no generation is live
        Map<String, MemoryEvent> found = new HashMap<>();
        Set<Object> dead = new LinkedHashSet<>();
        for (Document d : docs) {
            if (first != null && Objects.equals(d.get("g"), first.get("g"))) {
                events(d, null, 0).forEach(e -> found.put(e.key(), e));
            } else {
                dead.add(d.get("g"));
            }
        }
        dead.forEach(g -> removeDead(run.runId(), g));
        return found;
    }

    // ---- reads ------------------------------------------------------------------------------------

    @Override
    public Page<MemoryEvent> read(EventQuery query) {
        Objects.requireNonNull(query, "query");
        return c.call("read failed", () -> query.isSessionScope() ? readSession(query) : readRun(query));
    }

    private Page<MemoryEvent> readRun(EventQuery query) {
        String scope = dev.memoria.spi.Filters.scope(query);
        long after = query.afterSequence();
        if (query.cursor() != null) {
            after = Math.max(after, Cursors.number(Cursors.decode(query.cursor(), "run-events", scope, 1).get(0)));
        }
        Bson log = query.run() != null ? readableLog(query.run()) : liveLog(query.runId());
        int wanted = query.isLatest() ? query.limit() : query.limit() + 1;
        List<MemoryEvent> found = log == null ? new ArrayList<>()
                : !query.isFiltered() ? readRange(log, after, wanted, query.isLatest())
                : readFiltered(log, query, after, wanted);
        if (query.isLatest()) {
            return new Page<>(found, null);
        }
        return Cursors.page(found, query.limit(), last -> Cursors.encode("run-events", scope, Long.toString(last.sequence())));
    }

    /** @return the filter of the run's live log whatever its session and agent, or null if it has none */
    private Bson liveLog(String runId) {
        Document first = firstBatch(runId);
        return first == null ? null : generation(runId, first.get("g"));
    }

    /**
     * Untyped reads: sequences have no gaps, so the wanted events are exactly a known sequence
     * range; only the batches overlapping it are fetched, and of each only the events in it.
     */
    private List<MemoryEvent> readRange(Bson log, long after, int wanted, boolean latest) {
        long lower = after;
        long upper;
        if (latest) {
            Document tail = c.events.find(log).sort(Sorts.descending("last")).projection(Projections.include("last"))
                    .limit(1).first();
            if (tail == null) {
                return new ArrayList<>();
            }
            upper = number(tail, "last");
            lower = Math.max(after, upper - wanted);
        } else {
            upper = after > Long.MAX_VALUE - wanted ? Long.MAX_VALUE : after + wanted;
        }
        Document keep = new Document("$and", List.of(new Document("$gt", List.of("$$ev.s", lower)),
                new Document("$lte", List.of("$$ev.s", upper))));
        List<MemoryEvent> found = new ArrayList<>();
        for (Document d : batches(Filters.and(log, Filters.gt("last", lower), Filters.lt("p", upper)), Sorts.ascending("last"),
                0, keep, 0)) {
            found.addAll(events(d, null, lower));
        }
        return latest ? new ArrayList<>(found.subList(Math.max(0, found.size() - wanted), found.size()))
                : new ArrayList<>(found.subList(0, Math.min(wanted, found.size())));
    }

    /**
     * Filtered reads (types, labels, time bounds) walk the log's batches in order from the wanted
     * position, through the {@code (r, e.t, last)} index when types are given: the batches are
     * fetched 1, 2, 4 … at a time, each with only its events of the wanted types, position and
     * time (an aggregation {@code $filter}), so a typed read fetches about twice the batches it
     * needs at most and never the whole run. Labels are matched here, in Java, since a batch too
     * large for BSON keeps them as JSON text: a label filter reads past the events it skips.
     */
    private List<MemoryEvent> readFiltered(Bson log, EventQuery query, long after, int wanted) {
        boolean latest = query.isLatest();
        boolean labelled = !query.labels().isEmpty();
        List<Bson> match = new ArrayList<>(List.of(log));
        List<Document> keep = new ArrayList<>(List.of(new Document("$gt", List.of("$$ev.s", after))));
        if (!query.types().isEmpty()) {
            match.add(typeFilter(query.types()));
            keep.add(typeCondition(query.types()));
        }
        if (query.timestampAfter() != null) {
            match.add(Filters.gt("maxTs", query.timestampAfter().toEpochMilli()));
            keep.add(new Document("$gt", List.of("$$ev.ts", query.timestampAfter().toEpochMilli())));
        }
        if (query.timestampBefore() != null) {
            match.add(Filters.lt("minTs", query.timestampBefore().toEpochMilli()));
            keep.add(new Document("$lt", List.of("$$ev.ts", query.timestampBefore().toEpochMilli())));
        }
        Document kept = new Document("$and", keep);
        List<MemoryEvent> found = new ArrayList<>();
        long boundary = latest ? Long.MAX_VALUE : after;
        int fetch = 1;
        while (found.size() < wanted) {
            int missing = wanted - found.size();
            List<Bson> position = new ArrayList<>(match);
            position.add(latest ? Filters.and(Filters.gt("last", after), Filters.lt("last", boundary))
                    : Filters.gt("last", boundary));
            List<Document> docs = batches(Filters.and(position), latest ? Sorts.descending("last") : Sorts.ascending("last"),
                    fetch, kept, labelled ? 0 : latest ? -missing : missing);
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
                boundary = number(d, "last");
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
     * Batch documents in order, each with only its events that satisfy {@code keep}.
     *
     * @param limit at most this many documents, 0 for all
     * @param perBatch at most this many events of each document, its first ones if positive, its
     *     last ones if negative; 0 for all
     */
    private List<Document> batches(Bson match, Bson sort, int limit, Document keep, int perBatch) {
        List<Bson> pipeline = new ArrayList<>(List.of(new Document("$match", match), new Document("$sort", sort)));
        if (limit > 0) {
            pipeline.add(new Document("$limit", limit));
        }
        pipeline.add(project(keep, perBatch));
        // a bounded result: at most the wanted events, in at most as many documents
        return c.events.aggregate(pipeline).into(new ArrayList<>());
    }

    private static Document project(Document keep, int perBatch) {
        Object kept = new Document("$filter", new Document("input", "$e").append("as", "ev").append("cond", keep));
        if (perBatch != 0) {
            kept = new Document("$slice", List.of(kept, perBatch));
        }
        return new Document("$project", new Document("r", 1).append("sid", 1).append("a", 1).append("g", 1)
                .append("p", 1).append("last", 1).append("e", kept));
    }

    /** Documents holding an event of one of the types; {@code UNKNOWN} stands for every name this version does not know. */
    private static Bson typeFilter(Set<EventType> types) {
        List<String> names = knownNames(types);
        Bson known = Filters.in("e.t", names);
        if (!types.contains(EventType.UNKNOWN)) {
            return known;
        }
        Bson unknown = Filters.elemMatch("e", Filters.nin("t", KNOWN_TYPES));
        return names.isEmpty() ? unknown : Filters.or(known, unknown);
    }

    /** {@link #typeFilter} for one event inside an aggregation {@code $filter}. */
    private static Document typeCondition(Set<EventType> types) {
        Document known = new Document("$in", List.of("$$ev.t", knownNames(types)));
        if (!types.contains(EventType.UNKNOWN)) {
            return known;
        }
        Document unknown = new Document("$not", List.of(new Document("$in", List.of("$$ev.t", KNOWN_TYPES))));
        return new Document("$or", List.of(known, unknown));
    }

    private static List<String> knownNames(Set<EventType> types) {
        return types.stream().filter(t -> t != EventType.UNKNOWN).map(EventType::name).sorted().toList();
    }

    /**
     * Merges batches into (timestamp, run, sequence) order. Batches come by ascending
     * {@code minTs}; an event is final once its timestamp is below the next batch's
     * {@code minTs}, since no later batch can hold an earlier event. {@code latest} mirrors this
     * with {@code maxTs}, descending.
     */
    private Page<MemoryEvent> readSession(EventQuery query) {
        String scope = dev.memoria.spi.Filters.scope(query);
        MemoryEvent from = null;
        if (query.cursor() != null) {
            List<String> key = Cursors.decode(query.cursor(), "session-events", scope, 3);
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
            conditions.add(typeFilter(query.types()));
        }
        if (query.timestampAfter() != null) {
            conditions.add(Filters.gt("maxTs", query.timestampAfter().toEpochMilli()));
        }
        if (query.timestampBefore() != null) {
            conditions.add(Filters.lt("minTs", query.timestampBefore().toEpochMilli()));
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
                long edge = number(d, bound);
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
        return Cursors.page(found, query.limit(), last -> Cursors.encode("session-events", scope,
                Long.toString(last.timestamp().toEpochMilli()), last.run().runId(), Long.toString(last.sequence())));
    }

    /**
     * The events of a batch document after {@code after}, of the query's types (all if null), as
     * stored: trusted (no write-time check is re-run), the type kept by its stored name, data and
     * labels in either encoding. Every event carries the ref the batch was stored under (M12).
     */
    private static List<MemoryEvent> events(Document d, EventQuery query, long after) {
        RunRef ref = new RunRef(d.getString("sid"), d.getString("a"), d.getString("r"));
        List<MemoryEvent> out = new ArrayList<>();
        for (Document e : d.getList("e", Document.class)) {
            long seq = number(e, "s");
            String type = e.getString("t");
            if (seq <= after || (query != null && !query.types().isEmpty() && !query.types().contains(EventType.ofName(type)))) {
                continue;
            }
            Map<String, Object> data = e.containsKey("dj") ? Json.parseObject(e.getString("dj")) : UserData.fromBson(e.get("d"));
            Map<String, String> labels = e.containsKey("lj") ? labels(Json.parseObject(e.getString("lj")))
                    : UserData.labels(e.get("l"));
            MemoryEvent event = new MemoryEvent(ref, seq, e.getString("k"), type, Instant.ofEpochMilli(number(e, "ts")), data,
                    labels);
            if (query == null || dev.memoria.spi.Filters.matches(query, event)) {
                out.add(event);
            }
        }
        return out;
    }

    private static Map<String, String> labels(Map<String, Object> json) {
        Map<String, String> labels = new LinkedHashMap<>();
        json.forEach((k, v) -> labels.put(k, String.valueOf(v)));
        return labels;
    }

    /** A stored integer, whichever BSON integer type a writer chose. */
    private static long number(Document d, String field) {
        return ((Number) d.get(field)).longValue();
    }

    // ---- delete ------------------------------------------------------------------------------------

    /**
     * Removes the run's log: its first batch first, then every other batch of its generation, in
     * chunks of {@value #DELETE_CHUNK}, until none is left; then whatever is left of earlier,
     * dead generations. See the class comment for why an append racing it either lands before it
     * or starts a fresh log, which this delete then leaves alone.
     */
    @Override
    public long delete(RunRef run) {
        Objects.requireNonNull(run, "run");
        return c.call("delete failed", () -> {
            long removed = 0;
            Document first = firstBatch(run.runId());
            if (first != null) {
                if (!Appends.readable(run, first.getString("sid"), first.getString("a"))) {
                    return 0L; // another session's or agent's log: this ref names nothing (M12)
                }
                if (c.events.deleteOne(Filters.eq("_id", first.get("_id"))).getDeletedCount() == 1) {
                    removed += number(first, "n");
                }
                removed += removeAll(generation(run.runId(), first.get("g")));
            }
            return removed + removeLeftovers(run);
        });
    }

    /** Batches of generations whose first batch is gone: a delete that stopped half-way, orphans not yet taken back. */
    private long removeLeftovers(RunRef run) {
        long removed = 0;
        Bson owned = Filters.and(Filters.eq("r", run.runId()), Filters.eq("sid", run.sessionId()), Filters.eq("a", run.agentId()));
        Set<Object> kept = new LinkedHashSet<>(); // live generations: logs begun after this delete removed the first batch
        for (int round = 0; round < maxAttempts; round++) {
            Bson others = kept.isEmpty() ? owned : Filters.and(owned, Filters.nin("g", new ArrayList<>(kept)));
            Document leftover = c.events.find(others).projection(Projections.include("g")).first();
            if (leftover == null) {
                return removed;
            }
            Object g = leftover.get("g");
            if (isLive(run.runId(), g)) {
                kept.add(g);
            } else {
                removed += removeAll(generation(run.runId(), g));
            }
        }
        return removed;
    }

    /** Removes every batch matching {@code filter} in bounded chunks, and counts their events. */
    private long removeAll(Bson filter) {
        long removed = 0;
        while (true) {
            List<Document> chunk = c.events.find(filter).projection(Projections.include("n")).limit(DELETE_CHUNK)
                    .into(new ArrayList<>());
            if (chunk.isEmpty()) {
                return removed;
            }
            List<Object> ids = new ArrayList<>(chunk.size());
            long events = 0;
            for (Document d : chunk) {
                ids.add(d.get("_id"));
                events += number(d, "n");
            }
            // fewer removed than found: an appender or another delete removed the others at the
            // same moment; they were of this log all the same (see the class comment on the count)
            if (c.events.deleteMany(Filters.in("_id", ids)).getDeletedCount() > 0) {
                removed += events;
            }
        }
    }

    @Override
    public String toString() {
        return "MongoMemoryStore[" + c.prefix + "]";
    }
}
