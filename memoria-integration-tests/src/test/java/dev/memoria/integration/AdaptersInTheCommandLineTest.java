package dev.memoria.integration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.memoria.Stores;
import dev.memoria.cli.Main;
import dev.memoria.jdbc.JdbcStores;
import dev.memoria.langchain4j.MemoriaChatMemoryStore;
import dev.memoria.springai.MemoriaChatMemoryRepository;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;

/**
 * The full history a framework wrote through an adapter, including what its window dropped, is
 * what {@code memoria show} and {@code memoria events --session} print, tool calls paired with
 * their results.
 */
class AdaptersInTheCommandLineTest {
    @TempDir
    Path dir;

    private static String memoria(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        assertThat(code).as(err.toString()).isZero();
        return out.toString();
    }

    @Test
    void aLangChain4jConversationShowsItsWholeHistoryWithToolCallsPaired() {
        Path file = dir.resolve("lc.db");
        try (Stores stores = JdbcStores.sqlite(file)) {
            MessageWindowChatMemory memory = MessageWindowChatMemory.builder().id("ada").maxMessages(3)
                    .chatMemoryStore(MemoriaChatMemoryStore.create(stores)).build();
            memory.add(dev.langchain4j.data.message.UserMessage.from("What is 2 + 3?"));
            memory.add(AiMessage.from(ToolExecutionRequest.builder().id("call-1").name("add").arguments("{\"a\":2,\"b\":3}").build()));
            memory.add(ToolExecutionResultMessage.from("call-1", "add", "5"));
            memory.add(AiMessage.from("2 + 3 = 5."));
            memory.add(dev.langchain4j.data.message.UserMessage.from("Thanks!"));
            // the window moved on, and LangChain4j dropped the tool result whose call it evicted;
            // the log forgot neither
            assertThat(memory.messages()).hasSize(2);
        }
        String store = "sqlite:" + file;

        String show = memoria("show", "ada", "--store", store);
        assertThat(show).contains("user: What is 2 + 3?", "tool add {\"a\":2,\"b\":3} -> \"5\"", "assistant: 2 + 3 = 5.",
                "user: Thanks!", "window moved");
        String events = memoria("events", "--session", "ada", "--store", store);
        assertThat(events.lines().filter(l -> !l.contains("window moved"))).hasSize(6); // user, AI, call, result, AI, user
    }

    @Test
    void aSpringAiConversationShowsItsWholeHistoryWithToolCallsPaired() {
        Path file = dir.resolve("spring.db");
        try (Stores stores = JdbcStores.sqlite(file)) {
            org.springframework.ai.chat.memory.MessageWindowChatMemory memory = org.springframework.ai.chat.memory.MessageWindowChatMemory
                    .builder().chatMemoryRepository(MemoriaChatMemoryRepository.create(stores)).maxMessages(4).build(); // with 3, Spring AI drops the four-message turn before saving it
            memory.add("trip", new UserMessage("Weather in Lisbon?"));
            memory.add("trip", AssistantMessage.builder().content("")
                    .toolCalls(List.of(new AssistantMessage.ToolCall("call-1", "function", "weather", "{\"city\":\"Lisbon\"}"))).build());
            memory.add("trip", ToolResponseMessage.builder()
                    .responses(List.of(new ToolResponseMessage.ToolResponse("call-1", "weather", "sunny"))).build());
            memory.add("trip", new AssistantMessage("Sunny in Lisbon."));
            memory.add("trip", new UserMessage("And tomorrow?"));
            memory.add("trip", new AssistantMessage("Also sunny."));
        }
        String store = "sqlite:" + file;

        String show = memoria("show", "trip", "--store", store);
        assertThat(show).contains("user: Weather in Lisbon?", "tool weather {\"city\":\"Lisbon\"} -> \"sunny\"",
                "assistant: Sunny in Lisbon.", "user: And tomorrow?", "assistant: Also sunny.");
        assertThat(memoria("events", "--session", "trip", "--store", store)).contains("tool call weather", "tool result weather");
    }
}
