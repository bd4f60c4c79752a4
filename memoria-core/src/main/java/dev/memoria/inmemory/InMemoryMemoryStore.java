package dev.memoria.inmemory;

import dev.memoria.Page;
import dev.memoria.memory.Event;
import dev.memoria.memory.EventQuery;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.memory.MemoryStore;
import dev.memoria.memory.Snapshot;
import dev.memoria.run.RunRef;
import dev.memoria.spi.Appends;
import dev.memoria.spi.Checks;
import dev.memoria.spi.Cursors;
import dev.memoria.spi.Filters;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongConsumer;

/**
 * One lock per run's log: appends to one run are serialised, so sequences are assigned and made
 * visible in order (M5, M6); appends to different runs do not wait for each other.
 */
final class InMemoryMemoryStore implements MemoryStore {

    private final Clock clock;
    private final ConcurrentHashMap<String, RunLog> logs = new ConcurrentHashMap<>();
    /**
     * Every session's events in session order (M8), so that a session read looks at the events it
     * returns, not at the whole session, as an index does in a database. Guarded by itself: a
     * reader sees a batch whole or not at all.
     */
    private final ConcurrentHashMap<String, TreeMap<SessionKey, MemoryEvent>> bySession = new ConcurrentHashMap<>();

    /** An event's place in its session's order: timestamp, run id, sequence. */
    private record SessionKey(long millis, String runId, long sequence) implements Comparable<SessionKey> {
        static SessionKey of(MemoryEvent e) {
            return new SessionKey(e.timestamp().toEpochMilli(), e.run().runId(), e.sequence());
        }

        /** Before every event of that millisecond (run ids are never empty, sequences start at 1). */
        static SessionKey startOf(long millis) {
            return new SessionKey(millis, "", 0);
        }

        @Override
        public int compareTo(SessionKey o) {
            int c = Long.compare(millis, o.millis);
            if (c != 0) {
                return c;
            }
            c = runId.compareTo(o.runId);
            return c != 0 ? c : Long.compare(sequence, o.sequence);
        }
    }
    /** Told how many events each read looked at (see {@link InMemoryStores#create(Clock, LongConsumer)}). */
    private final LongConsumer readMeter;

    InMemoryMemoryStore(Clock clock, LongConsumer readMeter) {
        this.clock = clock;
        this.readMeter = readMeter;
    }

    private static final class RunLog {
        final RunRef ref;
        final List<MemoryEvent> events = new ArrayList<>();
        final Map<String, MemoryEvent> byKey = new HashMap<>();
        boolean deleted;

        RunLog(RunRef ref) {
            this.ref = ref;
        }
    }

    @Override
    public Snapshot load(RunRef run) {
        Objects.requireNonNull(run, "run");
        RunLog log = logs.get(run.runId());
        if (log == null || !Appends.readable(run, log.ref.sessionId(), log.ref.agentId())) {
            return new Snapshot(run, List.of());
        }
        synchronized (log) {
            readMeter.accept(log.events.size());
            return new Snapshot(run, List.copyOf(log.events));
        }
    }

    @Override
    public List<MemoryEvent> append(RunRef run, List<Event> events) {
        return append(run, -1, events);
    }

    @Override
    public List<MemoryEvent> appendAfter(RunRef run, long expectedLastSequence, List<Event> events) {
        Checks.expectedSequence(expectedLastSequence);
        return append(run, expectedLastSequence, events);
    }

    private List<MemoryEvent> append(RunRef run, long expected, List<Event> events) {
        Objects.requireNonNull(run, "run");
        List<Event> batch = Checks.events(events);
        if (batch.isEmpty() && expected < 0) {
            return List.of();
        }
        while (true) {
            RunLog log = logs.computeIfAbsent(run.runId(), id -> new RunLog(run));
            synchronized (log) {
                if (log.deleted) {
                    continue; // a concurrent delete detached this log; start a fresh one
                }
                return appendLocked(log, run, expected, batch);
            }
        }
    }

    private List<MemoryEvent> appendLocked(RunLog log, RunRef run, long expected, List<Event> batch) {
        Appends.checkOwner(run, log.ref.sessionId(), log.ref.agentId());
        Appends.Decision decision = Appends.decide(run, log.events.size(), expected, batch, log.byKey, clock.instant())
                .orThrow();
        TreeMap<SessionKey, MemoryEvent> index = bySession.computeIfAbsent(run.sessionId(), s -> new TreeMap<>());
        synchronized (index) {
            for (MemoryEvent e : decision.toWrite()) {
                log.events.add(e);
                log.byKey.put(e.key(), e);
                index.put(SessionKey.of(e), e);
            }
        }
        return decision.result();
    }

