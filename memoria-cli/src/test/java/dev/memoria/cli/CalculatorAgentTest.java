package dev.memoria.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.memoria.Stores;
import dev.memoria.memory.EventType;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.runtime.AgentRuntime;
import dev.memoria.runtime.RunResult;
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
}
