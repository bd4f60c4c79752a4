package dev.memoria.springai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memoria.Stores;
import dev.memoria.context.Conversation;
import dev.memoria.jdbc.JdbcStores;
import dev.memoria.memory.EventType;
import dev.memoria.memory.MemoryEvent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.advisor.MessageChatMemoryAdvisor;
import org.springframework.ai.chat.client.advisor.ToolCallingAdvisor;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.memory.MessageWindowChatMemory;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.tool.annotation.Tool;

/**
 * The runnable example of the README: a {@code ChatClient} with {@code MessageChatMemoryAdvisor}
 * and a tool, on a SQLite file; the application is stopped, rebuilt from scratch on the same file,
 * and the conversation goes on with its history. Only the model is scripted.
 */
class ChatClientExampleTest {
    @TempDir
    Path dir;

    /** The application's tool. */
    static class WeatherTools {
        final List<String> cities = new ArrayList<>();

        @Tool(description = "The current weather in a city")
        String currentWeather(String city) {
            cities.add(city);
            return "sunny, 21 °C in " + city;
        }
    }

    // spring-ai-chat-client:start
    /** How an application wires Memoria in: the part the README shows. */
    static ChatClient assistant(Stores stores, ChatModel chatModel, Object tools) {
        ChatMemory memory = MessageWindowChatMemory.builder()
                .chatMemoryRepository(MemoriaChatMemoryRepository.create(stores))
                .maxMessages(20)
                .build();
        return ChatClient.builder(chatModel)
                .defaultSystem("You are a travel assistant.")
                .defaultTools(tools)
                // ordered inside the tool-calling loop, the memory advisor stores the tool calls and results too
                .defaultAdvisors(MessageChatMemoryAdvisor.builder(memory)
                        .order(ToolCallingAdvisor.DEFAULT_ORDER + 1)
                        .build())
                .build();
    }

    static String ask(ChatClient client, String conversationId, String question) {
        return client.prompt()
                .user(question)
                .advisors(a -> a.param(ChatMemory.CONVERSATION_ID, conversationId))
                .call()
                .content();
    }
    // spring-ai-chat-client:end

    @Test
    void aConversationWithAToolSurvivesARestartWithItsHistory() {
        Path file = dir.resolve("assistant.db");

        // the first run of the application
        WeatherTools tools = new WeatherTools();
        ScriptedChatModel first = new ScriptedChatModel()
                .callTool("call-1", "currentWeather", "{\"city\":\"Lisbon\"}")
                .replyWithToolResult("Lisbon: ")
                .reply("Pack sunglasses.");
        try (Stores stores = JdbcStores.sqlite(file)) {
            ChatClient client = assistant(stores, first, tools);
            assertThat(ask(client, "trip-42", "What is the weather in Lisbon?")).isEqualTo("Lisbon: \"sunny, 21 °C in Lisbon\"");
            assertThat(ask(client, "trip-42", "What should I pack?")).isEqualTo("Pack sunglasses.");
        }
        assertThat(tools.cities).containsExactly("Lisbon");
        // within the tool loop the model got the call and its result with the question
        assertThat(ScriptedChatModel.withoutBlankSystem(first.prompts.get(1))).extracting(Message::getMessageType)
                .map(Enum::name).containsExactly("SYSTEM", "USER", "ASSISTANT", "TOOL");

        // the application restarts: everything is built again from the file
        ScriptedChatModel second = new ScriptedChatModel().reply("You asked about Lisbon.");
        try (Stores stores = JdbcStores.sqlite(file)) {
            ChatClient client = assistant(stores, second, new WeatherTools());
            assertThat(ask(client, "trip-42", "Which city did I ask about?")).isEqualTo("You asked about Lisbon.");

            // the model received the earlier history, tool call and result included
            List<Message> prompt = second.lastPrompt();
            assertThat(prompt).extracting(Message::getMessageType).map(Enum::name)
                    .containsExactly("SYSTEM", "USER", "ASSISTANT", "TOOL", "ASSISTANT", "USER", "ASSISTANT", "USER");
            assertThat(prompt.get(1)).isEqualTo(new UserMessage("What is the weather in Lisbon?"));
            assertThat(((AssistantMessage) prompt.get(2)).getToolCalls())
                    .containsExactly(new AssistantMessage.ToolCall("call-1", "function", "currentWeather", "{\"city\":\"Lisbon\"}"));
            assertThat(((ToolResponseMessage) prompt.get(3)).getResponses())
                    .containsExactly(new ToolResponseMessage.ToolResponse("call-1", "currentWeather", "\"sunny, 21 °C in Lisbon\""));
            assertThat(prompt.get(7)).isEqualTo(new UserMessage("Which city did I ask about?"));

            // and the log holds the whole conversation, the tool call paired with its result
            List<MemoryEvent> log = stores.memory().load(Conversation.of(stores, "trip-42", "spring-ai").log()).events();
            assertThat(log).extracting(MemoryEvent::type).containsExactly(
                    EventType.USER_MESSAGE, EventType.ASSISTANT_MESSAGE, EventType.TOOL_CALL, EventType.TOOL_RESULT,
                    EventType.ASSISTANT_MESSAGE, EventType.USER_MESSAGE, EventType.ASSISTANT_MESSAGE,
                    EventType.USER_MESSAGE, EventType.ASSISTANT_MESSAGE);
            assertThat(log.get(2).toolCall().callId()).isEqualTo(log.get(3).toolResult().callId()).isEqualTo("call-1");
            assertThat(log.get(2).toolCall().tool()).isEqualTo(log.get(3).toolResult().tool()).isEqualTo("currentWeather");
            assertThat(log.get(2).toolCall().arguments()).isEqualTo(Map.of("city", "Lisbon"));
            assertThat(log.get(8).text()).isEqualTo("You asked about Lisbon.");
        }
    }
}
