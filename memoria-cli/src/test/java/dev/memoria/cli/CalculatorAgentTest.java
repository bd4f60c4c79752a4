package dev.memoria.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.memoria.Stores;
import dev.memoria.memory.EventType;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.run.RunStatus;
import dev.memoria.runtime.AgentRuntime;
import dev.memoria.runtime.Approval;
import dev.memoria.runtime.RunResult;
import dev.memoria.runtime.Suspension;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CalculatorAgentTest {

    @Test
    void arithmeticFollowsPrecedenceAndReturnsLongsForIntegers() {
        assertThat(Arithmetic.evaluate("12 * (3 + 4)")).isEqualTo(84L);
        assertThat(Arithmetic.evaluate("2 ^ 3 ^ 2")).isEqualTo(512L);
        assertThat(Arithmetic.evaluate("-3 + 10 / 4")).isEqualTo(-0.5);
        assertThat(Arithmetic.evaluate("1.5 * 2")).isEqualTo(3L);
        assertThatThrownBy(() -> Arithmetic.evaluate("1 / 0")).isInstanceOf(ArithmeticException.class).hasMessage("division by zero");
        assertThatThrownBy(() -> Arithmetic.evaluate("(1 + 2")).isInstanceOf(IllegalArgumentException.class).hasMessage("missing ')'");
    }

    @Test
    void theAgentCallsItsToolAndAnswersOrReportsToolErrors() {
        AgentRuntime rt = AgentRuntime.create(Stores.inMemory());
        String session = rt.startSession(null, "ada").id();
        RunResult ok = rt.run(session, new CalculatorAgent(), "What is 12 * (3 + 4)?");
        assertThat(ok.reply()).contains("12 * (3 + 4) = 84");
        assertThat(ok.events().get(2).toolCall().arguments()).containsEntry("expression", "12 * (3 + 4)");
        RunResult error = rt.run(session, new CalculatorAgent(), "and 7 / 0?");
        assertThat(error.succeeded()).isTrue();
        MemoryEvent result = error.events().stream().filter(e -> e.type() == EventType.TOOL_RESULT).findFirst().orElseThrow();
        assertThat(result.toolResult().isError()).isTrue();
        assertThat(result.toolResult().result()).isEqualTo("division by zero");
        RunResult chat = rt.run(session, new CalculatorAgent(), "thanks!");
        assertThat(chat.reply().orElseThrow()).startsWith("You have asked me 2 things in this session so far");
    }

    private static List<EventType> types(RunResult r) {
        return r.events().stream().map(MemoryEvent::type).toList();
    }

    private static MemoryEvent only(RunResult r, EventType type) {
        List<MemoryEvent> of = r.events().stream().filter(e -> e.type() == type).toList();
        assertThat(of).as(type.toString()).hasSize(1);
        return of.get(0);
    }

    @Test
    void savingTheLastAnswerToTheNotesWaitsForApprovalAndAGrantRunsTheTool() {
        AgentRuntime rt = AgentRuntime.create(Stores.inMemory());
        String session = rt.startSession(null, "ada").id();
        rt.run(session, new CalculatorAgent(), "What is 2 ^ 10 / 8?");
        RunResult paused = rt.run(session, new CalculatorAgent(), "Save the answer to my notes.");
        assertThat(paused.paused()).isTrue();
        Suspension waiting = paused.suspension().orElseThrow();
        assertThat(waiting.isApproval()).isTrue();
        assertThat(waiting.data()).containsEntry("tool", CalculatorAgent.NOTES)
                .containsEntry("arguments", Map.of("text", "2 ^ 10 / 8 = 128"));
        assertThat(types(paused)).containsExactly(EventType.USER_MESSAGE, EventType.PLANNER_NOTE, EventType.TOOL_CALL,
                EventType.SUSPENDED);
        assertThat(paused.reply()).as("nothing said before the decision").isEmpty();

        RunResult done = rt.resume(paused.run().id(), new CalculatorAgent(), Approval.grant("ada"));
        assertThat(done.run().status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(done.reply()).contains("I saved \"2 ^ 10 / 8 = 128\" to your notes.");
        assertThat(types(done)).containsExactly(EventType.USER_MESSAGE, EventType.PLANNER_NOTE, EventType.TOOL_CALL,
                EventType.SUSPENDED, EventType.RESUMED, EventType.APPROVAL, EventType.TOOL_RESULT,
                EventType.ASSISTANT_MESSAGE);
        MemoryEvent result = only(done, EventType.TOOL_RESULT);
        assertThat(result.toolResult().isError()).isFalse();
        assertThat(result.toolResult().result()).isEqualTo(CalculatorAgent.SAVED);
        assertThat(result.toolResult().callId()).isEqualTo(only(done, EventType.TOOL_CALL).toolCall().callId());
    }

    @Test
    void aDenialLeavesTheNotesAloneAndTheReplySaysWhy() {
        AgentRuntime rt = AgentRuntime.create(Stores.inMemory());
        String session = rt.startSession(null, "ada").id();
        rt.run(session, new CalculatorAgent(), "what is 6 * 7");
        RunResult paused = rt.run(session, new CalculatorAgent(), "please save that to my notes");
        RunResult denied = rt.resume(paused.run().id(), new CalculatorAgent(), Approval.deny("bob", "not now"));
        assertThat(denied.succeeded()).isTrue();
        assertThat(denied.reply()).contains("I did not save it to your notes: bob denied it (not now).");
        MemoryEvent result = only(denied, EventType.TOOL_RESULT);
        assertThat(result.toolResult().isError()).isTrue();
        assertThat(result.toolResult().result()).as("stored by the runtime, not by the tool").isEqualTo("denied: not now");
        RunResult unexplained = rt.resume(rt.run(session, new CalculatorAgent(), "Save it to my notes").run().id(),
                new CalculatorAgent(), Approval.deny("bob", ""));
        assertThat(unexplained.reply()).contains("I did not save it to your notes: bob denied it.");
    }

    @Test
    void withNothingToSaveItAsksWhatToSaveThenAsksForApprovalOfTheAnswer() {
        AgentRuntime rt = AgentRuntime.create(Stores.inMemory());
        String session = rt.startSession(null, "ada").id();
        RunResult question = rt.run(session, new CalculatorAgent(), "Save the answer to my notes.");
        assertThat(question.suspension().orElseThrow().reason()).isEqualTo(CalculatorAgent.QUESTION);
        assertThat(question.suspension().get().data()).containsEntry("question", "What should I save to your notes?");
        assertThat(question.reply().orElseThrow()).endsWith("What should I save to your notes?");
        assertThatThrownBy(() -> rt.resume(question.run().id(), new CalculatorAgent(), Approval.grant("ada")))
                .as("a question is answered with a text").isInstanceOf(IllegalArgumentException.class);

        RunResult again = rt.resume(question.run().id(), new CalculatorAgent(), "  ");
        assertThat(again.suspension().orElseThrow().reason()).as("an empty answer asks again").isEqualTo(CalculatorAgent.QUESTION);
        RunResult approval = rt.resume(question.run().id(), new CalculatorAgent(), "buy milk");
        assertThat(approval.suspension().orElseThrow().isApproval()).isTrue();
        assertThat(approval.suspension().get().data()).containsEntry("arguments", Map.of("text", "buy milk"));
        RunResult done = rt.resume(question.run().id(), new CalculatorAgent(), Approval.grant("ada"));
        assertThat(done.reply()).contains("I saved \"buy milk\" to your notes.");
        assertThat(done.events().stream().filter(e -> e.type() == EventType.SUSPENDED)).hasSize(3);
    }

    @Test
    void theSameConversationStoresTheSameEventsEveryTime() {
        List<List<Object>> twice = new java.util.ArrayList<>();
        for (int i = 0; i < 2; i++) {
            AtomicInteger ids = new AtomicInteger();
            AgentRuntime rt = AgentRuntime.builder(Stores.inMemory()).idGenerator(() -> "id-" + ids.incrementAndGet()).build();
            String session = rt.startSession("s", "ada").id();
            rt.run(session, new CalculatorAgent(), "what is 12 * (3 + 4)?");
            RunResult paused = rt.run(session, new CalculatorAgent(), "Save the answer to my notes.");
            RunResult done = rt.resume(paused.run().id(), new CalculatorAgent(), Approval.grant("ada"));
            twice.add(done.events().stream().map(e -> (Object) List.of(e.sequence(), e.typeName(), e.data())).toList());
        }
        assertThat(twice.get(1)).isEqualTo(twice.get(0));
    }
}
