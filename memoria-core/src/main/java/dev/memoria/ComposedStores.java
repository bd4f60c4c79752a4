package dev.memoria;

import dev.memoria.fact.FactStore;
import dev.memoria.memory.Event;
import dev.memoria.memory.EventQuery;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.memory.MemoryStore;
import dev.memoria.memory.Snapshot;
import dev.memoria.run.RunRef;
import dev.memoria.run.NewRun;
import dev.memoria.run.Run;
import dev.memoria.run.RunFilter;
import dev.memoria.run.RunStore;
import dev.memoria.session.Session;
import dev.memoria.session.SessionStore;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@link Stores} that {@link Stores#of} builds: three stores and what spans them, so that no
 * backend needs foreign keys or cross-store writes: the X2 check before a run is created, and the
 * session's last activity, moved when a run is created or events are appended (S11).
 */
final class ComposedStores implements Stores {
    /** A session's activity is written at most once a second per session and process: cheap, and exact enough to order conversations. */
    private static final long ACTIVITY_GRAIN_MILLIS = 1_000;
    private static final int ACTIVITY_CACHE_SIZE = 10_000;

    private final SessionStore sessions;
    private final RunStore runs;
    private final MemoryStore memory;
    /** null when composed without one */
    private final FactStore facts;
    private final AutoCloseable onClose;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The last activity this process wrote per session, so that most appends write none. */
    private final java.util.concurrent.ConcurrentHashMap<String, Long> activityWritten =
            new java.util.concurrent.ConcurrentHashMap<>();

    ComposedStores(SessionStore sessions, RunStore runs, MemoryStore memory, FactStore facts, AutoCloseable onClose) {
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        Objects.requireNonNull(runs, "runs");
        Objects.requireNonNull(memory, "memory");
        // the parts of other composed stores check and track against their own sessions: use ours instead
        RunStore rawRuns = runs instanceof SessionCheckingRunStore checking ? checking.runs : runs;
        MemoryStore rawMemory = memory instanceof ActivityTrackingMemoryStore tracking ? tracking.memory : memory;
        this.runs = new SessionCheckingRunStore(rawRuns);
        this.memory = new ActivityTrackingMemoryStore(rawMemory);
        this.facts = facts;
        this.onClose = Objects.requireNonNull(onClose, "onClose");
    }

    /**
     * Moves the session's last activity, unless this process did so less than a second before.
     * An append has already succeeded when this runs: a failure here is not the caller's, so the
     * activity is written again with the next append instead.
     */
    private void touched(String sessionId, java.time.Instant at, boolean always) {
        long millis = at.toEpochMilli();
        Long written = activityWritten.get(sessionId);
        if (!always && written != null && millis < written + ACTIVITY_GRAIN_MILLIS) {
            return;
        }
        try {
            sessions.touch(sessionId, at);
        } catch (StoreUnavailableException notNow) {
            return;
        }
        if (activityWritten.size() >= ACTIVITY_CACHE_SIZE) {
            activityWritten.clear();
        }
        activityWritten.merge(sessionId, millis, Math::max);
    }

    @Override
    public SessionStore sessions() {
        return sessions;
    }

    @Override
    public RunStore runs() {
        return runs;
    }

    @Override
    public MemoryStore memory() {
        return memory;
    }

    @Override
    public FactStore facts() {
        if (facts == null) {
            throw new UnsupportedOperationException("these stores were composed without a fact store:"
                    + " use Stores.of(sessions, runs, memory, facts)");
        }
        return facts;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                onClose.close();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new StoreUnavailableException("closing the stores failed: " + e.getMessage(), e, false);
            }
        }
    }

    @Override
    public String toString() {
        return "Stores[" + sessions + ", " + runs + ", " + memory + (facts == null ? "" : ", " + facts) + "]";
    }

    /** Checks X2 against the composed session store, so that no backend needs foreign keys. */
    private final class SessionCheckingRunStore implements RunStore {
        private final RunStore runs;

        SessionCheckingRunStore(RunStore runs) {
            this.runs = runs;
        }

        @Override
        public Run create(NewRun spec) {
            Objects.requireNonNull(spec, "spec");
            Session session = sessions.get(spec.sessionId())
                    .orElseThrow(() -> new NotFoundException("session", spec.sessionId()));
            if (!session.isActive()) {
                throw new SessionEndedException(session.id());
            }
            Run created = runs.create(spec);
            touched(created.sessionId(), created.startedAt(), true);
            return created;
        }

        @Override
        public Optional<Run> get(String id) {
            return runs.get(id);
        }

        @Override
        public Run update(Run changed) {
            return runs.update(changed);
        }

        @Override
        public Run update(String id, java.util.function.UnaryOperator<Run> change) {
            return runs.update(id, change); // a backend's own read-modify-write (under a lock, say) is kept
        }

        @Override
        public java.util.List<Run> listBySession(String sessionId) {
            return runs.listBySession(sessionId);
        }

        @Override
        public Page<Run> list(RunFilter filter) {
            return runs.list(filter);
        }

        @Override
        public boolean delete(String id) {
            return runs.delete(id);
        }

        @Override
        public String toString() {
            return runs.toString();
        }
    }

    /** Moves a session's last activity when events are appended to one of its runs. */
    private final class ActivityTrackingMemoryStore implements MemoryStore {
        private final MemoryStore memory;

        ActivityTrackingMemoryStore(MemoryStore memory) {
            this.memory = memory;
        }

        private List<MemoryEvent> tracked(RunRef run, List<MemoryEvent> stored) {
            if (!stored.isEmpty()) {
                java.time.Instant newest = stored.get(0).timestamp();
                for (MemoryEvent e : stored) {
                    newest = e.timestamp().isAfter(newest) ? e.timestamp() : newest;
                }
                touched(run.sessionId(), newest, false);
            }
            return stored;
        }

        @Override
        public Snapshot load(RunRef run) {
            return memory.load(run);
        }

        @Override
        public List<MemoryEvent> append(RunRef run, List<Event> events) {
            return tracked(run, memory.append(run, events));
        }

        @Override
        public List<MemoryEvent> appendAfter(RunRef run, long expectedLastSequence, List<Event> events) {
            return tracked(run, memory.appendAfter(run, expectedLastSequence, events));
        }

        @Override
        public Page<MemoryEvent> read(EventQuery query) {
            return memory.read(query);
        }

        @Override
        public long delete(RunRef run) {
            return memory.delete(run);
        }

        @Override
        public String toString() {
            return memory.toString();
        }
    }
}
