package dev.memoria.springai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memoria.Stores;
import dev.memoria.context.Conversation;
import dev.memoria.memory.MemoryEvent;
import java.nio.file.Path;
import java.util.List;
import dev.memoria.testservers.Snippets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.memory.MessageWindowChatMemory;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.UserMessage;

/** The README's quickstart snippets, compiled and run. */
class QuickstartTest {
    @TempDir
    Path dir;

    @Test
    void theRepositoryUnderMessageWindowChatMemory() {
        String file = dir.resolve("memoria.db").toString();
        // spring-ai-quickstart:start
        try (Stores stores = Stores.open("sqlite:" + file)) {
            ChatMemory memory = MessageWindowChatMemory.builder()
                    .chatMemoryRepository(MemoriaChatMemoryRepository.create(stores))
                    .maxMessages(2)
                    .build();
            memory.add("chat-1", new UserMessage("Hi, I'm Ada."));
            memory.add("chat-1", new AssistantMessage("Hello Ada!"));
            memory.add("chat-1", new UserMessage("What's my name?"));

            List<Message> window = memory.get("chat-1"); // what the model is sent: the last turn
            // everything ever said stays in the conversation's log
            List<MemoryEvent> history = stores.memory()
                    .load(Conversation.of(stores, "chat-1", "spring-ai").log())
                    .events();
            // spring-ai-quickstart:end
            assertThat(window).containsExactly(new UserMessage("What's my name?"));
            assertThat(history).filteredOn(e -> e.type() != dev.memoria.memory.EventType.WINDOW)
                    .extracting(MemoryEvent::text).containsExactly("Hi, I'm Ada.", "Hello Ada!", "What's my name?");
        }
    }

    @Test
    void theNativeChatMemory() {
        String file = dir.resolve("memoria.db").toString();
        try (Stores stores = Stores.open("sqlite:" + file)) {
            // spring-ai-native:start
            ChatMemory memory = MemoriaChatMemory.builder(stores)
                    .maxMessages(20)               // the window get() returns
                    .keepHistoryOnDelete(true)     // clear() empties the window, keeps the log
                    .build();
            memory.add("chat-2", List.of(new UserMessage("Hi"), new AssistantMessage("Hello!")));
            List<Message> window = memory.get("chat-2");
            // spring-ai-native:end
            assertThat(window).containsExactly(new UserMessage("Hi"), new AssistantMessage("Hello!"));
        }
    }

    /** The README shows exactly the lines these tests and {@code ChatClientExampleTest} run. */
    @Test
    void theReadmeShowsTheCodeTheTestsRun() {
        String readme = Snippets.readme();
        String here = Snippets.moduleFile("src/test/java/dev/memoria/springai/QuickstartTest.java");
        String example = Snippets.moduleFile("src/test/java/dev/memoria/springai/ChatClientExampleTest.java");
        // the README closes the try block the test keeps open for its assertions
        assertThat(Snippets.inReadme(readme, "spring-ai-quickstart")).isEqualTo(Snippets.inSource(here, "spring-ai-quickstart") + "\n}");
        assertThat(Snippets.inReadme(readme, "spring-ai-native")).isEqualTo(Snippets.inSource(here, "spring-ai-native"));
        assertThat(Snippets.inReadme(readme, "spring-ai-chat-client")).isEqualTo(Snippets.inSource(example, "spring-ai-chat-client")
                .replace("/** How an application wires Memoria in: the part the README shows. */\n", ""));
    }
}
