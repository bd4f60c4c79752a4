package dev.memoria;

import dev.memoria.memory.MemoryStore;
import dev.memoria.run.NewRun;
import dev.memoria.run.Run;
import dev.memoria.run.RunFilter;
import dev.memoria.run.RunStore;
import dev.memoria.session.Session;
import dev.memoria.session.SessionStore;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/** The {@link Stores} that {@link Stores#of} builds: three stores and the X2 check between them. */
final class ComposedStores implements Stores {
    private final SessionStore sessions;
    private final RunStore runs;
    private final MemoryStore memory;
    private final AutoCloseable onClose;
    private final AtomicBoolean closed = new AtomicBoolean();

    ComposedStores(SessionStore sessions, RunStore runs, MemoryStore memory, AutoCloseable onClose) {
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        Objects.requireNonNull(runs, "runs");
        // runs() of other composed stores checks its own sessions: check against ours instead
        RunStore raw = runs instanceof SessionCheckingRunStore checking ? checking.runs : runs;
        this.runs = new SessionCheckingRunStore(sessions, raw);
        this.memory = Objects.requireNonNull(memory, "memory");
        this.onClose = Objects.requireNonNull(onClose, "onClose");
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
        return "Stores[" + sessions + ", " + runs + ", " + memory + "]";
    }

    /** Checks X2 against the composed session store, so that no backend needs foreign keys. */
    private static final class SessionCheckingRunStore implements RunStore {
        private final SessionStore sessions;
        private final RunStore runs;

        SessionCheckingRunStore(SessionStore sessions, RunStore runs) {
            this.sessions = sessions;
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
            return runs.create(spec);
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
}
