package dev.memoria.cli;

import dev.memoria.AlreadyExistsException;
import dev.memoria.Limits;
import dev.memoria.MemoriaException;
import dev.memoria.Page;
import dev.memoria.StoreUnavailableException;
import dev.memoria.Stores;
import dev.memoria.context.Context;
import dev.memoria.fact.Fact;
import dev.memoria.fact.FactMatch;
import dev.memoria.fact.FactQuery;
import dev.memoria.fact.FactSource;
import dev.memoria.fact.FactStore;
import dev.memoria.fact.Namespace;
import dev.memoria.memory.Event;
import dev.memoria.memory.EventQuery;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.run.NewRun;
import dev.memoria.run.Run;
import dev.memoria.run.RunRef;
import dev.memoria.run.RunStatus;
import dev.memoria.session.NewSession;
import dev.memoria.session.Session;
import dev.memoria.session.SessionFilter;
import dev.memoria.session.SessionStatus;
import dev.memoria.spi.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The export format and its replay, shared by {@code export}, {@code import} and {@code copy}.
 *
 * <p>JSON Lines, version 2. The first line is {@code {"memoria":"export","version":2}}; then, per
 * session, its {@code session} record, its {@code run} records (oldest first) and each run's
 * {@code event} records by sequence; then one {@code fact} record per fact version, current or
 * superseded, newest first (see {@link #fact(Fact)}). Version 1 is the same without facts, and
 * is still read. Expired facts are never listed by a fact store (K8), so never exported. Timestamps are ISO-8601 instants; versions are not exported
 * (they are each store's concurrency tokens). Replaying writes each record with the store's clock
 * set to the record's own time, so timestamps survive a round trip; it skips what the target
 * already holds (events by idempotency key), which makes import and copy idempotent and resumable.
 */
final class Transfer {
    static final int FORMAT_VERSION = 2;
    /** The format versions import reads. */
    static final List<Long> READS = List.of(1L, 2L);

    private Transfer() {
    }

    static Map<String, Object> header() {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("memoria", "export");
        h.put("version", (long) FORMAT_VERSION);
        return h;
    }

    /**
     * Every record of the source, session by session, newest session first, then its facts: all
     * of them, or with {@code onlySession} those whose source run is one of the session's.
     */
    static Iterator<Map<String, Object>> records(Stores source, String onlySession) {
        return records(source, onlySession, true);
    }

    static Iterator<Map<String, Object>> records(Stores source, String onlySession, boolean withFacts) {
        List<String> sessionIds = new ArrayList<>();
        if (onlySession != null) {
            source.sessions().get(onlySession).orElseThrow(() -> new CliException("no session '" + onlySession
                    + "' in the store (list them with: memoria sessions)"));
            sessionIds.add(onlySession);
        } else {
            Listings.sessions(source, SessionFilter.all()).forEach(s -> sessionIds.add(s.id()));
        }
        return new Iterator<>() {
            private final Iterator<String> sessions = sessionIds.iterator();
            private final List<Map<String, Object>> buffer = new ArrayList<>();
            private Iterator<Run> runs = List.<Run>of().iterator();
            private RunRef eventsOf;
            private long afterSequence;
            /** The fact queries still to list once the sessions are done: one per run for a session's export. */
            private final List<FactQuery> factQueries = new ArrayList<>();
            private boolean factsPlanned = !withFacts || factStore(source) == null;
            private String factCursor;

            @Override
            public boolean hasNext() {
                while (buffer.isEmpty()) {
                    if (eventsOf != null) {
                        Page<MemoryEvent> page = source.memory().read(EventQuery.run(eventsOf).after(afterSequence)
                                .limit(Limits.MAX_PAGE_SIZE));
                        page.items().forEach(e -> buffer.add(event(e)));
                        if (page.items().isEmpty()) {
                            eventsOf = null;
                        } else {
                            afterSequence = page.items().get(page.items().size() - 1).sequence();
                        }
                    } else if (runs.hasNext()) {
                        Run run = runs.next();
                        buffer.add(run(run));
                        eventsOf = run.ref();
                        afterSequence = 0;
                    } else if (sessions.hasNext()) {
                        Session s = source.sessions().get(sessions.next()).orElse(null);
                        if (s != null) {
                            buffer.add(session(s));
                            runs = source.runs().listBySession(s.id()).iterator();
                        }
                    } else if (!factsPlanned) {
                        factsPlanned = true;
                        FactQuery every = FactQuery.all().allVersions().limit(Limits.MAX_PAGE_SIZE);
                        if (onlySession == null) {
                            factQueries.add(every);
                        } else {
                            source.runs().listBySession(onlySession).forEach(r -> factQueries.add(every.sourceRun(r.id())));
                        }
                    } else if (!factQueries.isEmpty()) {
                        FactQuery query = factQueries.get(0).cursor(factCursor);
                        Page<FactMatch> page = source.facts().search(query);
                        page.items().forEach(m -> buffer.add(fact(m.fact())));
                        factCursor = page.nextCursor();
                        if (factCursor == null) {
                            factQueries.remove(0);
                        }
                    } else {
                        return false;
                    }
                }
                return true;
            }

            @Override
            public Map<String, Object> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return buffer.remove(0);
            }
        };
    }

    static Map<String, Object> session(Session s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", "session");
        m.put("id", s.id());
        m.put("userId", s.userId());
        m.put("status", s.status().name());
        m.put("createdAt", s.createdAt().toString());
        m.put("updatedAt", s.updatedAt().toString());
        m.put("lastActivityAt", s.lastActivityAt().toString());
        m.put("endedAt", s.endedAt() == null ? null : s.endedAt().toString());
        m.put("labels", s.labels());
        m.put("metadata", s.metadata());
        return m;
    }

    static Map<String, Object> run(Run r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", "run");
        m.put("id", r.id());
        m.put("sessionId", r.sessionId());
        m.put("agentId", r.agentId());
        m.put("parentRunId", r.parentRunId());
        m.put("status", r.status().name());
        m.put("startedAt", r.startedAt().toString());
        m.put("updatedAt", r.updatedAt().toString());
        m.put("endedAt", r.endedAt() == null ? null : r.endedAt().toString());
        m.put("labels", r.labels());
        m.put("metadata", r.metadata());
        m.put("error", r.error());
        return m;
    }

    static Map<String, Object> event(MemoryEvent e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", "event");
        m.put("sessionId", e.run().sessionId());
        m.put("agentId", e.run().agentId());
        m.put("runId", e.run().runId());
        m.put("sequence", e.sequence());
        m.put("key", e.key());
        m.put("type", e.typeName()); // the stored name: a type this version does not know is copied as it is
        m.put("timestamp", e.timestamp().toString());
        m.put("data", e.data());
        m.put("labels", e.labels());
        return m;
    }

    /** The stores' fact store, or null when their backend keeps no facts. */
    static FactStore factStore(Stores stores) {
        try {
            return stores.facts();
        } catch (UnsupportedOperationException none) {
            return null;
        }
    }

    /**
     * One fact version, exactly enough for {@link FactStore#restore}: {@code id}, {@code namespace}
     * (its segments), {@code key}, {@code text}, {@code data}, {@code labels}, {@code source}
     * ({@code sessionId}, {@code agentId}, {@code runId}, {@code sequence}, or null),
     * {@code version}, {@code createdAt}, {@code validFrom}, {@code validTo}, {@code expiresAt}
     * (instants or null), {@code vector} (numbers, or null) and {@code idempotencyKey}.
     */
    static Map<String, Object> fact(Fact f) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", "fact");
        m.put("id", f.id());
        m.put("namespace", f.namespace().segments());
        m.put("key", f.key());
        m.put("text", f.text());
        m.put("data", f.data());
        m.put("labels", f.labels());
        if (f.source() == null) {
            m.put("source", null);
        } else {
            Map<String, Object> source = new LinkedHashMap<>();
            source.put("sessionId", f.source().run().sessionId());
            source.put("agentId", f.source().run().agentId());
            source.put("runId", f.source().run().runId());
            source.put("sequence", f.source().sequence());
            m.put("source", source);
        }
        m.put("version", f.version());
        m.put("createdAt", f.createdAt().toString());
        m.put("validFrom", f.validFrom().toString());
        m.put("validTo", f.validTo() == null ? null : f.validTo().toString());
        m.put("expiresAt", f.expiresAt() == null ? null : f.expiresAt().toString());
        float[] vector = f.vector();
        if (vector == null) {
            m.put("vector", null);
        } else {
            List<Object> numbers = new ArrayList<>(vector.length);
            for (float x : vector) {
                numbers.add((double) x); // a float widened to a double and narrowed back is the same float
            }
            m.put("vector", numbers);
        }
        m.put("idempotencyKey", f.idempotencyKey());
        return m;
    }

    @SuppressWarnings("unchecked")
    static Fact parseFact(Map<String, Object> r) {
        List<Object> segments = (List<Object>) Objects.requireNonNull(r.get("namespace"), "namespace");
        Namespace namespace = new Namespace(segments.stream().map(s -> (String) s).toList());
        if (namespace.isRoot()) {
            throw new IllegalArgumentException("namespace: a fact needs 1 to " + Namespace.MAX_SEGMENTS + " segments, got none");
        }
        FactSource source = null;
        if (r.get("source") != null) {
            Map<String, Object> s = (Map<String, Object>) r.get("source");
            source = new FactSource(new RunRef(text(s, "sessionId"), text(s, "agentId"), text(s, "runId")),
                    (Long) Objects.requireNonNull(s.get("sequence"), "source.sequence"));
        }
        float[] vector = null;
        if (r.get("vector") != null) {
            List<Object> numbers = (List<Object>) r.get("vector");
            vector = new float[numbers.size()];
            for (int i = 0; i < vector.length; i++) {
                vector[i] = ((Number) Objects.requireNonNull(numbers.get(i), "vector[" + i + "]")).floatValue();
                if (!Float.isFinite(vector[i])) {
                    throw new IllegalArgumentException("vector: dimension " + i + " is not a finite float: " + numbers.get(i));
                }
            }
            if (vector.length == 0) {
                throw new IllegalArgumentException("vector: empty; write null for a fact without one");
            }
        }
        String key = (String) r.get("key");
        String idempotencyKey = (String) r.get("idempotencyKey");
        if (key != null && key.isBlank() || idempotencyKey != null && idempotencyKey.isBlank()) {
            throw new IllegalArgumentException((key != null && key.isBlank() ? "key" : "idempotencyKey")
                    + ": must not be blank; write null for none");
        }
        return new Fact(text(r, "id"), namespace, key, text(r, "text"), map(r, "data"), map(r, "labels"), source,
                (Long) Objects.requireNonNull(r.get("version"), "version"),
                Objects.requireNonNull(instant(r, "createdAt"), "createdAt"),
                Objects.requireNonNull(instant(r, "validFrom"), "validFrom"), instant(r, "validTo"), instant(r, "expiresAt"),
                vector, idempotencyKey);
    }

    /** What a replay wrote and what it found already there. */
    static final class Counts {
        long sessionsWritten;
        long sessionsPresent;
        long runsWritten;
        long runsPresent;
        long eventsWritten;
        long eventsPresent;
        long factsWritten;
        long factsPresent;
        /** Fact records left out on purpose (--no-facts). */
        long factsSkipped;
        long invalid;
        /** Forks written or present whose parent is not in the target: their views fail until it is. */
        long orphanForks;

        long written() {
            return sessionsWritten + runsWritten + eventsWritten + factsWritten;
        }

        @Override
        public String toString() {
            return Render.count(sessionsWritten, "session") + ", " + Render.count(runsWritten, "run") + ", "
                    + Render.count(eventsWritten, "event") + " written; " + Render.count(sessionsPresent, "session") + ", "
                    + Render.count(runsPresent, "run") + ", " + Render.count(eventsPresent, "event") + " already present"
                    + (factsWritten + factsPresent == 0 ? "" : "; " + Render.count(factsWritten, "fact") + " written, "
                    + factsPresent + " already present")
                    + (factsSkipped == 0 ? "" : "; " + Render.count(factsSkipped, "fact") + " left out (--no-facts)")
                    + (invalid == 0 ? "" : "; " + Render.count(invalid, "invalid record") + " skipped")
                    + (orphanForks == 0 ? "" : "; " + Render.count(orphanForks, "fork") + " without " + (orphanForks == 1 ? "its" : "their")
                    + " parent session (see above)");
        }
    }

    /**
     * Replays records into a target whose stores read {@code clock}.
     *
     * <p>Every intact record is written, whatever else the input holds: a record is checked in
     * full before anything of it is written, and a bad one is reported through {@code problems}
     * by its own position and skipped. The result does not depend on the order of the records: a
     * run whose session is not in the target yet waits for it, and events wait for their run, until
     * it is written or the input ends (what still waits then is reported); sessions recorded as
     * ENDED are ended last, once all their runs are in (an ended session takes no new run, X2).
     * Events of one run are written in input order, in batches; an exact repeat of an event (same
     * key, type, data and labels) is already present, and a batch the target refuses is written
     * again event by event, so one refused event costs only itself.
     */
    static final class Replay implements AutoCloseable {
        /** Past this many ids, the caches of what the target holds start over (they only save reads). */
        private static final int CACHE_LIMIT = 10_000;

        private final Stores target;
        private final SettableClock clock;
        private final String unit;
        private final Consumer<String> problems;
        final Counts counts = new Counts();
        /** Whether fact records are counted as left out instead of written (--no-facts). */
        boolean skipFacts;

        /** Consecutive events of one run, by key, to be appended together. */
        private final Map<String, PendingEvent> batch = new LinkedHashMap<>();
        private RunRef batchRef;
        private long batchBytes;

        private final Set<String> sessionsIn = new HashSet<>();
        private final Set<String> runsIn = new HashSet<>();
        private final Map<String, List<PendingRun>> runsAwaitingSession = new LinkedHashMap<>();
        private final Map<String, Map<String, PendingEvent>> eventsAwaitingRun = new LinkedHashMap<>();
        private final Map<String, SessionEnd> sessionsToEnd = new LinkedHashMap<>();
        private final Set<String> runsWithShiftedSequences = new HashSet<>();
        /** The forks among the sessions of the input, by the position of their record. */
        private final Map<String, Long> forks = new LinkedHashMap<>();

        private record PendingEvent(long line, RunRef ref, long sequence, Event event, long bytes) {
        }

        private record PendingRun(long line, Run run) {
        }

        private record SessionEnd(long line, Instant endedAt) {
        }

        /**
         * @param unit what a position counts in messages: "line" for a file, "record" for a store
         */
        Replay(Stores target, SettableClock clock, String unit, Consumer<String> problems) {
            this.target = target;
            this.clock = clock;
            this.unit = unit;
            this.problems = problems;
        }

        void accept(long line, Map<String, Object> record) {
            String kind = String.valueOf(record.get("kind"));
            Object parsed;
            try {
                parsed = switch (kind) {
                    case "session" -> parseSession(record);
                    case "run" -> parseRun(record);
                    case "event" -> parseEvent(line, record);
                    case "fact" -> parseFact(record);
                    default -> throw new IllegalArgumentException("kind: expected session, run, event or fact, got '" + kind + "'");
                };
            } catch (IllegalArgumentException | NullPointerException | ClassCastException bad) {
                invalid(line, describe(bad) + " (nothing of it was written)");
                return;
            }
            if (parsed instanceof Session s) {
                acceptSession(line, s);
            } else if (parsed instanceof Run r) {
                acceptRun(line, r);
            } else if (parsed instanceof Fact f) {
                acceptFact(line, f);
            } else {
                acceptEvent((PendingEvent) parsed);
            }
        }

        private static String describe(RuntimeException e) {
            if (e instanceof ClassCastException) {
                return "a field has the wrong type";
            }
            if (e instanceof NullPointerException) {
                return "missing field " + e.getMessage();
            }
            return e.getMessage();
        }

        private void invalid(long line, String problem) {
            counts.invalid++;
            problems.accept(unit + " " + line + ": " + problem);
        }

        /**
         * What the target refuses of an intact record (it stops that record), as opposed to a
         * failure of the target itself (it stops the replay).
         */
        private static boolean refusal(RuntimeException e) {
            return e instanceof IllegalArgumentException || e instanceof MemoriaException && !(e instanceof StoreUnavailableException);
        }

        private void acceptSession(long line, Session s) {
            flushBatch();
            try {
                writeSession(s);
            } catch (RuntimeException e) {
                if (!refusal(e)) {
                    throw e;
                }
                invalid(line, "the target refused it: " + e.getMessage());
                return;
            }
            remember(sessionsIn, s.id());
            if (parentOf(s) != null) {
                forks.put(s.id(), line);
            }
            if (s.status() == SessionStatus.ENDED) {
                sessionsToEnd.put(s.id(), new SessionEnd(line, s.endedAt()));
            }
            for (PendingRun waiting : runsAwaitingSession.getOrDefault(s.id(), List.of())) {
                writeRun(waiting.line(), waiting.run());
            }
            runsAwaitingSession.remove(s.id());
        }

        private void writeSession(Session s) {
            if (target.sessions().get(s.id()).isPresent()) {
                counts.sessionsPresent++;
                return;
            }
            clock.set(s.createdAt());
            try {
                Session created = target.sessions().create(NewSession.builder().id(s.id()).userId(s.userId())
                        .labels(s.labels()).metadata(s.metadata()).build());
                // its activity as exported; the runs and events replayed later are not later than it
                target.sessions().touch(s.id(), s.lastActivityAt());
                if (!s.updatedAt().equals(s.createdAt()) && s.status() == SessionStatus.ACTIVE) {
                    clock.set(s.updatedAt());
                    target.sessions().update(created);
                }
                counts.sessionsWritten++;
            } catch (AlreadyExistsException raced) {
                counts.sessionsPresent++;
            }
        }

        /** Restores a fact version as it was (its id, version and times kept); one already there is present. */
        private void acceptFact(long line, Fact f) {
            if (skipFacts) {
                counts.factsSkipped++;
                return;
            }
            flushBatch();
            FactStore facts = factStore(target);
            if (facts == null) {
                // import and copy check this before writing anything; a guard, never reached through them
                throw new CliException("the target keeps no facts, and the input holds some (" + unit + " " + line
                        + "): use --no-facts to leave them out");
            }
            try {
                java.util.Optional<Fact> there = facts.get(f.id());
                if (there.isPresent() && there.get().equals(f)) {
                    counts.factsPresent++;
                    return;
                }
                facts.restore(f);
                counts.factsWritten++;
            } catch (RuntimeException e) {
                if (!refusal(e)) {
                    throw e;
                }
                invalid(line, "the target refused it: " + e.getMessage());
            }
        }

        private void acceptRun(long line, Run r) {
            flushBatch();
            if (sessionsIn.contains(r.sessionId()) || target.sessions().get(r.sessionId()).isPresent()) {
                writeRun(line, r);
            } else {
                runsAwaitingSession.computeIfAbsent(r.sessionId(), id -> new ArrayList<>()).add(new PendingRun(line, r));
            }
        }

        /** Writes a run whose session is in the target, then the events that waited for it. */
        private void writeRun(long line, Run r) {
            try {
                if (target.runs().get(r.id()).isEmpty() && createRun(r)) {
                    counts.runsWritten++;
                } else {
                    counts.runsPresent++;
                }
            } catch (RuntimeException e) {
                if (!refusal(e)) {
                    throw e;
                }
                invalid(line, "the target refused it: " + e.getMessage());
                return;
            }
            remember(runsIn, r.id());
            Map<String, PendingEvent> waiting = eventsAwaitingRun.remove(r.id());
            if (waiting != null) {
                // what arrived before its run, by the sequence the export gave it; ties keep the input's order
                waiting.values().stream().sorted(Comparator.comparingLong(PendingEvent::sequence)).forEach(this::addToBatch);
                flushBatch();
            }
        }

        /** @return false if someone else created the run meanwhile */
        private boolean createRun(Run r) {
            clock.set(r.startedAt());
            RunStatus initial = switch (r.status()) {
                case PENDING, FAILED, CANCELED -> RunStatus.PENDING;
                default -> RunStatus.RUNNING;
            };
            Run created;
            try {
                created = target.runs().create(NewRun.builder(r.sessionId(), r.agentId()).id(r.id())
                        .parentRunId(r.parentRunId()).status(initial).build());
            } catch (AlreadyExistsException raced) {
                return false;
            }
            Run withContent = created.withLabels(r.labels()).withMetadata(r.metadata());
            if (r.status() != initial || !r.labels().isEmpty() || !r.metadata().isEmpty() || !r.updatedAt().equals(r.startedAt())) {
                clock.set(r.updatedAt());
                target.runs().update(r.status() == RunStatus.FAILED ? withContent.failed(r.error()) : withContent.withStatus(r.status()));
            }
            return true;
        }

        private void acceptEvent(PendingEvent e) {
            String runId = e.ref().runId();
            boolean runIn = batchRef != null && batchRef.runId().equals(runId) || runsIn.contains(runId);
            if (!runIn && !eventsAwaitingRun.containsKey(runId) && target.runs().get(runId).isPresent()) {
                remember(runsIn, runId);
                runIn = true;
            }
            if (runIn) {
                addToBatch(e);
                return;
            }
            Map<String, PendingEvent> waiting = eventsAwaitingRun.computeIfAbsent(runId, id -> new LinkedHashMap<>());
            if (isNew(waiting, e)) {
                waiting.put(e.event().key(), e);
            }
        }

        private void addToBatch(PendingEvent e) {
            if (batchRef != null && !batchRef.equals(e.ref())) {
                flushBatch();
            }
            if (!isNew(batch, e)) {
                return;
            }
            if (batch.size() == Limits.MAX_EVENTS_PER_APPEND || batchBytes + e.bytes() > Limits.MAX_APPEND_DATA_BYTES) {
                flushBatch();
            }
            batch.put(e.event().key(), e);
            batchRef = e.ref();
            batchBytes += e.bytes();
        }

        /**
         * Whether an event is not yet among {@code pending}: an exact repeat is already present (the
         * store would say so too, M3), the same key with other content is reported on its own.
         */
        private boolean isNew(Map<String, PendingEvent> pending, PendingEvent e) {
            PendingEvent earlier = pending.get(e.event().key());
            if (earlier == null) {
                return true;
            }
            if (sameContent(e.event(), earlier.event())) {
                counts.eventsPresent++;
            } else {
                invalid(e.line(), "event key '" + Render.shorten(e.event().key(), 40) + "' of run " + e.ref().runId()
                        + " is on " + unit + " " + earlier.line() + " too, with other content (nothing of it was written)");
            }
            return false;
        }

        /** M3's rule: type, data and labels; not the timestamp. */
        private static boolean sameContent(Event a, Event b) {
            return a.typeName().equals(b.typeName()) && a.data().equals(b.data()) && a.labels().equals(b.labels());
        }

        private void flushBatch() {
            if (batch.isEmpty()) {
                return;
            }
            RunRef ref = batchRef;
            List<PendingEvent> pending = new ArrayList<>(batch.values());
            batch.clear();
            batchRef = null;
            batchBytes = 0;
            List<MemoryEvent> before = target.memory().read(EventQuery.run(ref).latest(1)).items();
            long lastBefore = before.isEmpty() ? 0 : before.get(0).sequence();
            List<MemoryEvent> stored;
            try {
                stored = target.memory().append(ref, pending.stream().map(PendingEvent::event).toList());
            } catch (RuntimeException e) {
                if (!refusal(e)) {
                    throw e;
                }
                // nothing of the batch was written (M2): one event at a time, each refusal costs only its own
                for (PendingEvent p : pending) {
                    try {
                        counted(p, target.memory().append(ref, List.of(p.event())).get(0), lastBefore);
                    } catch (RuntimeException alone) {
                        if (!refusal(alone)) {
                            throw alone;
                        }
                        invalid(p.line(), "the target refused it: " + alone.getMessage());
                    }
                }
                return;
            }
            for (int i = 0; i < stored.size(); i++) {
                counted(pending.get(i), stored.get(i), lastBefore);
            }
        }

        private void counted(PendingEvent p, MemoryEvent stored, long lastBefore) {
            if (stored.sequence() > lastBefore) {
                counts.eventsWritten++;
            } else {
                counts.eventsPresent++;
            }
            if (stored.sequence() != p.sequence() && runsWithShiftedSequences.add(p.ref().runId())) {
                problems.accept(unit + " " + p.line() + ": event " + stored.key() + " was stored as sequence "
                        + stored.sequence() + ", not " + p.sequence() + " (the target run held other events, or an earlier"
                        + " event of the run was skipped; told once per run)");
            }
        }

        private static void remember(Set<String> cache, String id) {
            if (cache.size() >= CACHE_LIMIT) {
                cache.clear();
            }
            cache.add(id);
        }

        /** Writes what still waits for a parent that never came, then ends the sessions recorded as ENDED. */
        @Override
        public void close() {
            flushBatch();
            for (List<PendingRun> waiting : runsAwaitingSession.values()) {
                for (PendingRun run : waiting) {
                    invalid(run.line(), "run " + run.run().id() + " was not written: its session " + run.run().sessionId()
                            + " is not in the target, and not written from this input");
                }
            }
            runsAwaitingSession.clear();
            for (Map.Entry<String, Map<String, PendingEvent>> waiting : eventsAwaitingRun.entrySet()) {
                List<Long> lines = waiting.getValue().values().stream().map(PendingEvent::line).toList();
                counts.invalid += lines.size();
                String where = lines.size() == 1 ? unit + " " + lines.get(0)
                        : unit + "s " + lines.stream().limit(3).map(String::valueOf).collect(Collectors.joining(", "))
                        + (lines.size() > 3 ? " and " + (lines.size() - 3) + " more" : "");
                problems.accept(where + ": " + Render.count(lines.size(), "event") + " of run " + waiting.getKey()
                        + " not written: the run is not in the target, and not written from this input");
            }
            eventsAwaitingRun.clear();
            for (Map.Entry<String, SessionEnd> end : sessionsToEnd.entrySet()) {
                try {
                    Session stored = target.sessions().get(end.getKey()).orElse(null);
                    if (stored != null && stored.isActive()) {
                        clock.set(end.getValue().endedAt());
                        target.sessions().update(stored.ended());
                    }
                } catch (RuntimeException e) {
                    if (!refusal(e)) {
                        throw e;
                    }
                    invalid(end.getValue().line(), "the target refused to end the session: " + e.getMessage());
                }
            }
            sessionsToEnd.clear();
            for (Map.Entry<String, Long> fork : forks.entrySet()) {
                String missing = missingAncestor(fork.getKey());
                if (missing != null) {
                    counts.orphanForks++;
                    problems.accept(unit + " " + fork.getValue() + ": session " + fork.getKey() + " is a fork of session " + missing
                            + ", which is not in the target: it was written with its runs and events, but its view (memoria view,"
                            + " an agent's history) fails until " + missing + " is imported too");
                }
            }
            forks.clear();
        }

        /** The first session of a fork's lineage that the target does not hold, or null. */
        private String missingAncestor(String forkId) {
            Set<String> seen = new HashSet<>();
            String current = forkId;
            while (current != null && seen.add(current) && seen.size() <= 100) {
                Session s = target.sessions().get(current).orElse(null);
                if (s == null) {
                    return current;
                }
                current = parentOf(s);
            }
            return null;
        }
    }

    /** The session a fork was forked from, as its record says (C6), or null when it is no fork. */
    static String parentOf(Session s) {
        return s.metadata().get(Context.FORK_METADATA) instanceof Map<?, ?> fork && fork.get("parent") instanceof String parent
                ? parent : null;
    }

    private static Instant instant(Map<String, Object> r, String field) {
        Object v = r.get(field);
        if (v == null) {
            return null;
        }
        try {
            return Instant.parse((String) v);
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException(field + ": not an ISO-8601 instant: " + v);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> Map<String, T> map(Map<String, Object> r, String field) {
        Object v = r.get(field);
        return v == null ? Map.of() : (Map<String, T>) v;
    }

    private static String text(Map<String, Object> r, String field) {
        return (String) Objects.requireNonNull(r.get(field), field);
    }

    private static <E extends Enum<E>> E enumOf(Class<E> type, Map<String, Object> r, String field) {
        String value = text(r, field);
        try {
            return Enum.valueOf(type, value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": expected one of " + java.util.Arrays.toString(type.getEnumConstants())
                    + ", got '" + value + "'");
        }
    }

    static Session parseSession(Map<String, Object> r) {
        SessionStatus status = enumOf(SessionStatus.class, r, "status");
        Instant ended = instant(r, "endedAt");
        if (status == SessionStatus.ENDED && ended == null) {
            throw new IllegalArgumentException("endedAt: an ENDED session needs it");
        }
        Instant created = Objects.requireNonNull(instant(r, "createdAt"), "createdAt");
        Instant activity = instant(r, "lastActivityAt"); // absent from files written before it was exported
        Session s = new Session(text(r, "id"), (String) r.get("userId"), status, created,
                Objects.requireNonNull(instant(r, "updatedAt"), "updatedAt"), activity == null ? created : activity, ended,
                map(r, "labels"), map(r, "metadata"), 1);
        // stored records are trusted, specs are checked: a record the target would refuse is bad input, told as such
        NewSession.builder().id(s.id()).userId(s.userId()).labels(s.labels()).metadata(s.metadata()).build();
        return s;
    }

    static Run parseRun(Map<String, Object> r) {
        Run run = new Run(text(r, "id"), text(r, "sessionId"), text(r, "agentId"), (String) r.get("parentRunId"),
                enumOf(RunStatus.class, r, "status"), Objects.requireNonNull(instant(r, "startedAt"), "startedAt"),
                Objects.requireNonNull(instant(r, "updatedAt"), "updatedAt"), instant(r, "endedAt"), map(r, "labels"),
                map(r, "metadata"), (String) r.get("error"), 1);
        new NewRun(run.id(), run.sessionId(), run.agentId(), run.parentRunId(), RunStatus.PENDING, run.labels(), run.metadata());
        return run;
    }

    private static Replay.PendingEvent parseEvent(long line, Map<String, Object> r) {
        RunRef ref = new RunRef(text(r, "sessionId"), text(r, "agentId"), text(r, "runId"));
        long sequence = (Long) Objects.requireNonNull(r.get("sequence"), "sequence");
        Event event = new Event(text(r, "key"), text(r, "type"),
                Objects.requireNonNull(instant(r, "timestamp"), "timestamp"), map(r, "data"), map(r, "labels"));
        long bytes = Json.encodedSize(event.data()) + (event.labels().isEmpty() ? 0 : Json.encodedSize(event.labels()));
        return new Replay.PendingEvent(line, ref, sequence, event, bytes);
    }
}
