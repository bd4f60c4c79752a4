package dev.memoria.runtime;

import dev.memoria.ConflictException;
import dev.memoria.Ids;
import dev.memoria.InvalidTransitionException;
import dev.memoria.Limits;
import dev.memoria.AlreadyExistsException;
import dev.memoria.NotFoundException;
import dev.memoria.Page;
import dev.memoria.RunNotRunningException;
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
import dev.memoria.internal.Checks;
import dev.memoria.spi.Retries;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

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
    /** How often a live run's record is touched when none is configured: every 30 seconds. */
    public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(30);
    /** The metadata key of a canceled run's reason. */
    public static final String CANCEL_REASON = "memoria.cancelReason";
    private static final System.Logger LOG = System.getLogger(AgentRuntime.class.getName());
    private static final Set<EventType> MESSAGES = EnumSet.of(EventType.USER_MESSAGE, EventType.ASSISTANT_MESSAGE);

    private final Stores stores;
    private final Clock clock;
    private final Supplier<String> ids;
    private final int historyWindow;
    private final Duration heartbeat;
    private final List<RunListener> listeners;
    private final dev.memoria.context.Summarizer summarizer;
    private final dev.memoria.context.CompactionPolicy compactionPolicy;
    private final dev.memoria.fact.Embedder embedder;
    private final dev.memoria.fact.FactExtractor extractor;
    private final java.util.function.Function<Session, dev.memoria.fact.Namespace> factNamespace;

    private AgentRuntime(Builder b) {
        this.embedder = b.embedder;
        this.extractor = b.extractor;
        this.factNamespace = b.factNamespace;
        this.listeners = List.copyOf(b.listeners);
        this.summarizer = b.summarizer;
        this.compactionPolicy = b.compactionPolicy;
        this.stores = b.stores;
        this.clock = b.clock;
        this.ids = b.ids;
        this.historyWindow = b.historyWindow;
        this.heartbeat = b.heartbeat;
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
     * @param userId its user, or null (then an existing session is returned whatever its user)
     * @return the active session
     * @throws SessionEndedException if a session with this id exists and has ended
     * @throws ConflictException if a session with this id exists and belongs to another user
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
                if (userId != null && !userId.equals(existing.get().userId())) {
                    throw new ConflictException("session " + Checks.shorten(sessionId) + " belongs to "
                            + (existing.get().userId() == null ? "no user" : "user " + Checks.shorten(existing.get().userId()))
                            + ", not to user " + Checks.shorten(userId) + " (start another session for this user)");
                }
                return existing.get();
            }
            try {
                return stores.sessions().create(NewSession.builder().id(sessionId).userId(userId).build());
            } catch (AlreadyExistsException raced) {
                // another thread created it between get and create: read it back
            }
        }
        throw new ConflictException("session " + Checks.shorten(sessionId)
                + " was created and deleted again three times while being started; try again");
    }

    /**
     * Runs an agent on one user message: creates a run (PENDING → RUNNING), stores the message,
     * lets the agent emit events (each stored as it is emitted), and ends the run COMPLETED, or
     * FAILED with the agent's exception message, keeping what was emitted before it (A1); PAUSED
     * when the agent suspended (A5, continue it with {@link #resume}), or CANCELED when
     * {@link #cancel} ended it meanwhile (A9).
     *
     * @param sessionId an active session
     * @param agent the agent
     * @param input the user's message
     * @return the run in the status it stopped with, its events, and its suspension when PAUSED
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
        Run run = stores.runs().create(NewRun.builder(sessionId, Checks.id(agent.id(), "agent.id()")).id(ids.get()).build());
        return start(session, run, agent, input, userMessage);
    }

    /** Starts a created run: RUNNING, its user message, then the agent. */
    private RunResult start(Session session, Run created, Agent agent, String input, Event userMessage) {
        List<MemoryEvent> history = history(session.id(), historyWindow);
        Run run;
        try {
            run = stores.runs().update(created.withStatus(RunStatus.RUNNING));
        } catch (InvalidTransitionException | ConflictException canceledMeanwhile) {
            Run stored = stores.runs().get(created.id()).orElseThrow(() -> new NotFoundException("run", created.id()));
            if (stored.status() != RunStatus.CANCELED) {
                throw canceledMeanwhile;
            }
            return new RunResult(stored, List.of(), Optional.empty()); // canceled before it started (A9)
        }
        Run started = run;
        tell(l -> l.onStart(started));
        List<MemoryEvent> events = new ArrayList<>();
        for (MemoryEvent e : stores.memory().append(run.ref(), List.of(userMessage))) {
            events.add(e);
            tell(l -> l.onEvent(started, e));
        }
        return execute(session, run, agent, input, history, events, null, null);
    }

    /**
     * Lets the agent handle a turn of a RUNNING run and ends the run: COMPLETED, FAILED with the
     * agent's exception, PAUSED when it suspended, or as stored when something else ended it.
     */
    private RunResult execute(Session session, Run run, Agent agent, String input, List<MemoryEvent> history,
            List<MemoryEvent> events, Suspension resumed, Approval approval) {
        RunningTurn turn = new RunningTurn(session, run, input, history, events, resumed, approval);
        Throwable failure = null;
        java.util.concurrent.ScheduledFuture<?> beat = startHeartbeat(run.id());
        try {
            agent.handle(turn);
        } catch (RunSuspendedException suspended) {
            // the suspension is stored: the run pauses below
        } catch (Throwable t) { // an Error too: the run must not stay RUNNING
            failure = t;
        } finally {
            if (beat != null) {
                beat.cancel(false);
            }
        }
        // the end is written with the interrupt flag clear (some drivers refuse to work while it
        // is set), and the flag is given back afterwards: an interrupted agent stays interrupted
        boolean interrupted = Thread.interrupted() || failure instanceof InterruptedException;
        Suspension suspension = failure == null ? turn.suspended : null;
        Run ended;
        try {
            String error = failure == null ? null : errorMessage(failure);
            ended = finish(run.id(), current -> suspension != null ? current.withStatus(RunStatus.PAUSED)
                    : error == null ? current.withStatus(RunStatus.COMPLETED) : current.failed(error));
        } catch (RuntimeException | Error finishing) {
            if (failure != null) {
                finishing.addSuppressed(failure);
            }
            throw finishing;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        tell(l -> l.onEnd(ended));
        if (extractor != null && ended.status() == RunStatus.COMPLETED) {
            extractQuietly(ended);
        }
        if (summarizer != null && ended.status() == RunStatus.COMPLETED) {
            compactQuietly(session.id());
        }
        if (failure instanceof Error error) {
            throw error;
        }
        Optional<Suspension> paused = ended.status() != RunStatus.PAUSED ? Optional.empty()
                : suspension != null ? Optional.of(suspension) : suspension(ended.id());
        if (ended.status() == RunStatus.PAUSED && paused.isEmpty()) {
            throw new dev.memoria.StoreStateException("run " + ended.id() + " was set PAUSED by another writer without a "
                    + EventType.SUSPENDED + " event; cancel it (AgentRuntime.cancel) or fail it");
        }
        return new RunResult(ended, events, paused);
    }

    /**
     * Continues a PAUSED run (A6), in this process or any other: the run becomes RUNNING (a
     * compare-and-set on its version, so of two racing resumers one continues and the other gets
     * a {@link ConflictException} and writes nothing), a {@link EventType#RESUMED} event records
     * the input, and the agent's {@link Turn} offers the suspension, the input and the run's
     * events so far.
     *
     * @param runId a PAUSED run whose suspension is not an approval
     * @param agent the run's agent (the same id as the one that started it)
     * @param input what the run waited for: a user's answer, an external tool's result
     * @return the run in the status it stopped with, PAUSED again included
     * @throws NotFoundException if there is no such run
     * @throws InvalidTransitionException if the run is not PAUSED
     * @throws ConflictException if another resumer continued it first
     * @throws SessionEndedException if the run's session has ended; nothing is written
     * @throws IllegalArgumentException if the run waits for an approval (resume it with an
     *     {@link Approval}) or the agent is not the run's
     */
    public RunResult resume(String runId, Agent agent, String input) {
        Objects.requireNonNull(input, "input");
        return resume(runId, agent, input, null);
    }

    /**
     * Continues a run that waits for an approval (A7): stores the decision as an
     * {@link EventType#APPROVAL} event (who, why, and its time), and on a denial the tool call's
     * error result ("denied: reason"), then lets the agent go on as {@link #resume(String, Agent, String)} does.
     *
     * @param runId a PAUSED run whose suspension is an approval
     * @param agent the run's agent
     * @param decision the grant or the denial
     * @return the run in the status it stopped with
     * @throws NotFoundException if there is no such run
     * @throws InvalidTransitionException if the run is not PAUSED
     * @throws ConflictException if another resumer continued it first
     * @throws SessionEndedException if the run's session has ended; nothing is written
     * @throws IllegalArgumentException if the run does not wait for an approval, or the agent is not the run's
     */
    public RunResult resume(String runId, Agent agent, Approval decision) {
        Objects.requireNonNull(decision, "decision");
        return resume(runId, agent, null, decision);
    }

    private RunResult resume(String runId, Agent agent, String input, Approval decision) {
        Checks.id(runId, "runId");
        Objects.requireNonNull(agent, "agent");
        Run paused = stores.runs().get(runId).orElseThrow(() -> new NotFoundException("run", runId));
        if (paused.status() != RunStatus.PAUSED) {
            throw new InvalidTransitionException(runId, paused.status(), RunStatus.RUNNING);
        }
        if (!paused.agentId().equals(agent.id())) {
            throw new IllegalArgumentException("agent: run " + runId + " belongs to agent " + Checks.shorten(paused.agentId())
                    + ", not to " + Checks.shorten(agent.id()));
        }
        Session session = stores.sessions().get(paused.sessionId())
                .orElseThrow(() -> new NotFoundException("session", paused.sessionId()));
        if (!session.isActive()) {
            throw new SessionEndedException(session.id());
        }
        // read from the run as this resumer saw it: a racer that got in first has moved it on since,
        // and this resumer's compare-and-set below is what reports that
        Suspension suspension = latestSuspension(paused).orElseThrow(() -> new dev.memoria.StoreStateException(
                "run " + runId + " is PAUSED but its log holds no " + EventType.SUSPENDED + " event"));
        if (decision != null && !suspension.isApproval()) {
            throw new IllegalArgumentException("decision: run " + runId + " waits for " + suspension.reason()
                    + ", not for an approval; resume it with an input text");
        }
        if (decision == null && suspension.isApproval()) {
            throw new IllegalArgumentException("input: run " + runId + " waits for an approval of tool call "
                    + suspension.data().get("callId") + "; resume it with an Approval");
        }
        Event.userMessage(input == null ? "" : input); // validates the input's size before anything is written
        Run running;
        try {
            running = stores.runs().update(paused.withStatus(RunStatus.RUNNING)); // the compare-and-set
        } catch (InvalidTransitionException movedOn) {
            // it was PAUSED when read: another resumer got in first and has already ended it, or a
            // cancellation did; either way this resumer lost the race, as with a stale version
            throw new ConflictException("run " + runId + " was resumed or canceled by another caller first; it is now "
                    + stores.runs().get(runId).map(r -> r.status().toString()).orElse("gone") + " (nothing was written)");
        }
        tell(l -> l.onStart(running));
        String turnInput = decision == null ? input : decision.granted() ? "granted" : "denied: " + decision.reason();
        List<Event> records = new ArrayList<>();
        records.add(Event.of(EventType.RESUMED, Map.of("suspension", suspension.id(), "input", turnInput))
                .withKey("resumed:" + suspension.id()));
        if (decision != null) {
            Object callId = suspension.data().get("callId");
            Object tool = suspension.data().get("tool");
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("callId", callId);
            data.put("tool", tool);
            data.put("granted", decision.granted());
            data.put("by", decision.by());
            data.put("reason", decision.reason());
            records.add(Event.of(EventType.APPROVAL, data).withKey("approval:" + suspension.id()));
            if (!decision.granted()) {
                records.add(Event.toolResult(String.valueOf(callId), String.valueOf(tool),
                        decision.reason().isEmpty() ? "denied" : "denied: " + decision.reason(), true)
                        .withKey("denied:" + suspension.id()));
            }
        }
        for (MemoryEvent e : stores.memory().append(running.ref(), records)) {
            tell(l -> l.onEvent(running, e));
        }
        List<MemoryEvent> events = new ArrayList<>();
        EventQuery all = EventQuery.run(running.ref()).limit(Limits.MAX_PAGE_SIZE);
        Page<MemoryEvent> page = stores.memory().read(all);
        events.addAll(page.items());
        while (page.hasNext()) {
            page = stores.memory().read(all.cursor(page.nextCursor()));
            events.addAll(page.items());
        }
        // the history as it was when the run started: not this run's own events, nor messages of
        // runs that came while it waited (a summary written meanwhile still stands for what it covers)
        List<MemoryEvent> history = history(session.id(), historyWindow).stream()
                .filter(e -> !e.run().runId().equals(runId))
                .filter(e -> e.type() == EventType.SUMMARY || !e.timestamp().isAfter(paused.startedAt())).toList();
        return execute(session, running, agent, turnInput, history, events, suspension, decision);
    }

    /**
     * The suspension a PAUSED run waits on (A5), read from its log.
     *
     * @param runId the run
     * @return its latest suspension when the run is PAUSED, otherwise empty
     */
    public Optional<Suspension> suspension(String runId) {
        Run run = stores.runs().get(Checks.id(runId, "runId")).orElse(null);
        if (run == null || run.status() != RunStatus.PAUSED) {
            return Optional.empty();
        }
        return latestSuspension(run);
    }

    private Optional<Suspension> latestSuspension(Run run) {
        return stores.memory().read(EventQuery.run(run.ref()).types(EventType.SUSPENDED).latest(1)).items().stream()
                .findFirst().map(Suspension::of);
    }

    /**
     * Cancels a run (A9), from any thread or process: a PENDING or PAUSED run becomes CANCELED at
     * once; a RUNNING one too, and its agent sees {@link Turn#isCanceled()} and cannot emit any
     * more, while the events stored so far stay. Its open child runs are canceled with it.
     *
     * @param runId the run
     * @param reason why, kept in the run's metadata under {@value #CANCEL_REASON}
     * @return the run as it now is (unchanged if it had already ended)
     * @throws NotFoundException if there is no such run
     */
    public Run cancel(String runId, String reason) {
        Checks.id(runId, "runId");
        Objects.requireNonNull(reason, "reason");
        if (reason.length() > Limits.MAX_ERROR_LENGTH) {
            throw new IllegalArgumentException("reason: at most " + Limits.MAX_ERROR_LENGTH + " characters, got " + reason.length());
        }
        Run canceled = null;
        for (int attempt = 0; canceled == null; attempt++) {
            Run current = stores.runs().get(runId).orElseThrow(() -> new NotFoundException("run", runId));
            if (current.agentId().equals(dev.memoria.context.Context.AGENT_ID)) {
                throw new IllegalArgumentException("runId: run " + runId + " is the context log of session "
                        + Checks.shorten(current.sessionId()) + " (its summaries and rewinds), not an agent's run");
            }
            if (current.status().isTerminal()) {
                return current;
            }
            try {
                canceled = stores.runs().update(current.withStatus(RunStatus.CANCELED).withMetadata(CANCEL_REASON, reason));
                if (current.status() != RunStatus.RUNNING) { // a RUNNING run's own thread reports its end
                    Run ended = canceled;
                    tell(l -> l.onEnd(ended));
                }
            } catch (ConflictException | InvalidTransitionException moved) {
                if (attempt >= Retries.MAX_ATTEMPTS) {
                    throw moved;
                }
            }
        }
        RunFilter children = RunFilter.all().parentRunId(runId)
                .statuses(RunStatus.PENDING, RunStatus.RUNNING, RunStatus.PAUSED).limit(Limits.MAX_PAGE_SIZE);
        Page<Run> page = stores.runs().list(children);
        List<Run> open = new ArrayList<>(page.items());
        while (page.hasNext()) {
            page = stores.runs().list(children.cursor(page.nextCursor()));
            open.addAll(page.items());
        }
        for (Run child : open) {
            cancel(child.id(), "parent run " + runId + " was canceled");
        }
        return canceled;
    }

    /** The fact store the runtime's turns use: the stores', with the embedder if one was given. */
    private dev.memoria.fact.FactStore facts() {
        dev.memoria.fact.FactStore facts = stores.facts();
        return embedder == null ? facts : facts.withEmbedder(embedder);
    }

    /**
     * The default namespace of a session's facts, for {@link Turn#recall} and extractors that
     * want the same: {@code users/<userId>}, or {@code sessions/<sessionId>} for a session
     * without user.
     *
     * @param session a session
     * @return its facts' namespace
     */
    public static dev.memoria.fact.Namespace defaultFactNamespace(Session session) {
        return session.userId() != null ? dev.memoria.fact.Namespace.of("users", session.userId())
                : dev.memoria.fact.Namespace.of("sessions", session.id());
    }

    /** Runs the extractor over the completed run (K7); a failure never fails the run, and the next ingestion catches up. */
    private void extractQuietly(Run ended) {
        try {
            dev.memoria.fact.FactIngestion.of(stores, facts(), extractor).ingestRun(ended.id());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "extracting facts from run " + ended.id() + " with " + extractor.id()
                    + " failed; the run stays COMPLETED and the next ingestion reads its events again", e);
        }
    }

    /** Compacts the session if the policy says so (C9); a compaction never fails the run that completed. */
    private void compactQuietly(String sessionId) {
        try {
            dev.memoria.context.Context.of(stores).compact(sessionId, summarizer, compactionPolicy);
        } catch (ConflictException anotherCompactorWasFirst) {
            // its summary stands; the next run tries again if still due
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "compacting session " + sessionId + " failed; the run stays COMPLETED", e);
        }
    }

    private void tell(java.util.function.Consumer<RunListener> call) {
        for (RunListener listener : listeners) {
            try {
                call.accept(listener);
            } catch (RuntimeException ignored) {
                LOG.log(System.Logger.Level.WARNING, "a run listener threw; the run goes on", ignored);
            }
        }
    }

    /**
     * Ends a run that this runtime started, unless something else ended it first (a recover by
     * another process, a cancellation): then the run as stored is the result.
     */
    private Run finish(String runId, UnaryOperator<Run> end) {
        for (int attempt = 0; ; attempt++) {
            Run current = stores.runs().get(runId).orElseThrow(() -> new NotFoundException("run", runId));
            if (current.status() != RunStatus.RUNNING) {
                return current;
            }
            try {
                return stores.runs().update(end.apply(current));
            } catch (ConflictException | InvalidTransitionException moved) {
                // a heartbeat, a label change or another process got in between: read it again
                if (attempt >= Retries.MAX_ATTEMPTS) {
                    throw moved;
                }
            }
        }
    }

    /** Keeps a live run's updatedAt moving while its agent works, so that recover never takes it for abandoned. */
    private java.util.concurrent.ScheduledFuture<?> startHeartbeat(String runId) {
        if (heartbeat.isZero()) {
            return null;
        }
        long every = heartbeat.toMillis();
        return Heartbeats.SCHEDULER.scheduleWithFixedDelay(() -> beat(runId), every, every,
                java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private void beat(String runId) {
        try {
            stores.runs().get(runId).filter(r -> r.status() == RunStatus.RUNNING).ifPresent(r -> stores.runs().update(r));
        } catch (RuntimeException skipped) {
            // best effort: a lost race or an unreachable store skips one beat; the next one tries again
        }
    }

    /** One daemon thread for the heartbeats of every runtime in this JVM: they are rare and short. */
    private static final class Heartbeats {
        static final java.util.concurrent.ScheduledThreadPoolExecutor SCHEDULER = create();

        private static java.util.concurrent.ScheduledThreadPoolExecutor create() {
            java.util.concurrent.ScheduledThreadPoolExecutor s = new java.util.concurrent.ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "memoria-run-heartbeat");
                t.setDaemon(true);
                return t;
            });
            s.setRemoveOnCancelPolicy(true);
            return s;
        }
    }

    static String errorMessage(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getName()
                : e instanceof Error || e instanceof InterruptedException ? e.getClass().getName() + ": " + e.getMessage()
                : e.getMessage();
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
     * The session's last user and assistant messages across runs, oldest first (A2), as its
     * context view shows them (C2): after a compaction the SUMMARY event comes first and stands for
     * what it covers; rewound events are left out; a fork's inherited prefix is included. Read
     * from an index rather than by loading runs.
     *
     * @param sessionId the session
     * @param limit how many, 1 to {@value Limits#MAX_PAGE_SIZE}
     * @return the messages
     */
    public List<MemoryEvent> history(String sessionId, int limit) {
        return history(sessionId, limit, MESSAGES);
    }

    /**
     * The session's last events of the given types across runs, oldest first, as its context
     * view shows them (C2, C3); for example messages and tool events together, every call paired
     * with a result.
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
        return dev.memoria.context.Context.of(stores).view(sessionId, limit, types).events();
    }

    /**
     * Marks runs that were left RUNNING by a crashed process FAILED (A3). A run is abandoned when
     * for longer than {@code staleAfter} neither the run record changed (the runtime's heartbeat
     * moves it every {@link Builder#heartbeat(Duration) heartbeat} while an agent works) nor its
     * log received an event. Choose {@code staleAfter} well above the heartbeat interval.
     *
     * @param staleAfter how long without a sign of life makes a RUNNING run abandoned
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
        String why = "abandoned: RUNNING without an update or an event for more than " + staleAfter
                + " (recovered by AgentRuntime.recover)";
        List<Run> recovered = new ArrayList<>();
        for (Run run : stale) {
            Run current = run;
            for (int attempt = 0; attempt < 3 && current != null && abandoned(current, cutoff); attempt++) {
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

    /** Whether a RUNNING run whose record is older than the cutoff has no newer event either. */
    private boolean abandoned(Run run, Instant cutoff) {
        List<MemoryEvent> last = stores.memory().read(EventQuery.run(run.ref()).latest(1)).items();
        return last.isEmpty() || last.get(0).timestamp().isBefore(cutoff);
    }

    /** @return the stores this runtime writes to */
    public Stores stores() {
        return stores;
    }

    @Override
    public String toString() {
        return "AgentRuntime[" + stores + ", history window " + historyWindow + ", heartbeat " + heartbeat + "]";
    }

    private final class RunningTurn implements Turn {
        private final Session session;
        private final Run run;
        private final String input;
        private final List<MemoryEvent> history;
        private final List<MemoryEvent> events;
        private final List<MemoryEvent> eventsView;
        private final Suspension resumed;
        private final Approval approval;
        private Suspension suspended;

        RunningTurn(Session session, Run run, String input, List<MemoryEvent> history, List<MemoryEvent> events,
                Suspension resumed, Approval approval) {
            this.session = session;
            this.run = run;
            this.input = input;
            this.history = List.copyOf(history);
            this.events = events;
            this.eventsView = java.util.Collections.unmodifiableList(events);
            this.resumed = resumed;
            this.approval = approval;
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
        public List<MemoryEvent> events() {
            return eventsView;
        }

        @Override
        public Optional<Suspension> suspension() {
            return Optional.ofNullable(resumed);
        }

        @Override
        public Optional<Approval> approval() {
            return Optional.ofNullable(approval);
        }

        @Override
        public dev.memoria.fact.Namespace factNamespace() {
            return Objects.requireNonNull(factNamespace.apply(session), "the runtime's factNamespace returned null");
        }

        @Override
        public List<dev.memoria.fact.FactMatch> recall(String query, int limit) {
            Objects.requireNonNull(query, "query");
            dev.memoria.fact.FactQuery q = dev.memoria.fact.FactQuery.in(factNamespace()).limit(limit);
            return facts().search(embedder == null ? q.text(query) : q.hybrid(query)).items();
        }

        @Override
        public dev.memoria.fact.Fact remember(String key, String text) {
            long sequence = events.isEmpty() ? 0 : events.get(events.size() - 1).sequence();
            return facts().put(dev.memoria.fact.NewFact.builder(factNamespace(), text).key(key)
                    .source(run.ref(), sequence).build());
        }

        @Override
        public MemoryEvent emit(Event event) {
            Objects.requireNonNull(event, "event");
            // another process may have ended the run (recover, a cancellation): its log takes no more events
            Run current = stores.runs().get(run.id()).orElseThrow(() -> new NotFoundException("run", run.id()));
            if (current.status() != RunStatus.RUNNING) {
                throw new RunNotRunningException(run.id(), current.status());
            }
            MemoryEvent stored = stores.memory().append(run.ref(), List.of(event)).get(0);
            if (events.isEmpty() || stored.sequence() > events.get(events.size() - 1).sequence()) {
                events.add(stored); // not when the key was already there: an idempotent repeat
                tell(l -> l.onEvent(current, stored));
            }
            return stored;
        }

        @Override
        public boolean isCanceled() {
            return stores.runs().get(run.id()).map(r -> r.status() == RunStatus.CANCELED).orElse(true);
        }

        @Override
        public RunSuspendedException suspend(String reason, Map<String, ?> data) {
            long before = events.stream().filter(e -> e.type() == EventType.SUSPENDED).count();
            return suspend(String.valueOf(before + 1), reason, data);
        }

        @Override
        public RunSuspendedException suspend(String id, String reason, Map<String, ?> data) {
            Checks.id(id, "id");
            Checks.id(reason, "reason");
            Objects.requireNonNull(data, "data");
            MemoryEvent stored = emit(Event.of(EventType.SUSPENDED, Suspension.eventData(id, reason, data)).withKey("suspension:" + id));
            suspended = Suspension.of(stored);
            throw new RunSuspendedException(suspended);
        }

        @Override
        public RunSuspendedException requestApproval(Event toolCall) {
            Objects.requireNonNull(toolCall, "toolCall");
            if (!EventType.TOOL_CALL.name().equals(toolCall.typeName())) {
                throw new IllegalArgumentException("toolCall: a TOOL_CALL event, got " + toolCall.typeName());
            }
            MemoryEvent call = emit(toolCall);
            dev.memoria.memory.ToolCall c = call.toolCall();
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("callId", c.callId());
            data.put("tool", c.tool());
            data.put("arguments", c.arguments());
            return suspend(Suspension.APPROVAL, data);
        }

        @Override
        public RunResult delegate(Agent agent, String input) {
            Objects.requireNonNull(agent, "agent");
            Objects.requireNonNull(input, "input");
            Event userMessage = Event.userMessage(input);
            if (isCanceled()) {
                throw new RunNotRunningException(run.id(), RunStatus.CANCELED);
            }
            Run child = stores.runs().create(NewRun.builder(session.id(), Checks.id(agent.id(), "agent.id()"))
                    .id(ids.get()).parentRunId(run.id()).build());
            return start(session, child, agent, input, userMessage);
        }

        @Override
        public String toString() {
            return "Turn[" + run + (resumed == null ? "" : ", resuming " + resumed) + "]";
        }
    }

    /** Configures an {@link AgentRuntime}. Not thread-safe. */
    public static final class Builder {
        private final Stores stores;
        private Clock clock = Clock.systemUTC();
        private Supplier<String> ids = Ids::next;
        private int historyWindow = DEFAULT_HISTORY_WINDOW;
        private Duration heartbeat = DEFAULT_HEARTBEAT;
        private final List<RunListener> listeners = new ArrayList<>();
        private dev.memoria.context.Summarizer summarizer;
        private dev.memoria.context.CompactionPolicy compactionPolicy;
        private dev.memoria.fact.Embedder embedder;
        private dev.memoria.fact.FactExtractor extractor;
        private java.util.function.Function<Session, dev.memoria.fact.Namespace> factNamespace =
                AgentRuntime::defaultFactNamespace;

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

        /**
         * @param interval how often the record of a run whose agent is working is touched, so that
         *     {@link #recover(Duration)} in any process knows it is alive; at least 1 second, or
         *     {@link Duration#ZERO} for no heartbeat (then only events show that a run is alive)
         * @return this builder
         */
        public Builder heartbeat(Duration interval) {
            Objects.requireNonNull(interval, "heartbeat");
            if (!interval.isZero() && interval.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("heartbeat: at least 1 second, or Duration.ZERO for none, got " + interval);
            }
            this.heartbeat = interval;
            return this;
        }

        /**
         * @param listener hears every run start, stored event and run end (A10); may be called
         *     several times, listeners are called in the order they were added
         * @return this builder
         */
        public Builder listener(RunListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Lets the runtime compact a session on its own (C9): after each run that completes, if
         * the policy says the session is due, its view is summarized (see
         * {@link dev.memoria.context.Context#compact(String, dev.memoria.context.Summarizer, dev.memoria.context.CompactionPolicy)}).
         * A compaction that fails or loses to another compactor never fails the run.
         *
         * @param summarizer writes the summaries
         * @param policy when and how much
         * @return this builder
         */
        public Builder compaction(dev.memoria.context.Summarizer summarizer, dev.memoria.context.CompactionPolicy policy) {
            this.summarizer = Objects.requireNonNull(summarizer, "summarizer");
            this.compactionPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * @param embedder computes the vectors of the facts turns remember, and makes
         *     {@link Turn#recall} fuse word and similarity search (K6)
         * @return this builder
         */
        public Builder embedder(dev.memoria.fact.Embedder embedder) {
            this.embedder = Objects.requireNonNull(embedder, "embedder");
            return this;
        }

        /**
         * Lets the runtime learn facts on its own (K7): after each run that completes, the
         * extractor reads the run's events after its watermark and its facts are put. A failing
         * extraction never fails the run; the next one reads the same events again.
         *
         * @param extractor turns events into facts
         * @return this builder
         */
        public Builder extractor(dev.memoria.fact.FactExtractor extractor) {
            this.extractor = Objects.requireNonNull(extractor, "extractor");
            return this;
        }

        /**
         * @param namespace the namespace of a session's facts, for {@link Turn#recall} and
         *     {@link Turn#remember}; by default {@code users/<userId>}, or {@code sessions/<id>}
         *     for a session without user
         * @return this builder
         */
        public Builder factNamespace(java.util.function.Function<Session, dev.memoria.fact.Namespace> namespace) {
            this.factNamespace = Objects.requireNonNull(namespace, "factNamespace");
            return this;
        }

        /** @return the runtime */
        public AgentRuntime build() {
            return new AgentRuntime(this);
        }
    }
}
