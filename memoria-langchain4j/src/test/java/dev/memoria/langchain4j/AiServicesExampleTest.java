package dev.memoria.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.memory.chat.ChatMemoryProvider;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.MemoryId;
import dev.langchain4j.service.SystemMessage;
import dev.langchain4j.service.UserMessage;
import dev.langchain4j.store.memory.chat.ChatMemoryStore;
import dev.memoria.Stores;
import dev.memoria.context.Context;
import dev.memoria.context.Conversation;
import dev.memoria.jdbc.JdbcStores;
import dev.memoria.memory.EventQuery;
import dev.memoria.memory.EventType;
import dev.memoria.memory.MemoryEvent;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import dev.memoria.testservers.Snippets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runnable example of issue 11's proof: a LangChain4j AI service with a tool, its memory in
 * Memoria on a SQLite file, talks, is rebuilt from scratch on the same file (as after a restart)
 * and goes on with its history; the tool calls and results are in the log. The model is scripted
 * (it records what it was sent); everything else is real. The README section's code is the code
 * between the markers below, as this test checks.
 */
class AiServicesExampleTest {
    @TempDir
    Path dir;

    // langchain4j-types:start
    interface Assistant {
        @SystemMessage("You are a calculator. Use the tool for sums.")
        String chat(@MemoryId String user, @UserMessage String message);
    }

    static class Calculator {
        @Tool("Adds two numbers")
        long add(long a, long b) {
            return a + b;
        }
    }
    // langchain4j-types:end

    /** Answers from a script, in order, and records every request it is sent. */
    static final class ScriptedModel implements ChatModel {
        final Deque<AiMessage> replies;
        final List<ChatRequest> requests = new ArrayList<>();

        ScriptedModel(AiMessage... replies) {
            this.replies = new ArrayDeque<>(Arrays.asList(replies));
        }

        @Override
        public ChatResponse doChat(ChatRequest request) {
            requests.add(request);
            return ChatResponse.builder().aiMessage(replies.removeFirst()).build();
        }
    }

    private static AiMessage callAdd(String id, long a, long b) {
        return AiMessage.from(ToolExecutionRequest.builder().id(id).name("add")
                .arguments("{\"a\":" + a + ",\"b\":" + b + "}").build());
    }

    /** A tool result as AI services write it: not an error. */
    private static ToolExecutionResultMessage result(String id, String text) {
        return ToolExecutionResultMessage.builder().id(id).toolName("add").text(text).isError(false).build();
    }

    private static ScriptedModel script() {
        return new ScriptedModel(callAdd("call-1", 2, 3), AiMessage.from("2 + 3 = 5."),
                callAdd("call-2", 5, 10), AiMessage.from("5 + 10 = 15."));
    }

    @Test
    void anAssistantWithAToolGoesOnWithItsHistoryAfterARestart() {
        Path file = dir.resolve("assistant.db");
        ScriptedModel model = script();
        String first;
        // langchain4j-native:start
        try (Stores stores = JdbcStores.sqlite(file)) {
            Assistant assistant = AiServices.builder(Assistant.class)
                    .chatModel(model)
                    .tools(new Calculator())
                    .chatMemoryProvider(MemoriaChatMemoryProvider.of(MemoriaChatMemory.builder(stores).maxMessages(20)))
                    .build();
            first = assistant.chat("ada", "What is 2 + 3?");   // "2 + 3 = 5."
        }
        // langchain4j-native:end
        assertThat(first).isEqualTo("2 + 3 = 5.");

        // a new process: everything rebuilt from the file
        String second = restartAndAsk(file, model, stores -> MemoriaChatMemoryProvider.of(MemoriaChatMemory.builder(stores).maxMessages(20)));
        assertThat(second).isEqualTo("5 + 10 = 15.");
        assertTheModelGotTheHistoryAndTheLogHasTheTools(file, model);
    }

