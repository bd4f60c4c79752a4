package dev.memoria.runtime;

import dev.memoria.ConflictException;
import dev.memoria.Ids;
import dev.memoria.InvalidTransitionException;
import dev.memoria.Limits;
import dev.memoria.AlreadyExistsException;
import dev.memoria.NotFoundException;
import dev.memoria.Page;
import dev.memoria.SessionEndedException;
import dev.memoria.Stores;
import dev.memoria.memory.Event;
import dev.memoria.memory.EventQuery;
import dev.memoria.memory.EventType;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.run.NewRun;
import dev.memoria.run.Run;
import dev.memoria.run.RunFilter;
import dev.memoria.run.RunStatus;
import dev.memoria.session.NewSession;
import dev.memoria.session.Session;
import dev.memoria.spi.Checks;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Runs agents in sessions and persists every step through the three stores: the run's lifecycle
 * in the run store, the user's message and every event the agent emits in the memory store, as
 * they happen (A1). Thread-safe: many runs may execute at once, in one session or many.
 *
 * <pre>{@code
 * AgentRuntime rt = AgentRuntime.create(stores);
 * Session s = rt.startSession("support-42", "ada");
 * RunResult r = rt.run(s.id(), new CalculatorAgent(), "what is 6 * 7?");
 * r.reply(); // Optional["6 * 7 = 42"]
 * }</pre>
 */
public final class AgentRuntime {
    /** The history window when none is configured: the last 50 messages. */
    public static final int DEFAULT_HISTORY_WINDOW = 50;
    private static final Set<EventType> MESSAGES = EnumSet.of(EventType.USER_MESSAGE, EventType.ASSISTANT_MESSAGE);

    private final Stores stores;
    private final Clock clock;
    private final Supplier<String> ids;
    private final int historyWindow;

    private AgentRuntime(Builder b) {
        this.stores = b.stores;
        this.clock = b.clock;
        this.ids = b.ids;
        this.historyWindow = b.historyWindow;
    }

    /**
     * @param stores where sessions, runs and memory live
     * @return a runtime with the system clock, UUIDv7 ids and a history window of 50
     */
    public static AgentRuntime create(Stores stores) {
        return builder(stores).build();
    }

    /**
     * @param stores where sessions, runs and memory live
     * @return a builder for a configured runtime
     */
    public static Builder builder(Stores stores) {
        return new Builder(stores);
    }

    /**
     * Returns the active session with this id, or creates it (idempotent for an active session).
     *
     * @param id the session's id, or null for a generated one
     * @param userId its user, or null
     * @return the active session
     * @throws SessionEndedException if a session with this id exists and has ended
     */
    public Session startSession(String id, String userId) {
        String sessionId = id == null ? ids.get() : Checks.id(id, "id");
        Checks.optionalId(userId, "userId");
        for (int attempt = 0; attempt < 3; attempt++) {
            Optional<Session> existing = stores.sessions().get(sessionId);
            if (existing.isPresent()) {
                if (!existing.get().isActive()) {
                    throw new SessionEndedException(sessionId);
                }
                return existing.get();
            }
            try {
                return stores.sessions().create(NewSession.builder().id(sessionId).userId(userId).build());
            } catch (AlreadyExistsException raced) {
                // another thread created it between get and create: read it back
            }
        }
        throw new IllegalStateException("session " + sessionId + " keeps appearing and disappearing");
    }

