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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongConsumer;

/**
 * One lock per run's log: appends to one run are serialised, so sequences are assigned and made
 * visible in order (M5, M6); appends to different runs do not wait for each other.
 */
final class InMemoryMemoryStore implements MemoryStore {
    static final Comparator<MemoryEvent> SESSION_ORDER = Comparator.comparing(MemoryEvent::timestamp)
            .thenComparing(e -> e.run().runId()).thenComparingLong(MemoryEvent::sequence);

    private final Clock clock;
    private final ConcurrentHashMap<String, RunLog> logs = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Set<String>> runsBySession = new ConcurrentHashMap<>();
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
        for (MemoryEvent e : decision.toWrite()) {
            log.events.add(e);
            log.byKey.put(e.key(), e);
        }
        if (!log.events.isEmpty()) {
            runsBySession.computeIfAbsent(run.sessionId(), s -> ConcurrentHashMap.newKeySet()).add(run.runId());
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
        MemoryEvent from = null;
        String scope = Filters.scope(query);
        if (query.cursor() != null) {
            List<String> key = Cursors.decode(query.cursor(), "session-events", scope, 3);
            from = new MemoryEvent(new RunRef("cursor", "cursor", key.get(1)), Cursors.number(key.get(2)), "cursor",
                    dev.memoria.memory.EventType.USER_MESSAGE, Instant.ofEpochMilli(Cursors.number(key.get(0))), null, null);
        }
        List<MemoryEvent> all = new ArrayList<>();
        for (String runId : runsBySession.getOrDefault(query.sessionId(), Set.of())) {
            RunLog log = logs.get(runId);
            if (log == null) {
                continue;
            }
            synchronized (log) {
                if (log.ref.sessionId().equals(query.sessionId())) {
                    readMeter.accept(log.events.size());
                    for (MemoryEvent e : log.events) {
                        if (Filters.matches(query, e)) {
                            all.add(e);
                        }
                    }
                }
            }
        }
        all.sort(SESSION_ORDER);
        if (query.isLatest()) {
            return new Page<>(all.subList(Math.max(0, all.size() - query.limit()), all.size()), null);
        }
        MemoryEvent start = from;
        List<MemoryEvent> page = all.stream().filter(e -> start == null || SESSION_ORDER.compare(e, start) > 0)
                .limit(query.limit() + 1L).toList();
        return Cursors.page(page, query.limit(), last -> Cursors.encode("session-events", scope,
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
            Set<String> ofSession = runsBySession.get(run.sessionId());
            if (ofSession != null) {
                ofSession.remove(run.runId());
            }
            return log.events.size();
        }
    }

    @Override
    public String toString() {
        return "InMemoryMemoryStore[" + logs.size() + " runs]";
    }
}