    @Test
    void theSameThroughMessageWindowChatMemoryAndTheStore() {
        Path file = dir.resolve("assistant.db");
        ScriptedModel model = script();
        String first;
        // langchain4j-store:start
        try (Stores stores = JdbcStores.sqlite(file)) {
            ChatMemoryStore store = MemoriaChatMemoryStore.create(stores);
            Assistant assistant = AiServices.builder(Assistant.class)
                    .chatModel(model)
                    .tools(new Calculator())
                    .chatMemoryProvider(id -> MessageWindowChatMemory.builder()
                            .id(id).maxMessages(20).chatMemoryStore(store).build())
                    .build();
            first = assistant.chat("ada", "What is 2 + 3?");   // "2 + 3 = 5."
        }
        // langchain4j-store:end
        assertThat(first).isEqualTo("2 + 3 = 5.");
        String second = restartAndAsk(file, model, stores -> {
            ChatMemoryStore store = MemoriaChatMemoryStore.create(stores);
            return id -> MessageWindowChatMemory.builder().id(id).maxMessages(20).chatMemoryStore(store).build();
        });
        assertThat(second).isEqualTo("5 + 10 = 15.");
        assertTheModelGotTheHistoryAndTheLogHasTheTools(file, model);
    }

    private static String restartAndAsk(Path file, ScriptedModel model, Function<Stores, ChatMemoryProvider> memories) {
        try (Stores stores = JdbcStores.sqlite(file)) {
            Assistant assistant = AiServices.builder(Assistant.class).chatModel(model).tools(new Calculator())
                    .chatMemoryProvider(memories.apply(stores)).build();
            return assistant.chat("ada", "And that plus 10?");
        }
    }

