package dev.memoria.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.memoria.SessionEndedException;
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
 * Contracts A1–A4 of the agent runtime on a backend's stores. Extend it and implement
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
}