    /**
     * Runs an agent on one user message: creates a run (PENDING → RUNNING), stores the message,
     * lets the agent emit events (each stored as it is emitted), and ends the run COMPLETED, or
     * FAILED with the agent's exception message, keeping what was emitted before it (A1).
     *
     * @param sessionId an active session
     * @param agent the agent
     * @param input the user's message
     * @return the run in its final status and its events
     * @throws NotFoundException if there is no such session
     * @throws SessionEndedException if the session has ended; nothing is written (A4)
     */
    public RunResult run(String sessionId, Agent agent, String input) {
        Checks.id(sessionId, "sessionId");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(input, "input");
        Event userMessage = Event.userMessage(input); // validates input before anything is written
        Session session = stores.sessions().get(sessionId).orElseThrow(() -> new NotFoundException("session", sessionId));
        if (!session.isActive()) {
            throw new SessionEndedException(sessionId);
        }
        List<MemoryEvent> history = history(sessionId, historyWindow);
        Run run = stores.runs().create(NewRun.builder(sessionId, Checks.id(agent.id(), "agent.id()")).id(ids.get()).build());
        run = stores.runs().update(run.withStatus(RunStatus.RUNNING));
        List<MemoryEvent> events = new ArrayList<>();
        events.addAll(stores.memory().append(run.ref(), List.of(userMessage)));
        RunningTurn turn = new RunningTurn(session, run, input, history, events);
        try {
            agent.handle(turn);
            run = finish(run, run.withStatus(RunStatus.COMPLETED));
        } catch (Exception e) {
            run = finish(run, run.failed(errorMessage(e)));
        }
        return new RunResult(run, events);
    }

    private Run finish(Run started, Run changed) {
        try {
            return stores.runs().update(changed);
        } catch (ConflictException e) {
            // someone else updated the run meanwhile (labels, say): apply the final status to theirs
            Run current = stores.runs().get(started.id()).orElseThrow(() -> new NotFoundException("run", started.id()));
            Run again = changed.status() == RunStatus.FAILED
                    ? current.failed(changed.error()) : current.withStatus(changed.status());
            return stores.runs().update(again);
        }
    }

    static String errorMessage(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
        message = message.replace('\0', ' ');
        if (message.length() > Limits.MAX_ERROR_LENGTH) {
            message = message.substring(0, Limits.MAX_ERROR_LENGTH - 5) + "[...]";
        }
        if (message.isEmpty()) {
            message = e.getClass().getName();
        }
        return message;
    }

    /**
     * Ends a session: it becomes read-only and takes no new runs.
     *
     * @param sessionId the session
     * @return the ended session (unchanged if it had already ended)
     */
    public Session endSession(String sessionId) {
        Session current = stores.sessions().get(Checks.id(sessionId, "sessionId"))
                .orElseThrow(() -> new NotFoundException("session", sessionId));
        if (!current.isActive()) {
            return current;
        }
        try {
            return stores.sessions().update(sessionId, s -> s.ended());
        } catch (SessionEndedException alreadyEnded) {
            return stores.sessions().get(sessionId).orElseThrow(() -> new NotFoundException("session", sessionId));
        }
    }

    /**
     * Removes a session with its runs and their events (X1).
     *
     * @param sessionId the session
     */
    public void purgeSession(String sessionId) {
        stores.purgeSession(sessionId);
    }

    /**
     * The session's last user and assistant messages across runs, oldest first (A2), read from
     * an index rather than by loading runs.
     *
     * @param sessionId the session
     * @param limit how many, 1 to {@value Limits#MAX_PAGE_SIZE}
     * @return the messages
     */
    public List<MemoryEvent> history(String sessionId, int limit) {
        return history(sessionId, limit, MESSAGES);
    }

    /**
     * The session's last events of the given types across runs, oldest first; for example
     * messages and tool events together.
     *
     * @param sessionId the session
     * @param limit how many, 1 to {@value Limits#MAX_PAGE_SIZE}
     * @param types the types to include
     * @return the events
     */
    public List<MemoryEvent> history(String sessionId, int limit, Set<EventType> types) {
        if (types.isEmpty()) {
            throw new IllegalArgumentException("types: name at least one event type");
        }
        return stores.memory().read(EventQuery.session(sessionId).types(types).latest(limit)).items();
    }