    private static void assertTheModelGotTheHistoryAndTheLogHasTheTools(Path file, ScriptedModel model) {
        assertThat(model.replies).isEmpty();
        assertThat(model.requests).hasSize(4);
        // the first request after the restart carries the whole earlier conversation, tool call and result included
        List<ChatMessage> sent = model.requests.get(2).messages();
        assertThat(sent).containsExactly(
                dev.langchain4j.data.message.SystemMessage.from("You are a calculator. Use the tool for sums."),
                dev.langchain4j.data.message.UserMessage.from("What is 2 + 3?"),
                callAdd("call-1", 2, 3),
                result("call-1", "5"),
                AiMessage.from("2 + 3 = 5."),
                dev.langchain4j.data.message.UserMessage.from("And that plus 10?"));
        assertThat(model.requests.get(3).messages()).contains(result("call-2", "15"));

        try (Stores stores = JdbcStores.sqlite(file)) {
            Conversation conversation = Conversation.of(stores, "ada", "langchain4j");
            List<MemoryEvent> log = stores.memory().read(EventQuery.run(conversation.log()).limit(1000)).items();
            assertThat(log).filteredOn(e -> e.type() == EventType.SYSTEM_MESSAGE).as("the system message, once").hasSize(1);
            assertThat(log).filteredOn(e -> e.type() == EventType.TOOL_CALL)
                    .extracting(e -> e.toolCall().callId(), e -> e.toolCall().tool(), e -> e.toolCall().arguments())
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("call-1", "add", Map.of("a", 2L, "b", 3L)),
                            org.assertj.core.groups.Tuple.tuple("call-2", "add", Map.of("a", 5L, "b", 10L)));
            assertThat(log).filteredOn(e -> e.type() == EventType.TOOL_RESULT)
                    .extracting(e -> e.toolResult().callId(), e -> e.toolResult().result())
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("call-1", "5"),
                            org.assertj.core.groups.Tuple.tuple("call-2", "15"));
            assertThat(log).filteredOn(e -> e.type() == EventType.USER_MESSAGE).extracting(MemoryEvent::text)
                    .containsExactly("What is 2 + 3?", "And that plus 10?");
        }
    }

    /**
     * A conversation compacted midway (Context.compact on its session) goes on with its summary:
     * the next request sends the system message with the summary, then only what came after it.
     */
    @Test
    void aConversationCompactedMidwaySendsItsSummaryInTheNextRequest() {
        Path file = dir.resolve("assistant.db");
        ScriptedModel model = new ScriptedModel(callAdd("call-1", 2, 3), AiMessage.from("2 + 3 = 5."),
                AiMessage.from("Hello Ada."), AiMessage.from("It was 5, Ada."));
        try (Stores stores = JdbcStores.sqlite(file)) {
            Assistant assistant = AiServices.builder(Assistant.class).chatModel(model).tools(new Calculator())
                    .chatMemoryProvider(MemoriaChatMemoryProvider.of(MemoriaChatMemory.builder(stores).maxMessages(20)))
                    .build();
            assertThat(assistant.chat("ada", "What is 2 + 3?")).isEqualTo("2 + 3 = 5.");
            assertThat(assistant.chat("ada", "I am Ada.")).isEqualTo("Hello Ada.");

            // the application compacts the session: the first question, its tool call and the answer
            Context context = Context.of(stores);
            MemoryEvent answer = context.view("ada", 50).unsummarized().stream()
                    .filter(e -> "2 + 3 = 5.".equals(e.textIfAny().orElse(null))).findFirst().orElseThrow();
            context.compact("ada", answer, "Ada asked for 2 + 3; the calculator said 5.", "test");

            assertThat(assistant.chat("ada", "What was the sum?")).isEqualTo("It was 5, Ada.");
        }
        assertThat(model.requests).hasSize(4);
        assertThat(model.requests.get(3).messages()).containsExactly(
                dev.langchain4j.data.message.SystemMessage.from("You are a calculator. Use the tool for sums.\n\n"
                        + "Summary of the conversation so far: Ada asked for 2 + 3; the calculator said 5."),
                dev.langchain4j.data.message.UserMessage.from("I am Ada."),
                AiMessage.from("Hello Ada."),
                dev.langchain4j.data.message.UserMessage.from("What was the sum?"));

        // nothing left the log: the compacted turn, tool call and result included, and the new turn after it
        try (Stores stores = JdbcStores.sqlite(file)) {
            List<MemoryEvent> log = stores.memory().load(Conversation.of(stores, "ada", "langchain4j").log()).events();
            assertThat(log).filteredOn(e -> e.type() == EventType.USER_MESSAGE).extracting(MemoryEvent::text)
                    .containsExactly("What is 2 + 3?", "I am Ada.", "What was the sum?");
            assertThat(log).filteredOn(e -> e.type() == EventType.TOOL_RESULT).hasSize(1);
            assertThat(log).filteredOn(e -> e.type() == EventType.SYSTEM_MESSAGE).as("the system message, once").hasSize(1);
            // and a memory built again reads the same window: the summary, then the messages after the cut
            List<ChatMessage> window = MemoriaChatMemory.builder(stores).id("ada").maxMessages(20).build().messages();
            assertThat(window).hasSize(5).first().isEqualTo(model.requests.get(3).messages().get(0));
            assertThat(window.get(4)).isEqualTo(AiMessage.from("It was 5, Ada."));
        }
    }

    /** The README shows exactly the lines these tests run. */
    @Test
    void theReadmeSnippetsAreTheCodeAbove() {
        String readme = Snippets.readme();
        String source = Snippets.moduleFile("src/test/java/dev/memoria/langchain4j/AiServicesExampleTest.java");
        for (String name : List.of("langchain4j-types", "langchain4j-native", "langchain4j-store")) {
            assertThat(Snippets.inReadme(readme, name)).as(name).isEqualTo(Snippets.inSource(source, name)
                    .replace("JdbcStores.sqlite(file)", "JdbcStores.sqlite(Path.of(\"assistant.db\"))")
                    .replace("first = ", "String answer = "));
        }
    }
}
