package dev.memoria.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.memoria.ConflictException;
import dev.memoria.InvalidTransitionException;
import dev.memoria.KeyConflictException;
import dev.memoria.RunNotRunningException;
import dev.memoria.SessionEndedException;
import dev.memoria.Stores;
import dev.memoria.run.RunStore;
import dev.memoria.runtime.Approval;
import dev.memoria.runtime.ChildRunFailedException;
import dev.memoria.runtime.RunListener;
import dev.memoria.runtime.RunSuspendedException;
import dev.memoria.runtime.Suspension;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Collections;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import dev.memoria.memory.Event;
import dev.memoria.memory.EventQuery;
import dev.memoria.memory.EventType;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.run.NewRun;
import dev.memoria.run.Run;
import dev.memoria.run.RunFilter;
import dev.memoria.run.RunStatus;
import dev.memoria.runtime.Agent;
import dev.memoria.runtime.AgentRuntime;
import dev.memoria.runtime.RunResult;
import dev.memoria.runtime.Turn;
import dev.memoria.session.Session;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Contracts A1–A10 of the agent runtime on a backend's stores: runs, history and recovery, then
 * suspension and resume, approvals, child runs, cancellation and listeners. Extend it and implement
 * {@link #newStores(java.time.Clock)}.
 */
public abstract class RuntimeContract extends ContractSupport {
    private AgentRuntime runtime;

    @BeforeEach
    final void createRuntime() {
        runtime = AgentRuntime.builder(stores).clock(clock).historyWindow(10).build();
    }

    private static Agent agent(String id, Agent.Handler handler) {
        return Agent.of(id, handler);
    }

    /**
     * The kit's own scripted agent, so that no backend's tests depend on a demo's wording: a
     * planner note, one tool call and its result, and a reply; or, asked what was asked before, a
     * count of the earlier user messages in its history.
     */
    private static final Agent SCRIPTED = Agent.of("scripted", turn -> {
        if (turn.input().startsWith("what did I ask")) {
            long asked = turn.history().stream().filter(e -> e.type() == EventType.USER_MESSAGE).count();
            turn.say("you asked " + asked + " things");
            return;
        }
        turn.emit(Event.plannerNote("look it up"));
        String callId = "call-" + turn.run().id();
        turn.emit(Event.toolCall(callId, "lookup", Map.of("q", turn.input())));
        turn.emit(Event.toolResult(callId, "lookup", (long) turn.input().length(), false));
        turn.say("the answer to '" + turn.input() + "' is " + turn.input().length());
    });

    @Test
    @DisplayName("A1: a run persists the user message first, then each event as it is emitted, then the final status")
    void a1_runPersistsUserMessageThenEventsThenStatus() {
        Session s = runtime.startSession("chat", "ada");
        List<String> observed = new ArrayList<>();
        RunResult result = runtime.run(s.id(), agent("observer", turn -> {
            assertThat(turn.run().status()).isEqualTo(RunStatus.RUNNING);
            assertThat(stores.runs().get(turn.run().id()).orElseThrow().status()).isEqualTo(RunStatus.RUNNING);
            List<MemoryEvent> stored = stores.memory().load(turn.run().ref()).events();
            observed.add("before: " + stored.size() + " " + stored.get(0).type() + " " + stored.get(0).text());
            turn.emit(Event.thinking("considering"));
            observed.add("after thinking: " + stores.memory().load(turn.run().ref()).events().size());
            turn.emit(Event.toolCall("c1", "clock", Map.of()));
            turn.emit(Event.toolResult("c1", "clock", "noon", false));
            turn.say("It is noon.");
        }), "what time is it?");
        assertThat(observed).containsExactly("before: 1 USER_MESSAGE what time is it?", "after thinking: 2");
        assertThat(result.succeeded()).isTrue();
        assertThat(result.reply()).contains("It is noon.");
        assertThat(result.run().status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(result.run().endedAt()).isNotNull();
        assertThat(result.events()).extracting(MemoryEvent::type).containsExactly(EventType.USER_MESSAGE,
                EventType.THINKING, EventType.TOOL_CALL, EventType.TOOL_RESULT, EventType.ASSISTANT_MESSAGE);
        assertThat(stores.memory().load(result.run().ref()).events()).isEqualTo(result.events());
        assertThat(stores.runs().get(result.run().id())).contains(result.run());
    }

    @Test
    @DisplayName("A1: the agent's exception marks the run FAILED with its message and keeps the events emitted before it")
    void a1_agentExceptionFailsTheRunAndKeepsEarlierEvents() {
        Session s = runtime.startSession(null, null);
        RunResult result = runtime.run(s.id(), agent("fragile", turn -> {
            turn.emit(Event.plannerNote("step 1"));
            throw new IllegalStateException("tool server unreachable");
        }), "do it");
        assertThat(result.succeeded()).isFalse();
        assertThat(result.run().status()).isEqualTo(RunStatus.FAILED);
        assertThat(result.run().error()).isEqualTo("tool server unreachable");
        assertThat(stores.runs().get(result.run().id()).orElseThrow().error()).isEqualTo("tool server unreachable");
        assertThat(stores.memory().load(result.run().ref()).events()).extracting(MemoryEvent::type)
                .containsExactly(EventType.USER_MESSAGE, EventType.PLANNER_NOTE);
        RunResult ok = runtime.run(s.id(), SCRIPTED, "what is 6 * 7?");
        assertThat(ok.reply()).contains("the answer to 'what is 6 * 7?' is 14");
        assertThat(ok.events()).extracting(MemoryEvent::type).containsExactly(EventType.USER_MESSAGE,
                EventType.PLANNER_NOTE, EventType.TOOL_CALL, EventType.TOOL_RESULT, EventType.ASSISTANT_MESSAGE);
        assertThat(ok.events().get(3).toolResult().result()).isEqualTo(14L);
    }

    @Test
    @DisplayName("A2: history gives the session's earlier messages across runs: the last N, oldest first, tools on request")
    void a2_historySpansRunsAndIsBounded() {
        Session s = runtime.startSession("long-chat", "ada");
        List<List<MemoryEvent>> seenHistories = new ArrayList<>();
        Agent recorder = agent("recorder", turn -> {
            seenHistories.add(turn.history());
            turn.emit(Event.toolCall("c", "noop", Map.of()));
            turn.say("reply to " + turn.input());
        });
        for (int i = 0; i < 8; i++) {
            clock.advance(Duration.ofSeconds(1));
            runtime.run(s.id(), recorder, "question " + i);
        }
        assertThat(seenHistories.get(0)).isEmpty();
        assertThat(seenHistories.get(1)).extracting(MemoryEvent::text).containsExactly("question 0", "reply to question 0");
        assertThat(seenHistories.get(7)).hasSize(10).extracting(MemoryEvent::text).containsExactly(
                "question 2", "reply to question 2", "question 3", "reply to question 3", "question 4",
                "reply to question 4", "question 5", "reply to question 5", "question 6", "reply to question 6");
        assertThat(runtime.history(s.id(), 3)).extracting(MemoryEvent::text)
                .containsExactly("reply to question 6", "question 7", "reply to question 7");
        assertThat(runtime.history(s.id(), 3, EnumSet.of(EventType.USER_MESSAGE, EventType.TOOL_CALL)))
                .extracting(MemoryEvent::type).containsExactly(EventType.TOOL_CALL, EventType.USER_MESSAGE, EventType.TOOL_CALL);
        assertThat(runtime.history("empty-session", 5)).isEmpty();
        RunResult recall = runtime.run(s.id(), SCRIPTED, "what did I ask?");
        assertThat(recall.reply()).contains("you asked 5 things");
    }

    @Test
    @DisplayName("A3: recover marks runs left RUNNING longer than staleAfter FAILED and returns them")
    void a3_recoverFailsAbandonedRuns() {
        Session s = runtime.startSession("crashy", null);
        Run abandoned = stores.runs().update(stores.runs().create(NewRun.of(s.id(), "agent")).withStatus(RunStatus.RUNNING));
        Run pending = stores.runs().create(NewRun.of(s.id(), "agent"));
        clock.advance(Duration.ofMinutes(10));
        Run fresh = stores.runs().update(stores.runs().create(NewRun.of(s.id(), "agent")).withStatus(RunStatus.RUNNING));
        clock.advance(Duration.ofMinutes(1));
        List<Run> recovered = runtime.recover(Duration.ofMinutes(5));
        assertThat(recovered).extracting(Run::id).containsExactly(abandoned.id());
        Run failed = stores.runs().get(abandoned.id()).orElseThrow();
        assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
        assertThat(failed.error()).startsWith("abandoned: RUNNING without an update or an event for more than PT5M");
        assertThat(failed.endedAt()).isEqualTo(clock.instant());
        assertThat(stores.runs().get(fresh.id()).orElseThrow().status()).isEqualTo(RunStatus.RUNNING);
        assertThat(stores.runs().get(pending.id()).orElseThrow().status()).isEqualTo(RunStatus.PENDING);
        assertThat(runtime.recover(Duration.ofMinutes(5))).isEmpty();
        assertThatThrownBy(() -> runtime.recover(Duration.ofMinutes(-1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("A3: recover leaves a run alone that keeps emitting across the stale window")
    void a3_recoverLeavesARunThatKeepsEmitting() {
        Session s = runtime.startSession("busy", null);
        List<List<Run>> recoveredMidRun = new ArrayList<>();
        RunResult result = runtime.run(s.id(), agent("steady", turn -> {
            for (int i = 0; i < 12; i++) {
                clock.advance(Duration.ofMillis(500));
                turn.emit(Event.plannerNote("step " + i));
                if (i % 4 == 3) {
                    recoveredMidRun.add(runtime.recover(Duration.ofSeconds(2)));
                }
            }
            turn.say("done");
        }), "work for six seconds");
        assertThat(recoveredMidRun).hasSize(3).allMatch(List::isEmpty);
        assertThat(result.run().status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(result.events()).hasSize(14);
    }

    @Test
    @DisplayName("A1: the runtime refuses to emit into a run that is no longer RUNNING, and the run keeps its stored end")
    void a1_emitIntoARunThatIsNoLongerRunningIsRefused() {
        Session s = runtime.startSession("taken-over", null);
        List<Throwable> refused = new ArrayList<>();
        RunResult result = runtime.run(s.id(), agent("slow", turn -> {
            turn.emit(Event.plannerNote("before"));
            // another process decides the run is abandoned
            stores.runs().update(turn.run().id(), r -> r.failed("recovered elsewhere"));
            try {
                turn.emit(Event.plannerNote("after"));
            } catch (dev.memoria.RunNotRunningException e) {
                refused.add(e);
                throw e;
            }
        }), "go");
        assertThat(refused).hasSize(1);
        assertThat(refused.get(0)).hasMessageContaining("is FAILED, not RUNNING");
        assertThat(result.run().status()).isEqualTo(RunStatus.FAILED);
        assertThat(result.run().error()).isEqualTo("recovered elsewhere");
        assertThat(stores.memory().load(result.run().ref()).events()).extracting(MemoryEvent::text)
                .containsExactly("go", "before");
    }

    @Test
    @DisplayName("A1: an agent that throws an Error fails its run, and the Error reaches the caller")
    void a1_anErrorFailsTheRunAndIsRethrown() {
        Session s = runtime.startSession("erroneous", null);
        AssertionError thrown = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                () -> runtime.run(s.id(), agent("broken", turn -> {
                    turn.emit(Event.thinking("hm"));
                    throw new AssertionError("invariant broken");
                }), "x"));
        assertThat(thrown).hasMessage("invariant broken");
        List<Run> runs = stores.runs().listBySession(s.id());
        assertThat(runs).hasSize(1);
        assertThat(runs.get(0).status()).isEqualTo(RunStatus.FAILED);
        assertThat(runs.get(0).error()).isEqualTo("java.lang.AssertionError: invariant broken");
        assertThat(stores.memory().load(runs.get(0).ref()).events()).hasSize(2);
    }

    @Test
    @DisplayName("A1: an interrupted agent fails its run and keeps the thread's interrupt flag")
    void a1_anInterruptedAgentKeepsTheInterruptFlag() {
        Session s = runtime.startSession("interrupted", null);
        try {
            RunResult result = runtime.run(s.id(), agent("waiting", turn -> {
                Thread.currentThread().interrupt();
                Thread.sleep(10_000); // throws at once: the flag is set
            }), "wait");
            assertThat(Thread.currentThread().isInterrupted()).as("interrupt flag after run()").isTrue();
            assertThat(result.run().status()).isEqualTo(RunStatus.FAILED);
            assertThat(result.run().error()).startsWith("java.lang.InterruptedException");
            Thread.interrupted();
            RunResult flagged = runtime.run(s.id(), agent("flagging", turn -> {
                turn.say("finished, and asked to stop");
                Thread.currentThread().interrupt();
            }), "finish");
            assertThat(Thread.currentThread().isInterrupted()).as("interrupt flag after a normal return").isTrue();
            assertThat(flagged.run().status()).isEqualTo(RunStatus.COMPLETED);
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    @DisplayName("A4: running on an ended session throws SessionEndedException and writes nothing")
    void a4_runningOnAnEndedSessionWritesNothing() {
        Session s = runtime.startSession("closing", "ada");
        runtime.run(s.id(), SCRIPTED, "1 + 1");
        Session ended = runtime.endSession(s.id());
        assertThat(ended.endedAt()).isNotNull();
        assertThat(runtime.endSession(s.id())).isEqualTo(ended);
        assertThatThrownBy(() -> runtime.run(s.id(), SCRIPTED, "2 + 2")).isInstanceOf(SessionEndedException.class);
        assertThatThrownBy(() -> runtime.startSession(s.id(), "ada")).isInstanceOf(SessionEndedException.class);
        assertThat(stores.runs().list(RunFilter.session(s.id())).items()).hasSize(1);
        assertThat(stores.memory().read(EventQuery.session(s.id())).items()).hasSize(5);
        assertThat(stores.sessions().get(s.id())).contains(ended);
        runtime.purgeSession(s.id());
        assertThat(stores.sessions().get(s.id())).isEmpty();
        assertThat(stores.memory().read(EventQuery.session(s.id())).items()).isEmpty();
    }

    @Test
    @DisplayName("A1: startSession is idempotent for an active session")
    void a1_startSessionIsIdempotentForAnActiveSession() {
        Session first = runtime.startSession("same", "ada");
        assertThat(runtime.startSession("same", "ada")).isEqualTo(first);
        assertThat(runtime.startSession("same", null)).as("no user given: whoever it belongs to").isEqualTo(first);
        assertThat(first.userId()).isEqualTo("ada");
        assertThatThrownBy(() -> runtime.startSession("same", "bob")).isInstanceOf(dev.memoria.ConflictException.class)
                .hasMessage("session same belongs to user ada, not to user bob (start another session for this user)");
        assertThat(stores.sessions().get("same")).contains(first);
    }

    /**
     * Asks a question back, then answers with the resume input: a pause (A5) and its resume (A6).
     * Records the turn it was resumed with.
     */
    private static final class AskingAgent implements Agent {
        final List<Turn> resumedTurns = Collections.synchronizedList(new ArrayList<>());
        final List<List<MemoryEvent>> eventsOnResume = Collections.synchronizedList(new ArrayList<>());

        @Override
        public String id() {
            return "asking";
        }

        @Override
        public void handle(Turn turn) {
            if (turn.suspension().isEmpty()) {
                turn.emit(Event.plannerNote("the forecast needs a city"));
                throw turn.suspend("QUESTION", Map.of("question", "which city?", "attempts", 1L));
            }
            resumedTurns.add(turn);
            eventsOnResume.add(List.copyOf(turn.events()));
            turn.say("sunny in " + turn.input());
        }
    }

    /** Wants to delete a file: asks for approval first (A7), then deletes it or explains why not. */
    private static final Agent CAREFUL = Agent.of("careful", turn -> {
        if (turn.approval().isEmpty()) {
            turn.say("I will delete /tmp/report once you approve");
            throw turn.requestApproval(Event.toolCall("call-1", "delete", Map.of("path", "/tmp/report")));
        }
        if (turn.approval().get().granted()) {
            turn.emit(Event.toolResult("call-1", "delete", "deleted", false));
            turn.say("deleted /tmp/report");
        } else {
            MemoryEvent result = turn.events().get(turn.events().size() - 1);
            turn.say("kept /tmp/report (" + result.toolResult().result() + ")");
        }
    });

    private static List<EventType> types(List<MemoryEvent> events) {
        return events.stream().map(MemoryEvent::type).toList();
    }

    private List<MemoryEvent> log(Run run) {
        return stores.memory().load(run.ref()).events();
    }

    @Test
    @DisplayName("A5: suspend pauses the run with a durable suspension, and nothing emitted before it is lost")
    void a5_suspendPausesTheRunWithADurableSuspension() {
        Session s = runtime.startSession("weather", "ada");
        clock.advance(Duration.ofSeconds(3));
        RunResult result = runtime.run(s.id(), new AskingAgent(), "what is the forecast?");
        assertThat(result.paused()).isTrue();
        assertThat(result.run().status()).isEqualTo(RunStatus.PAUSED);
        assertThat(result.run().endedAt()).as("a paused run has not ended").isNull();
        Suspension suspension = result.suspension().orElseThrow();
        assertThat(suspension.id()).isEqualTo("1");
        assertThat(suspension.reason()).isEqualTo("QUESTION");
        assertThat(suspension.isApproval()).isFalse();
        assertThat(suspension.at()).isEqualTo(clock.instant());
        assertSameJson(suspension.data(), Map.of("question", "which city?", "attempts", 1L));
        assertThat(types(result.events())).containsExactly(EventType.USER_MESSAGE, EventType.PLANNER_NOTE, EventType.SUSPENDED);
        assertThat(log(result.run())).isEqualTo(result.events());
        assertThat(stores.runs().get(result.run().id()).orElseThrow().status()).isEqualTo(RunStatus.PAUSED);
        assertThat(runtime.suspension(result.run().id())).contains(suspension);
        assertThat(result.reply()).isEmpty();
    }

    @Test
    @DisplayName("A5: the suspension is write-once: the same id and data again is a no-op, other data a conflict")
    void a5_aSuspensionIsWriteOnce() {
        Session s = runtime.startSession("write-once", null);
        List<Throwable> seen = new ArrayList<>();
        RunResult result = runtime.run(s.id(), agent("repeating", turn -> {
            RunSuspendedException first = null;
            for (int i = 0; i < 2; i++) {
                try {
                    throw turn.suspend("wait-1", "EXTERNAL_TOOL", Map.of("job", "j-7"));
                } catch (RunSuspendedException e) {
                    first = first == null ? e : first; // an agent repeating its step after a crash
                }
            }
            try {
                turn.suspend("wait-1", "EXTERNAL_TOOL", Map.of("job", "j-8"));
            } catch (KeyConflictException | RunSuspendedException e) {
                seen.add(e);
            }
            throw first;
        }), "start the job");
        assertThat(seen).hasSize(1).first().isInstanceOf(KeyConflictException.class);
        assertThat(result.suspension().map(Suspension::id)).contains("wait-1");
        assertThat(types(log(result.run()))).containsExactly(EventType.USER_MESSAGE, EventType.SUSPENDED);
        assertThat(runtime.suspension(result.run().id()).orElseThrow().data()).isEqualTo(Map.of("job", "j-7"));
    }

    @Test
    @DisplayName("A6: resume from another runtime offers the suspension, the input and the run's events, and completes the run")
    void a6_resumeFromAnotherRuntimeContinuesTheRun() {
        Session s = runtime.startSession("weather", "ada");
        runtime.run(s.id(), SCRIPTED, "2 + 2");
        AskingAgent asking = new AskingAgent();
        RunResult paused = runtime.run(s.id(), asking, "what is the forecast?");
        clock.advance(Duration.ofMinutes(1));
        runtime.run(s.id(), SCRIPTED, "asked while it waits");
        clock.advance(Duration.ofHours(5));
        AgentRuntime elsewhere = AgentRuntime.builder(stores).clock(clock).historyWindow(10).build();
        AskingAgent fresh = new AskingAgent(); // nothing carried in memory: a new agent object, a new runtime
        RunResult resumed = elsewhere.resume(paused.run().id(), fresh, "Rome");

        assertThat(resumed.run().status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(resumed.run().id()).isEqualTo(paused.run().id());
        assertThat(resumed.reply()).contains("sunny in Rome");
        assertThat(resumed.suspension()).isEmpty();
        assertThat(asking.resumedTurns).isEmpty();
        Turn turn = fresh.resumedTurns.get(0);
        assertThat(turn.suspension()).isEqualTo(paused.suspension());
        assertThat(turn.input()).isEqualTo("Rome");
        assertThat(turn.approval()).isEmpty();
        assertThat(turn.history()).as("the session's runs before this one, not its own messages nor later runs'")
                .extracting(MemoryEvent::text).containsExactly("2 + 2", "the answer to '2 + 2' is 5");
        assertThat(types(fresh.eventsOnResume.get(0))).containsExactly(
                EventType.USER_MESSAGE, EventType.PLANNER_NOTE, EventType.SUSPENDED, EventType.RESUMED);
        MemoryEvent record = fresh.eventsOnResume.get(0).get(3);
        assertThat(record.data()).isEqualTo(Map.of("suspension", "1", "input", "Rome"));
        assertThat(record.timestamp()).isEqualTo(clock.instant());
        assertThat(resumed.events()).isEqualTo(log(resumed.run()));
        assertThat(types(resumed.events())).containsExactly(EventType.USER_MESSAGE, EventType.PLANNER_NOTE,
                EventType.SUSPENDED, EventType.RESUMED, EventType.ASSISTANT_MESSAGE);
        assertThat(runtime.suspension(paused.run().id())).as("no suspension once it ended").isEmpty();
    }

    @Test
    @DisplayName("A6: of resumers racing on one suspension exactly one continues; the others get ConflictException and write nothing")
    void a6_racingResumersContinueExactlyOnce() {
        Session s = runtime.startSession("race", null);
        RunResult paused = runtime.run(s.id(), new AskingAgent(), "forecast?");
        // every racer reads the run PAUSED before any of them writes: they meet at a barrier
        // inside the run store, so the compare-and-set is what decides
        CyclicBarrier allReadIt = new CyclicBarrier(THREADS);
        ThreadLocal<Boolean> racing = ThreadLocal.withInitial(() -> false);
        RunStore real = stores.runs();
        RunStore gated = (RunStore) Proxy.newProxyInstance(RunStore.class.getClassLoader(), new Class<?>[] {RunStore.class},
                (proxy, method, args) -> {
                    try {
                        Object value = method.invoke(real, args);
                        if (racing.get() && method.getName().equals("get")) {
                            racing.set(false);
                            allReadIt.await(30, TimeUnit.SECONDS);
                        }
                        return value;
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        Stores sharing = Stores.of(stores.sessions(), gated, stores.memory());
        AskingAgent agent = new AskingAgent();
        List<Object> outcomes = onThreads(i -> {
            AgentRuntime rt = AgentRuntime.builder(sharing).clock(clock).build();
            racing.set(true);
            try {
                return rt.resume(paused.run().id(), agent, "city " + i);
            } catch (ConflictException lost) {
                return lost;
            }
        });
        assertThat(outcomes).filteredOn(RunResult.class::isInstance).hasSize(1);
        assertThat(outcomes).filteredOn(ConflictException.class::isInstance).hasSize(THREADS - 1);
        RunResult winner = (RunResult) outcomes.stream().filter(RunResult.class::isInstance).findFirst().orElseThrow();
        assertThat(winner.run().status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(agent.resumedTurns).hasSize(1);
        assertThat(types(log(paused.run()))).containsExactly(EventType.USER_MESSAGE, EventType.PLANNER_NOTE,
                EventType.SUSPENDED, EventType.RESUMED, EventType.ASSISTANT_MESSAGE);
        assertThat(log(paused.run()).get(4).text()).isEqualTo("sunny in " + agent.resumedTurns.get(0).input());
    }

    @Test
    @DisplayName("A6: resuming a run that is not PAUSED, with another agent or with the wrong kind of input is refused and writes nothing")
    void a6_resumingWhatIsNotPausedIsRefused() {
        Session s = runtime.startSession("refusals", null);
        RunResult done = runtime.run(s.id(), SCRIPTED, "1 + 2");
        assertThatThrownBy(() -> runtime.resume(done.run().id(), SCRIPTED, "more"))
                .isInstanceOf(InvalidTransitionException.class);
        RunResult paused = runtime.run(s.id(), new AskingAgent(), "forecast?");
        assertThatThrownBy(() -> runtime.resume(paused.run().id(), SCRIPTED, "Rome"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("belongs to agent asking");
        assertThatThrownBy(() -> runtime.resume(paused.run().id(), new AskingAgent(), Approval.grant("ada")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("waits for QUESTION, not for an approval");
        assertThatThrownBy(() -> runtime.resume("no-such-run", new AskingAgent(), "Rome"))
                .isInstanceOf(dev.memoria.NotFoundException.class);
        assertThat(log(paused.run())).hasSize(3);
        assertThat(log(done.run())).hasSize(5);
        assertThat(stores.runs().get(paused.run().id()).orElseThrow()).isEqualTo(paused.run());
        RunResult resumed = runtime.resume(paused.run().id(), new AskingAgent(), "Oslo");
        assertThat(resumed.run().status()).isEqualTo(RunStatus.COMPLETED);
        assertThatThrownBy(() -> runtime.resume(paused.run().id(), new AskingAgent(), "Oslo"))
                .as("resuming twice").isInstanceOf(InvalidTransitionException.class);
    }

    @Test
    @DisplayName("A6: a resumed run may pause again, and its next suspension gets the next id")
    void a6_aResumedRunMayPauseAgain() {
        Session s = runtime.startSession("twice", null);
        Agent twice = agent("twice", turn -> {
            long resumes = turn.events().stream().filter(e -> e.type() == EventType.RESUMED).count();
            if (resumes < 2) {
                throw turn.suspend("QUESTION", Map.of("n", resumes));
            }
            turn.say(turn.events().stream().filter(e -> e.type() == EventType.RESUMED)
                    .map(e -> String.valueOf(e.data().get("input"))).toList().toString());
        });
        RunResult first = runtime.run(s.id(), twice, "go");
        RunResult second = runtime.resume(first.run().id(), twice, "a");
        assertThat(second.suspension().map(Suspension::id)).contains("2");
        RunResult third = runtime.resume(first.run().id(), twice, "b");
        assertThat(third.reply()).contains("[a, b]");
        assertThat(third.run().status()).isEqualTo(RunStatus.COMPLETED);
    }

    @Test
    @DisplayName("A7: requestApproval stores the call and pauses; a grant is recorded (who, when) and the agent executes the call")
    void a7_aGrantLetsTheAgentExecuteTheCall() {
        Session s = runtime.startSession("cleanup", "ada");
        RunResult paused = runtime.run(s.id(), CAREFUL, "delete the report");
        Suspension suspension = paused.suspension().orElseThrow();
        assertThat(suspension.isApproval()).isTrue();
        assertThat(suspension.reason()).isEqualTo(Suspension.APPROVAL);
        assertSameJson(suspension.data(), Map.of("callId", "call-1", "tool", "delete", "arguments", Map.of("path", "/tmp/report")));
        assertThat(types(paused.events())).containsExactly(EventType.USER_MESSAGE, EventType.ASSISTANT_MESSAGE,
                EventType.TOOL_CALL, EventType.SUSPENDED);
        assertThatThrownBy(() -> runtime.resume(paused.run().id(), CAREFUL, "yes"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("resume it with an Approval");
        clock.advance(Duration.ofMinutes(7));
        RunResult done = AgentRuntime.builder(stores).clock(clock).build()
                .resume(paused.run().id(), CAREFUL, Approval.grant("ada"));
        assertThat(done.run().status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(types(done.events())).containsExactly(EventType.USER_MESSAGE, EventType.ASSISTANT_MESSAGE,
                EventType.TOOL_CALL, EventType.SUSPENDED, EventType.RESUMED, EventType.APPROVAL,
                EventType.TOOL_RESULT, EventType.ASSISTANT_MESSAGE);
        MemoryEvent decision = done.events().get(5);
        assertSameJson(decision.data(), Map.of("callId", "call-1", "tool", "delete", "granted", true, "by", "ada", "reason", ""));
        assertThat(decision.timestamp()).as("when it was decided").isEqualTo(clock.instant());
        assertThat(done.events().get(6).toolResult().isError()).isFalse();
        assertThat(done.reply()).contains("deleted /tmp/report");
    }

    @Test
    @DisplayName("A7: a denial is recorded (who, why) with the call's error result, and the agent goes on")
    void a7_aDenialRecordsAnErrorResultAndTheAgentGoesOn() {
        Session s = runtime.startSession("cleanup", "ada");
        RunResult paused = runtime.run(s.id(), CAREFUL, "delete the report");
        RunResult done = runtime.resume(paused.run().id(), CAREFUL, Approval.deny("bob", "the auditors need it"));
        assertThat(done.run().status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(types(done.events())).containsExactly(EventType.USER_MESSAGE, EventType.ASSISTANT_MESSAGE,
                EventType.TOOL_CALL, EventType.SUSPENDED, EventType.RESUMED, EventType.APPROVAL,
                EventType.TOOL_RESULT, EventType.ASSISTANT_MESSAGE);
        assertSameJson(done.events().get(5).data(), Map.of("callId", "call-1", "tool", "delete", "granted", false,
                "by", "bob", "reason", "the auditors need it"));
        MemoryEvent result = done.events().get(6);
        assertThat(result.toolResult().isError()).isTrue();
        assertThat(result.toolResult().callId()).isEqualTo("call-1");
        assertThat(result.toolResult().result()).isEqualTo("denied: the auditors need it");
        assertThat(done.reply()).contains("kept /tmp/report (denied: the auditors need it)");
        assertThat(done.events().get(4).data().get("input")).isEqualTo("denied: the auditors need it");
    }

    @Test
    @DisplayName("A8: delegate runs a child run in the same session with its own log; a failing child does not fail the parent")
    void a8_delegateRunsChildRuns() {
        Session s = runtime.startSession("team", null);
        Agent failing = agent("failing", turn -> {
            turn.emit(Event.thinking("this will not work"));
            throw new IllegalStateException("the child gave up");
        });
        List<RunResult> children = new ArrayList<>();
        RunResult parent = runtime.run(s.id(), agent("lead", turn -> {
            children.add(turn.delegate(SCRIPTED, "3 * 3"));
            children.add(turn.delegate(failing, "try"));
            turn.say("child said: " + children.get(0).reply().orElse("?") + "; the other " + children.get(1).run().status());
        }), "split the work");
        assertThat(parent.run().status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(parent.reply()).contains("child said: the answer to '3 * 3' is 5; the other FAILED");
        assertThat(types(parent.events())).containsExactly(EventType.USER_MESSAGE, EventType.ASSISTANT_MESSAGE);
        assertThat(children).extracting(r -> r.run().parentRunId()).containsOnly(parent.run().id());
        assertThat(children).extracting(r -> r.run().sessionId()).containsOnly(s.id());
        assertThat(children.get(0).run().status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(log(children.get(0).run())).isEqualTo(children.get(0).events()).hasSize(5);
        assertThat(children.get(1).run().error()).isEqualTo("the child gave up");
        assertThat(stores.runs().list(RunFilter.all().parentRunId(parent.run().id())).items()).extracting(Run::id)
                .containsExactlyInAnyOrder(children.get(0).run().id(), children.get(1).run().id());
        assertThat(stores.runs().list(RunFilter.session(s.id()).parentRunId(children.get(0).run().id())).items()).isEmpty();

        RunResult strict = runtime.run(s.id(), agent("strict", turn -> turn.delegate(failing, "try").orThrow()), "all or nothing");
        assertThat(strict.run().status()).isEqualTo(RunStatus.FAILED);
        assertThat(strict.run().error()).contains("the child gave up");
        assertThatThrownBy(() -> children.get(1).orThrow()).isInstanceOf(ChildRunFailedException.class);
    }

    @Test
    @DisplayName("A8/A9: canceling a parent cancels its open children, and a PAUSED run is canceled at once")
    void a8_cancelingAParentCancelsItsOpenChildren() {
        Session s = runtime.startSession("tree", null);
        List<RunResult> children = new ArrayList<>();
        RunResult parent = runtime.run(s.id(), agent("waiting-lead", turn -> {
            children.add(turn.delegate(SCRIPTED, "1 + 1"));
            RunResult asking = turn.delegate(new AskingAgent(), "forecast?");
            children.add(asking);
            throw turn.suspend("CHILD", Map.of("child", asking.run().id()));
        }), "ask around");
        assertThat(parent.run().status()).isEqualTo(RunStatus.PAUSED);
        assertThat(children.get(1).run().status()).isEqualTo(RunStatus.PAUSED);
        Run canceled = runtime.cancel(parent.run().id(), "the user left");
        assertThat(canceled.status()).isEqualTo(RunStatus.CANCELED);
        assertThat(canceled.metadata()).containsEntry(AgentRuntime.CANCEL_REASON, "the user left");
        Run child = stores.runs().get(children.get(1).run().id()).orElseThrow();
        assertThat(child.status()).isEqualTo(RunStatus.CANCELED);
        assertThat(child.metadata().get(AgentRuntime.CANCEL_REASON)).isEqualTo("parent run " + parent.run().id() + " was canceled");
        assertThat(stores.runs().get(children.get(0).run().id()).orElseThrow().status())
                .as("a finished child stays as it ended").isEqualTo(RunStatus.COMPLETED);
        assertThat(log(parent.run())).as("its events stay").hasSize(2);
        assertThatThrownBy(() -> runtime.resume(parent.run().id(), agent("waiting-lead", turn -> { }), "x"))
                .isInstanceOf(InvalidTransitionException.class);
        assertThat(runtime.cancel(parent.run().id(), "again")).as("canceling an ended run changes nothing").isEqualTo(canceled);
    }

    @Test
    @DisplayName("A9: a PENDING run is canceled at once and never starts")
    void a9_aPendingRunIsCanceledAtOnce() {
        Session s = runtime.startSession("pending", null);
        Run pending = stores.runs().create(NewRun.of(s.id(), "scripted"));
        Run canceled = runtime.cancel(pending.id(), "not needed");
        assertThat(canceled.status()).isEqualTo(RunStatus.CANCELED);
        assertThat(canceled.endedAt()).isEqualTo(clock.instant());
        assertThat(log(pending)).isEmpty();
        assertThatThrownBy(() -> runtime.cancel("no-such-run", "x")).isInstanceOf(dev.memoria.NotFoundException.class);
    }

    @Test
    @DisplayName("A9: a RUNNING run canceled from another thread sees isCanceled, cannot emit, and ends CANCELED keeping its events")
    void a9_aRunningRunSeesItsCancellation() throws Exception {
        Session s = runtime.startSession("long-job", null);
        CountDownLatch working = new CountDownLatch(1);
        CountDownLatch canceledIt = new CountDownLatch(1);
        List<Object> seen = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<RunResult> running = CompletableFuture.supplyAsync(() -> runtime.run(s.id(), agent("worker", turn -> {
            turn.emit(Event.plannerNote("step 1"));
            seen.add(turn.isCanceled());
            working.countDown();
            assertThat(canceledIt.await(30, TimeUnit.SECONDS)).isTrue();
            seen.add(turn.isCanceled());
            try {
                turn.emit(Event.plannerNote("step 2"));
            } catch (RunNotRunningException refused) {
                seen.add(refused);
            }
        }), "work"));
        assertThat(working.await(30, TimeUnit.SECONDS)).isTrue();
        Run runningRun = stores.runs().list(RunFilter.session(s.id())).items().get(0);
        assertThat(runningRun.status()).isEqualTo(RunStatus.RUNNING);
        // another process: its own runtime over the same stores
        Run canceled = AgentRuntime.create(stores).cancel(runningRun.id(), "stop");
        canceledIt.countDown();
        RunResult result = running.get(30, TimeUnit.SECONDS);
        assertThat(canceled.status()).isEqualTo(RunStatus.CANCELED);
        assertThat(seen).hasSize(3);
        assertThat(seen.subList(0, 2)).containsExactly(false, true);
        assertThat(seen.get(2)).isInstanceOf(RunNotRunningException.class);
        assertThat(result.run().status()).isEqualTo(RunStatus.CANCELED);
        assertThat(log(result.run())).extracting(MemoryEvent::text).containsExactly("work", "step 1");
    }

    @Test
    @DisplayName("A10: listeners hear every start, stored event and end in commit order, and one that throws never fails the run")
    void a10_listenersHearEverythingInCommitOrder() {
        List<String> heard = Collections.synchronizedList(new ArrayList<>());
        RunListener recording = new RunListener() {
            @Override
            public void onStart(Run run) {
                assertThat(stores.runs().get(run.id()).orElseThrow().status()).as("after the write").isEqualTo(RunStatus.RUNNING);
                heard.add("start " + run.agentId());
            }

            @Override
            public void onEvent(Run run, MemoryEvent event) {
                assertThat(stores.memory().read(EventQuery.run(run.ref()).after(event.sequence() - 1).limit(1)).items())
                        .as("after the write").containsExactly(event);
                heard.add(run.agentId() + " #" + event.sequence() + " " + event.type());
            }

            @Override
            public void onEnd(Run run) {
                heard.add("end " + run.agentId() + " " + run.status());
            }
        };
        RunListener throwing = new RunListener() {
            @Override
            public void onEvent(Run run, MemoryEvent event) {
                throw new IllegalStateException("a listener's own bug");
            }
        };
        AgentRuntime listened = AgentRuntime.builder(stores).clock(clock).listener(throwing).listener(recording).build();
        Session s = listened.startSession("heard", null);
        RunResult paused = listened.run(s.id(), agent("asking", turn -> {
            if (turn.suspension().isEmpty()) {
                turn.delegate(SCRIPTED, "1 + 1");
                throw turn.suspend("QUESTION", Map.of());
            }
            turn.say("ok");
        }), "go");
        listened.resume(paused.run().id(), agent("asking", turn -> turn.say("ok")), "fine");
        assertThat(heard).containsExactly(
                "start asking", "asking #1 USER_MESSAGE",
                "start scripted", "scripted #1 USER_MESSAGE", "scripted #2 PLANNER_NOTE", "scripted #3 TOOL_CALL",
                "scripted #4 TOOL_RESULT", "scripted #5 ASSISTANT_MESSAGE", "end scripted COMPLETED",
                "asking #2 SUSPENDED", "end asking PAUSED",
                "start asking", "asking #3 RESUMED", "asking #4 ASSISTANT_MESSAGE", "end asking COMPLETED");
        assertThat(stores.runs().get(paused.run().id()).orElseThrow().status()).isEqualTo(RunStatus.COMPLETED);
    }

    @Test
    @DisplayName("A10/A3: recover leaves PAUSED runs alone however long they wait, and they resume afterwards")
    void a10_recoverLeavesPausedRunsAlone() {
        Session s = runtime.startSession("patient", null);
        RunResult paused = runtime.run(s.id(), new AskingAgent(), "forecast?");
        clock.advance(Duration.ofDays(30));
        assertThat(runtime.recover(Duration.ofMinutes(1))).isEmpty();
        assertThat(stores.runs().get(paused.run().id()).orElseThrow().status()).isEqualTo(RunStatus.PAUSED);
        assertThat(runtime.resume(paused.run().id(), new AskingAgent(), "Lima").reply()).contains("sunny in Lima");
    }
}