    @Override
    public Page<MemoryEvent> read(EventQuery query) {
        Objects.requireNonNull(query, "query");
        return query.isSessionScope() ? readSession(query) : readRun(query);
    }

    private Page<MemoryEvent> readRun(EventQuery query) {
        long after = query.afterSequence();
        String scope = Filters.scope(query);
        if (query.cursor() != null) {
            after = Math.max(after, Cursors.number(Cursors.decode(query.cursor(), "run-events", scope, 1).get(0)));
        }
        RunLog log = logs.get(query.runId());
        // M12: a ref naming the right run but another session or agent reads nothing
        if (log == null || (query.run() != null && !Appends.readable(query.run(), log.ref.sessionId(), log.ref.agentId()))) {
            return new Page<>(List.of(), null);
        }
        List<MemoryEvent> found = new ArrayList<>();
        synchronized (log) {
            List<MemoryEvent> events = log.events;
            int examined = 0;
            if (query.isLatest()) {
                for (int i = events.size() - 1; i >= after && found.size() < query.limit(); i--) {
                    examined++;
                    if (Filters.matches(query, events.get(i))) {
                        found.add(events.get(i));
                    }
                }
                readMeter.accept(examined);
                Collections.reverse(found);
                return new Page<>(found, null);
            }
            for (int i = (int) Math.min(after, events.size()); i < events.size() && found.size() <= query.limit(); i++) {
                examined++;
                if (Filters.matches(query, events.get(i))) {
                    found.add(events.get(i));
                }
            }
            readMeter.accept(examined);
        }
        return Cursors.page(found, query.limit(),
                last -> Cursors.encode("run-events", scope, Long.toString(last.sequence())));
    }

    private Page<MemoryEvent> readSession(EventQuery query) {
        String scope = Filters.scope(query);
        TreeMap<SessionKey, MemoryEvent> index = bySession.get(query.sessionId());
        if (index == null) {
            return new Page<>(List.of(), null);
        }
        List<MemoryEvent> found = new ArrayList<>();
        int examined = 0;
        synchronized (index) {
            NavigableMap<SessionKey, MemoryEvent> range = index;
            if (query.timestampAfter() != null) {
                range = range.tailMap(SessionKey.startOf(query.timestampAfter().toEpochMilli() + 1), true);
            }
            if (query.timestampBefore() != null) {
                range = range.headMap(SessionKey.startOf(query.timestampBefore().toEpochMilli()), false);
            }
            if (query.cursor() != null) {
                List<String> key = Cursors.decode(query.cursor(), "session-events", scope, 3);
                range = range.tailMap(new SessionKey(Cursors.number(key.get(0)), key.get(1), Cursors.number(key.get(2))), false);
            }
            Iterable<MemoryEvent> order = query.isLatest() ? range.descendingMap().values() : range.values();
            int wanted = query.isLatest() ? query.limit() : query.limit() + 1;
            for (MemoryEvent e : order) {
                if (found.size() >= wanted) {
                    break;
                }
                examined++;
                if (Filters.matches(query, e)) {
                    found.add(e);
                }
            }
        }
        readMeter.accept(examined);
        if (query.isLatest()) {
            Collections.reverse(found);
            return new Page<>(found, null);
        }
        return Cursors.page(found, query.limit(), last -> Cursors.encode("session-events", scope,
                Long.toString(last.timestamp().toEpochMilli()), last.run().runId(), Long.toString(last.sequence())));
    }

    @Override
    public long delete(RunRef run) {
        Objects.requireNonNull(run, "run");
        RunLog log = logs.get(run.runId());
        if (log == null) {
            return 0;
        }
        synchronized (log) {
            if (log.deleted || !log.ref.sessionId().equals(run.sessionId())) {
                return 0;
            }
            log.deleted = true;
            logs.remove(run.runId(), log);
            TreeMap<SessionKey, MemoryEvent> index = bySession.get(run.sessionId());
            if (index != null) {
                synchronized (index) {
                    log.events.forEach(e -> index.remove(SessionKey.of(e)));
                }
            }
            return log.events.size();
        }
    }

    @Override
    public String toString() {
        return "InMemoryMemoryStore[" + logs.size() + " runs]";
    }
}