    /**
     * Marks runs left RUNNING for longer than {@code staleAfter} (their process crashed) FAILED (A3).
     *
     * @param staleAfter how long without an update makes a RUNNING run abandoned
     * @return the runs marked FAILED
     */
    public List<Run> recover(Duration staleAfter) {
        Objects.requireNonNull(staleAfter, "staleAfter");
        if (staleAfter.isNegative()) {
            throw new IllegalArgumentException("staleAfter: must not be negative, got " + staleAfter);
        }
        Instant cutoff = clock.instant().minus(staleAfter);
        RunFilter filter = RunFilter.all().statuses(RunStatus.RUNNING).updatedBefore(cutoff).limit(Limits.MAX_PAGE_SIZE);
        List<Run> stale = new ArrayList<>();
        Page<Run> page = stores.runs().list(filter);
        stale.addAll(page.items());
        while (page.hasNext()) {
            page = stores.runs().list(filter.cursor(page.nextCursor()));
            stale.addAll(page.items());
        }
        String why = "abandoned: RUNNING without an update for more than " + staleAfter + " (recovered by AgentRuntime.recover)";
        List<Run> recovered = new ArrayList<>();
        for (Run run : stale) {
            Run current = run;
            for (int attempt = 0; attempt < 3 && current != null; attempt++) {
                try {
                    recovered.add(stores.runs().update(current.failed(why)));
                    break;
                } catch (ConflictException moved) {
                    current = stores.runs().get(run.id())
                            .filter(r -> r.status() == RunStatus.RUNNING && r.updatedAt().isBefore(cutoff))
                            .orElse(null);
                } catch (InvalidTransitionException | NotFoundException gone) {
                    break;
                }
            }
        }
        return List.copyOf(recovered);
    }

    /** @return the stores this runtime writes to */
    public Stores stores() {
        return stores;
    }

    @Override
    public String toString() {
        return "AgentRuntime[" + stores + ", history window " + historyWindow + "]";
    }

    private final class RunningTurn implements Turn {
        private final Session session;
        private final Run run;
        private final String input;
        private final List<MemoryEvent> history;
        private final List<MemoryEvent> emitted;

        RunningTurn(Session session, Run run, String input, List<MemoryEvent> history, List<MemoryEvent> emitted) {
            this.session = session;
            this.run = run;
            this.input = input;
            this.history = history;
            this.emitted = emitted;
        }

        @Override
        public Session session() {
            return session;
        }

        @Override
        public Run run() {
            return run;
        }

        @Override
        public String input() {
            return input;
        }

        @Override
        public List<MemoryEvent> history() {
            return history;
        }

        @Override
        public MemoryEvent emit(Event event) {
            Objects.requireNonNull(event, "event");
            MemoryEvent stored = stores.memory().append(run.ref(), List.of(event)).get(0);
            emitted.add(stored);
            return stored;
        }

        @Override
        public String toString() {
            return "Turn[" + run + "]";
        }
    }

    /** Configures an {@link AgentRuntime}. Not thread-safe. */
    public static final class Builder {
        private final Stores stores;
        private Clock clock = Clock.systemUTC();
        private Supplier<String> ids = Ids::next;
        private int historyWindow = DEFAULT_HISTORY_WINDOW;

        private Builder(Stores stores) {
            this.stores = Objects.requireNonNull(stores, "stores");
        }

        /**
         * @param clock the clock {@link #recover(Duration)} measures staleness with; use the stores' clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * @param ids makes ids for new sessions and runs
         * @return this builder
         */
        public Builder idGenerator(Supplier<String> ids) {
            this.ids = Objects.requireNonNull(ids, "ids");
            return this;
        }

        /**
         * @param messages how many earlier messages {@link Turn#history()} holds, 1 to {@value Limits#MAX_PAGE_SIZE}
         * @return this builder
         */
        public Builder historyWindow(int messages) {
            this.historyWindow = Checks.pageSize(messages, "historyWindow");
            return this;
        }

        /** @return the runtime */
        public AgentRuntime build() {
            return new AgentRuntime(this);
        }
    }
}
