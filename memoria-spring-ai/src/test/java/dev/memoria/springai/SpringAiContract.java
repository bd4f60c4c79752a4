package dev.memoria.springai;

import static dev.memoria.springai.Messages.assistant;
import static dev.memoria.springai.Messages.system;
import static dev.memoria.springai.Messages.toolCall;
import static dev.memoria.springai.Messages.toolResult;
import static dev.memoria.springai.Messages.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.memoria.Stores;
import dev.memoria.context.CompactionPolicy;
import dev.memoria.context.Context;
import dev.memoria.context.Conversation;
import dev.memoria.context.Summarizer;
import dev.memoria.memory.Event;
import dev.memoria.memory.EventType;
import dev.memoria.memory.MemoryEvent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.advisor.MessageChatMemoryAdvisor;
import org.springframework.ai.chat.client.advisor.ToolCallingAdvisor;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.memory.ChatMemoryRepository;
import org.springframework.ai.chat.memory.InMemoryChatMemoryRepository;
import org.springframework.ai.chat.memory.MessageWindowChatMemory;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.tool.annotation.Tool;

/**
 * SA1–SA5 of DESIGN.md, once, for every backend: a subclass gives fresh, empty stores.
 * Everything is real (Spring AI's memories, advisors, ChatClient and tool loop; Memoria's stores)
 * but the chat model, which follows a script.
 */
abstract class SpringAiContract {
    static final String AGENT = "spring-ai";

    Stores stores;
    MemoriaChatMemoryRepository repository;

    /** @return new, empty stores, closed after the test */
    protected abstract Stores newStores();

    @BeforeEach
    void open() {
        stores = newStores();
        repository = MemoriaChatMemoryRepository.create(stores);
    }

    @AfterEach
    void close() {
        stores.close();
    }

    // ------------------------------------------------------------------ helpers

    List<MemoryEvent> log(String conversationId) {
        return stores.memory().load(Conversation.of(stores, conversationId, AGENT).log()).events();
    }

    /** Every message the log holds, as Spring AI messages, oldest first: the full history, markers aside. */
    List<Message> history(String conversationId) {
        List<Conversation.Message> messages = new ArrayList<>();
        List<Event> current = new ArrayList<>();
        String key = null;
        for (MemoryEvent e : log(conversationId)) {
            if (e.type() == EventType.WINDOW) {
                continue;
            }
            String k = e.labels().get(Conversation.MESSAGE_LABEL);
            if (!current.isEmpty() && !k.equals(key)) {
                messages.add(new Conversation.Message(current));
                current = new ArrayList<>();
            }
            Map<String, String> labels = new LinkedHashMap<>(e.labels());
            labels.remove(Conversation.MESSAGE_LABEL);
            current.add(e.toEvent().withLabels(labels));
            key = k;
        }
        if (!current.isEmpty()) {
            messages.add(new Conversation.Message(current));
        }
        return MessageMapper.toSpring(messages);
    }

    private static long markers(List<MemoryEvent> log) {
        return log.stream().filter(e -> e.type() == EventType.WINDOW).count();
    }

    /** A conversation of {@code n} messages: user and assistant turns, a tool exchange every fifth. */
    static List<Message> conversation(String tag, int n) {
        List<Message> out = new ArrayList<>();
        for (int turn = 0; out.size() < n; turn++) {
            out.add(user(tag + " question " + turn));
            if (turn % 5 == 4) {
                String id = tag + "-call-" + turn;
                out.add(toolCall(id, "weather", "{\"city\":\"Paris " + turn + "\"}"));
                out.add(toolResult(id, "weather", "sunny " + turn));
            }
            out.add(assistant(tag + " answer " + turn));
        }
        return new ArrayList<>(out.subList(0, n));
    }

    private static List<Message> plus(List<Message> list, Message... more) {
        List<Message> out = new ArrayList<>(list);
        out.addAll(Arrays.asList(more));
        return out;
    }

    /** Runs the same call against Spring AI's reference and ours: same exception type and message, or both none. */
    private static <T> void sameOutcome(T reference, T ours, Consumer<T> call) {
        Throwable expected = catchThrowable(() -> call.accept(reference));
        Throwable actual = catchThrowable(() -> call.accept(ours));
        if (expected == null) {
            assertThat(actual).isNull();
        } else {
            assertThat(actual).isInstanceOf(expected.getClass()).hasMessage(expected.getMessage());
        }
    }

    // ------------------------------------------------------------------ SA1

    @Test
    void sa1_findByConversationIdReturnsMessagesEqualToThoseSaved() {
        List<Message> zoo = Messages.zoo();
        repository.saveAll("zoo", zoo);

        Messages.assertSameInDepth(repository.findByConversationId("zoo"), zoo);
        // and from a repository that shares nothing with the writer but the stores
        Messages.assertSameInDepth(MemoriaChatMemoryRepository.create(stores).findByConversationId("zoo"), zoo);
        assertThat(repository.findByConversationId("never-written")).isEmpty();
    }

    @Test
    void sa1_anAssistantMessagesMediaComesBackFieldForField() {
        // Spring AI's Media has no equals(): an AssistantMessage with media equals only itself
        AssistantMessage withMedia = AssistantMessage.builder().content("here is the chart")
                .media(List.of(Messages.png(null, "chart.png"), Messages.url(), Messages.uri())).build();
        repository.saveAll("media", List.of(withMedia));

        AssistantMessage read = (AssistantMessage) repository.findByConversationId("media").get(0);
        assertThat(read.getText()).isEqualTo("here is the chart");
        assertThat(read.getMetadata()).isEqualTo(withMedia.getMetadata());
        Messages.assertSameMedia(read.getMedia(), withMedia.getMedia());
    }

    @Test
    void sa1_invalidArgumentsAreRefusedLikeInMemoryChatMemoryRepository() {
        ChatMemoryRepository reference = new InMemoryChatMemoryRepository();
        Message m = user("hi");
        List<Consumer<ChatMemoryRepository>> calls = List.of(
                r -> r.findByConversationId(null),
                r -> r.findByConversationId(""),
                r -> r.findByConversationId(" \t"),
                r -> r.saveAll(null, List.of(m)),
                r -> r.saveAll("", List.of(m)),
                r -> r.saveAll("  ", List.of(m)),
                r -> r.saveAll("c", null),
                r -> r.saveAll("c", Arrays.asList(m, null)),
                r -> r.deleteByConversationId(null),
                r -> r.deleteByConversationId(""),
                // valid calls behave alike too
                r -> r.deleteByConversationId("unknown"),
                r -> assertThat(r.findByConversationId("unknown")).isEmpty(),
                r -> r.saveAll("c", List.of(m)),
                r -> assertThat(r.findByConversationId("c")).containsExactly(m),
                r -> assertThat(r.findConversationIds()).containsExactly("c"),
                r -> r.deleteByConversationId("c"),
                r -> assertThat(r.findByConversationId("c")).isEmpty(),
                r -> assertThat(r.findConversationIds()).isEmpty());
        for (Consumer<ChatMemoryRepository> call : calls) {
            sameOutcome(reference, repository, call);
        }
    }

    @Test
    void sa1_whatCannotBeStoredIsRefusedNamingTheFieldAndNothingOfTheSaveIsWritten() {
        repository.saveAll("c", List.of(user("kept")));
        long before = log("c").size();
        Map<String, Object> bad = new HashMap<>();
        bad.put("user", new Object());
        List<Message> list = List.of(user("kept"), user("new"), UserMessage.builder().text("x").metadata(bad).build());

        assertThatThrownBy(() -> repository.saveAll("c", list)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("messages[2] (USER): metadata.user: java.lang.Object cannot be stored exactly");
        assertThat(log("c")).hasSize((int) before);
        assertThat(repository.findByConversationId("c")).containsExactly(user("kept"));

        String tooLong = "x".repeat(256);
        assertThatThrownBy(() -> repository.saveAll(tooLong, List.of(user("a")))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("conversationId: at most 255 characters, got 256");
        assertThatThrownBy(() -> repository.findByConversationId("a\nb")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("conversationId: must not contain control characters");
    }

    // ------------------------------------------------------------------ SA2

    @Test
    void sa2_kNewMessagesWriteKEventsWhateverTheConversationsLength() {
        AssistantMessage twoCalls = AssistantMessage.builder().content("checking").toolCalls(List.of(
                new AssistantMessage.ToolCall("x1", "function", "a", "{}"),
                new AssistantMessage.ToolCall("x2", "function", "b", "{}"))).build();
        ToolResponseMessage twoResults = ToolResponseMessage.builder().responses(List.of(
                new ToolResponseMessage.ToolResponse("x1", "a", "1"), new ToolResponseMessage.ToolResponse("x2", "b", "2"))).build();
        for (int length : new int[] {3, 300}) {
            String id = "len-" + length;
            List<Message> window = conversation(id, length);
            repository.saveAll(id, window);
            long before = log(id).size();

            repository.saveAll(id, plus(window, user("and now?"), twoCalls, twoResults));

            // 1 + (1 + 2) + 2 events, no marker, whatever the length
            assertThat(log(id).size() - before).as("events written to a conversation of %d", length).isEqualTo(6);
            assertThat(repository.findByConversationId(id)).isEqualTo(plus(window, user("and now?"), twoCalls, twoResults));
        }
    }

    @Test
    void sa2_aWindowThatDroppedItsOldestWritesOneMarkerAndDeletesNothing() {
        List<Message> all = conversation("drop", 200);
        List<Message> withSystem = plus(List.of(system("be brief")), all.toArray(Message[]::new));
        repository.saveAll("drop", withSystem);
        List<MemoryEvent> before = log("drop");

        // the system message stays in front, the 120 oldest others leave, one new message comes
        List<Message> window = plus(List.of(system("be brief")), plus(all.subList(120, 200), user("next")).toArray(Message[]::new));
        repository.saveAll("drop", window);

        List<MemoryEvent> after = log("drop");
        assertThat(after.size() - before.size()).isEqualTo(2); // the new message and one marker
        assertThat(after.subList(0, before.size())).isEqualTo(before);
        assertThat(repository.findByConversationId("drop")).isEqualTo(window);
        assertThat(history("drop")).isEqualTo(plus(withSystem, user("next")));
    }

    @Test
    void sa2_savingAnEmptyListEmptiesTheConversationKeepsItsHistoryAndUnlistsIt() {
        repository.saveAll("a", List.of(user("1"), assistant("2")));
        repository.saveAll("b", List.of(user("x")));

        repository.saveAll("a", List.of());

        assertThat(repository.findByConversationId("a")).isEmpty();
        assertThat(repository.findConversationIds()).containsExactly("b");
        assertThat(history("a")).containsExactly(user("1"), assistant("2"));

        repository.saveAll("a", List.of(user("again")));
        assertThat(repository.findConversationIds()).containsExactlyInAnyOrder("a", "b");
        assertThat(repository.findByConversationId("a")).containsExactly(user("again"));
    }

    @Test
    void sa2_throughMessageWindowChatMemoryTheWindowIsTheReferencesAndTheLogKeepsAll30() {
        ChatMemory ours = MessageWindowChatMemory.builder().chatMemoryRepository(repository).maxMessages(5).build();
        ChatMemory reference = MessageWindowChatMemory.builder().chatMemoryRepository(new InMemoryChatMemoryRepository())
                .maxMessages(5).build();
        List<Message> messages = plus(List.of(system("be helpful")), conversation("mw", 29).toArray(Message[]::new));
        messages.set(15, system("be brief now")); // a new system message replaces the old one
        long maxWritten = 0;
        for (Message m : messages) {
            long before = log("c1").size();
            ours.add("c1", m);
            reference.add("c1", m);
            maxWritten = Math.max(maxWritten, log("c1").size() - before);
            assertThat(ours.get("c1")).isEqualTo(reference.get("c1"));
        }

        assertThat(history("c1")).isEqualTo(messages);
        assertThat(maxWritten).isLessThanOrEqualTo(3); // one message (at most two events here) and a marker
        assertThat(repository.findByConversationId("c1")).hasSizeLessThanOrEqualTo(5);
    }

    @Test
    void sa2_theFullHistoryStaysInTheLogWithToolCallsPairedWithTheirResults() {
        ChatMemory memory = MessageWindowChatMemory.builder().chatMemoryRepository(repository).maxMessages(4).build();
        List<Message> messages = conversation("h", 30);
        messages.forEach(m -> memory.add("h", m));

        List<MemoryEvent> log = log("h");
        List<MemoryEvent> calls = log.stream().filter(e -> e.type() == EventType.TOOL_CALL).toList();
        List<MemoryEvent> results = log.stream().filter(e -> e.type() == EventType.TOOL_RESULT).toList();
        assertThat(calls).hasSize(2).hasSameSizeAs(results);
        for (MemoryEvent call : calls) {
            assertThat(call.data().get("arguments")).isInstanceOf(Map.class);
            MemoryEvent result = results.stream().filter(r -> r.toolResult().callId().equals(call.toolCall().callId()))
                    .findFirst().orElseThrow();
            assertThat(result.sequence()).isGreaterThan(call.sequence());
            assertThat(result.toolResult().tool()).isEqualTo(call.toolCall().tool()).isEqualTo("weather");
        }
        assertThat(log.stream().filter(e -> e.type() == EventType.USER_MESSAGE).map(MemoryEvent::text))
                .startsWith("h question 0", "h question 1");
        assertThat(history("h")).isEqualTo(messages);
    }

    @Test
    void sa2_aTurnLongerThanTheWindowEmptiesItThroughMessageWindowChatMemoryButKeepsTheHistory() {
        // MessageWindowChatMemory cuts at a user message: a tool loop longer than the window leaves
        // no user message to cut at, and it saves an empty list
        ChatMemory reference = MessageWindowChatMemory.builder().chatMemoryRepository(new InMemoryChatMemoryRepository())
                .maxMessages(3).build();
        ChatMemory ours = MessageWindowChatMemory.builder().chatMemoryRepository(repository).maxMessages(3).build();
        List<Message> turn = List.of(user("plan my trip"), toolCall("t1", "weather", "{}"), toolResult("t1", "weather", "rain"),
                assistant("take an umbrella"));
        for (Message m : turn) {
            reference.add("trip", m);
            ours.add("trip", m);
        }

        assertThat(reference.get("trip")).isEmpty();
        assertThat(ours.get("trip")).isEmpty();
        // the history keeps all that the repository was given (the last message evicted itself in
        // MessageWindowChatMemory, which never handed it over); a purge on saveAll(id, []) would lose it all
        assertThat(history("trip")).isEqualTo(turn.subList(0, 3));
        assertThat(repository.findConversationIds()).doesNotContain("trip");
    }

    // ------------------------------------------------------------------ SA3

    @Test
    void sa3_twoWritersLoseNoMessage() throws Exception {
        CountingStores counting = new CountingStores();
        Stores shared = counting.wrap(stores);
        MemoriaChatMemoryRepository first = MemoriaChatMemoryRepository.create(shared);
        MemoriaChatMemoryRepository second = MemoriaChatMemoryRepository.create(shared);
        List<Message> base = List.of(user("u1"), assistant("a1"));
        first.saveAll("race", base);
        List<Message> mine = plus(base, user("mine"), assistant("mine too"));
        List<Message> theirs = plus(base, user("theirs"));

        counting.gate(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> a = pool.submit(() -> first.saveAll("race", mine));
            Future<?> b = pool.submit(() -> second.saveAll("race", theirs));
            a.get();
            b.get();
        } finally {
            pool.shutdownNow();
        }

        // both computed their write from the same window: one lost the race and compared again
        assertThat(counting.conflicts).hasValue(1);
        assertThat(history("race")).containsExactlyInAnyOrder(user("u1"), assistant("a1"), user("mine"), assistant("mine too"),
                user("theirs"));
        assertThat(repository.findByConversationId("race")).isIn(mine, theirs);
    }

    @Test
    void sa3_twoMessageWindowChatMemoriesOnOneConversationLoseNoMessageFromTheHistory() throws Exception {
        CountingStores counting = new CountingStores();
        Stores shared = counting.wrap(stores);
        ChatMemory first = MessageWindowChatMemory.builder().chatMemoryRepository(MemoriaChatMemoryRepository.create(shared))
                .maxMessages(3).build();
        ChatMemory second = MessageWindowChatMemory.builder().chatMemoryRepository(MemoriaChatMemoryRepository.create(shared))
                .maxMessages(3).build();
        conversation("w", 3).forEach(m -> first.add("w", m));

        counting.gate(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> a = pool.submit(() -> first.add("w", user("from the first")));
            Future<?> b = pool.submit(() -> second.add("w", user("from the second")));
            a.get();
            b.get();
        } finally {
            pool.shutdownNow();
        }

        assertThat(counting.conflicts).hasValue(1);
        assertThat(history("w")).containsAll(conversation("w", 3)).contains(user("from the first"), user("from the second"))
                .hasSize(5);
        // the window is the list one of the two memories computed, not a mix
        assertThat(repository.findByConversationId("w")).last().isIn(user("from the first"), user("from the second"));
    }

    // ------------------------------------------------------------------ SA4

    private MemoriaChatMemory nativeMemory(int maxMessages) {
        return MemoriaChatMemory.builder(stores).maxMessages(maxMessages).build();
    }

    @Test
    void sa4_addAppendsAndNeverRewrites() {
        MemoriaChatMemory memory = nativeMemory(3);
        List<Message> messages = conversation("n", 12);
        List<MemoryEvent> before = List.of();
        for (Message m : messages) {
            memory.add("n", m);
            List<MemoryEvent> after = log("n");
            assertThat(after.subList(0, before.size())).isEqualTo(before);
            assertThat(after.size() - before.size()).isEqualTo(MessageMapper.toMemoria(m).events().size());
            before = after;
        }
        memory.add("n", List.of(user("two"), assistant("at once")));

        assertThat(markers(log("n"))).isZero();
        assertThat(history("n")).isEqualTo(plus(messages, user("two"), assistant("at once")));
        assertThat(memory.get("n")).containsExactly(user("two"), assistant("at once"));
    }

    @Test
    void sa4_getReturnsTheLastMessagesWithToolPairsWhole() {
        MemoriaChatMemory memory = nativeMemory(4);
        memory.add("p", List.of(user("u1"), assistant("a1"), user("u2"), toolCall("c2", "weather", "{}"),
                toolResult("c2", "weather", "sun"), assistant("a2")));
        // the last four start at a user message
        assertThat(memory.get("p")).containsExactly(user("u2"), toolCall("c2", "weather", "{}"), toolResult("c2", "weather", "sun"),
                assistant("a2"));

        // a call whose result is on its way is returned last: the tool loop reads memory right then
        memory.add("p", List.of(user("u3"), toolCall("c3", "weather", "{}")));
        assertThat(memory.get("p")).containsExactly(user("u3"), toolCall("c3", "weather", "{}"));

        // within one long tool loop there is no user message to start at: never a result without its call
        memory.add("p", List.of(toolResult("c3", "weather", "rain"), toolCall("c4", "weather", "{}"),
                toolResult("c4", "weather", "snow"), assistant("rain, then snow")));
        assertThat(memory.get("p")).containsExactly(toolCall("c4", "weather", "{}"), toolResult("c4", "weather", "snow"),
                assistant("rain, then snow"));

        // a call that never got its result (the process died while the tool ran) is left out
        memory.add("q", List.of(user("u1"), toolCall("c1", "weather", "{}"), user("still there?")));
        assertThat(memory.get("q")).containsExactly(user("u1"), user("still there?"));

        // nothing was cut: a conversation that starts with the assistant keeps its first message
        memory.add("r", List.of(assistant("hello, how can I help?"), user("hi")));
        assertThat(memory.get("r")).containsExactly(assistant("hello, how can I help?"), user("hi"));
    }

    @Test
    void sa4_theLatestSystemMessageComesFirstAndReplacesOlderOnes() {
        MemoriaChatMemory memory = nativeMemory(4);
        memory.add("s", system("be helpful"));
        memory.add("s", conversation("s", 10));
        assertThat(memory.get("s")).hasSize(3).first().isEqualTo(system("be helpful"));

        memory.add("s", List.of(system("be brief"), user("next")));
        memory.add("s", conversation("t", 6));
        List<Message> window = memory.get("s");
        assertThat(window).hasSizeLessThanOrEqualTo(4).first().isEqualTo(system("be brief"));
        assertThat(window).doesNotContain(system("be helpful"));
        assertThat(window.subList(1, window.size())).isEqualTo(List.of(user("t question 2"), assistant("t answer 2")));
    }

    @Test
    void sa4_invalidArgumentsAreRefusedLikeMessageWindowChatMemory() {
        ChatMemory reference = MessageWindowChatMemory.builder().build();
        ChatMemory ours = nativeMemory(20);
        Message m = user("hi");
        List<Consumer<ChatMemory>> calls = List.of(
                c -> c.add(null, m),
                c -> c.add("", m),
                c -> c.add("c", (Message) null),
                c -> c.add(" ", List.of(m)),
                c -> c.add("c", (List<Message>) null),
                c -> c.add("c", Arrays.asList(m, null)),
                c -> c.get(null),
                c -> c.get(""),
                c -> c.clear(null),
                c -> c.clear("\t"),
                c -> assertThat(c.get("unknown")).isEmpty(),
                c -> c.clear("unknown"),
                c -> c.add("c", List.of()),
                c -> assertThat(c.get("c")).isEmpty());
        for (Consumer<ChatMemory> call : calls) {
            sameOutcome(reference, ours, call);
        }
        assertThatThrownBy(() -> MemoriaChatMemory.builder(stores).maxMessages(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxMessages: 1 to 1000, got 0");
    }

    @Test
    void sa4_clearPurgesByDefaultOrOnlyEmptiesTheWindow() {
        MemoriaChatMemory purging = nativeMemory(10);
        purging.add("gone", List.of(user("a"), assistant("b")));
        purging.clear("gone");
        assertThat(purging.get("gone")).isEmpty();
        assertThat(stores.sessions().get("gone")).isEmpty();
        assertThat(log("gone")).isEmpty();

        MemoriaChatMemory keeping = MemoriaChatMemory.builder(stores).keepHistoryOnDelete(true).build();
        keeping.add("kept", List.of(system("s"), user("a"), assistant("b")));
        keeping.clear("kept");
        assertThat(keeping.get("kept")).isEmpty();
        assertThat(repository.findConversationIds()).doesNotContain("kept");
        keeping.add("kept", user("c"));
        assertThat(keeping.get("kept")).containsExactly(user("c"));
        assertThat(history("kept")).containsExactly(system("s"), user("a"), assistant("b"), user("c"));
    }

    /** A tool for the ChatClient: real Spring AI tool calling through a @Tool method. */
    static final class WeatherTools {
        final List<String> asked = new ArrayList<>();

        @Tool(description = "The current weather in a city")
        String weather(String city) {
            asked.add(city);
            return "sunny in " + city;
        }
    }

    @Test
    void sa4_messageChatMemoryAdvisorWorksWithItUnchanged() {
        MemoriaChatMemory memory = nativeMemory(20);
        ScriptedChatModel model = new ScriptedChatModel().reply("Hello Ada.").reply("You are Ada.");
        ChatClient client = ChatClient.builder(model).defaultSystem("You are terse.")
                .defaultAdvisors(MessageChatMemoryAdvisor.builder(memory).build()).build();

        client.prompt().user("I am Ada").advisors(a -> a.param(ChatMemory.CONVERSATION_ID, "ada")).call().content();
        String answer = client.prompt().user("Who am I?").advisors(a -> a.param(ChatMemory.CONVERSATION_ID, "ada")).call().content();

        assertThat(answer).isEqualTo("You are Ada.");
        assertThat(model.lastPrompt()).containsExactly(system("You are terse."), user("I am Ada"), assistant("Hello Ada."),
                user("Who am I?"));
        assertThat(memory.get("ada")).containsExactly(user("I am Ada"), assistant("Hello Ada."), user("Who am I?"),
                assistant("You are Ada."));
    }

    @Test
    void sa4_insideTheToolLoopTheAdvisorKeepsToolCallsAndResultsInTheLog() {
        MemoriaChatMemory memory = nativeMemory(20);
        WeatherTools tools = new WeatherTools();
        ScriptedChatModel model = new ScriptedChatModel().callTool("call-1", "weather", "{\"city\":\"Oslo\"}")
                .replyWithToolResult("Right now: ");
        ChatClient client = ChatClient.builder(model).defaultTools(tools)
                // inside the tool loop: the memory advisor sees each round, tool calls and results included
                .defaultAdvisors(MessageChatMemoryAdvisor.builder(memory).order(ToolCallingAdvisor.DEFAULT_ORDER + 1).build())
                .build();

        String answer = client.prompt().user("Weather in Oslo?").advisors(a -> a.param(ChatMemory.CONVERSATION_ID, "oslo"))
                .call().content();

        assertThat(tools.asked).containsExactly("Oslo");
        assertThat(answer).isEqualTo("Right now: \"sunny in Oslo\"");
        List<Message> window = memory.get("oslo");
        assertThat(window).extracting(Message::getMessageType).map(Enum::name)
                .containsExactly("USER", "ASSISTANT", "TOOL", "ASSISTANT");
        assertThat(((AssistantMessage) window.get(1)).getToolCalls()).extracting(AssistantMessage.ToolCall::id)
                .containsExactly("call-1");
        assertThat(model.lastPrompt()).isEqualTo(window.subList(0, 3));
        List<MemoryEvent> log = log("oslo");
        assertThat(log).extracting(MemoryEvent::type).containsExactly(EventType.USER_MESSAGE, EventType.ASSISTANT_MESSAGE,
                EventType.TOOL_CALL, EventType.TOOL_RESULT, EventType.ASSISTANT_MESSAGE);
        assertThat(log.get(2).toolCall().arguments()).isEqualTo(Map.of("city", "Oslo"));
        assertThat(log.get(3).toolResult().callId()).isEqualTo("call-1");
    }

    // ------------------------------------------------------------------ a compacted conversation

    /** The event of the session's context view (messages, tool calls and results) with that text. */
    private MemoryEvent inTheView(String sessionId, String text) {
        return Context.of(stores).view(sessionId, 1000, Context.CONVERSATION).unsummarized().stream()
                .filter(e -> text.equals(e.textIfAny().orElse(null))).findFirst().orElseThrow();
    }

    private static Message merged(String system, String summary) {
        return system((system == null ? "" : system + "\n\n") + "Summary of the conversation so far: " + summary);
    }

    @Test
    void sa4_aCompactedConversationStartsWithOneSystemMessageHoldingTheSummaryThenTheMessagesAfterTheCut() {
        MemoriaChatMemory memory = nativeMemory(10);
        List<Message> messages = List.of(system("be helpful"), user("u1"), assistant("a1"), user("u2"),
                toolCall("c2", "weather", "{}"), toolResult("c2", "weather", "sun"), assistant("a2"), user("u3"), assistant("a3"));
        memory.add("c", messages);

        Context.of(stores).compact("c", inTheView("c", "a1"), "Ada said hello.", "test");

        assertThat(memory.get("c")).containsExactly(merged("be helpful", "Ada said hello."), user("u2"),
                toolCall("c2", "weather", "{}"), toolResult("c2", "weather", "sun"), assistant("a2"), user("u3"), assistant("a3"));
        // adds still append and show after the cut; the system message counts in maxMessages
        memory.add("c", user("u4"));
        assertThat(nativeMemory(4).get("c")).containsExactly(merged("be helpful", "Ada said hello."), user("u3"),
                assistant("a3"), user("u4"));
        // nothing was deleted; the repository, for MessageWindowChatMemory, returns the window as written
        assertThat(history("c")).isEqualTo(plus(messages, user("u4")));
        assertThat(repository.findByConversationId("c")).isEqualTo(plus(messages, user("u4")));

        // the cut is the window's start: after it, the messages come from the first, even mid-turn
        memory.add("d", List.of(user("u1"), toolCall("c1", "weather", "{}"), toolResult("c1", "weather", "rain"),
                assistant("a1"), user("u2")));
        Context.of(stores).compact("d", inTheView("d", "u1"), "Ada asked about the weather.", "test");
        assertThat(memory.get("d")).containsExactly(merged(null, "Ada asked about the weather."), toolCall("c1", "weather", "{}"),
                toolResult("c1", "weather", "rain"), assistant("a1"), user("u2"));
    }

    @Test
    void sa4_aChatClientConversationCompactedMidwaySendsTheSummaryToTheModel() {
        MemoriaChatMemory memory = nativeMemory(20);
        ScriptedChatModel model = new ScriptedChatModel().reply("Hello Ada.").reply("Pack sunglasses.")
                .reply("You are Ada, going to Lisbon.");
        ChatClient client = ChatClient.builder(model).defaultSystem("You are terse.")
                .defaultAdvisors(MessageChatMemoryAdvisor.builder(memory).build()).build();
        Consumer<String> ask = question -> client.prompt().user(question)
                .advisors(a -> a.param(ChatMemory.CONVERSATION_ID, "ada")).call().content();
        ask.accept("I am Ada.");
        ask.accept("I go to Lisbon. What should I pack?");

        // the application compacts the session with its summarizer: all but the last turn
        Summarizer summarizer = new Summarizer() {
            @Override
            public String id() {
                return "joiner";
            }

            @Override
            public String summarize(java.util.Optional<String> previous, List<MemoryEvent> events) {
                return events.stream().map(e -> e.textIfAny().orElse("")).collect(java.util.stream.Collectors.joining(" / "));
            }
        };
        assertThat(Context.of(stores).compact("ada", summarizer, CompactionPolicy.afterTurns(2, 2))).isPresent();
        ask.accept("Who am I?");

        assertThat(model.lastPrompt()).containsExactly(merged(null, "I am Ada. / Hello Ada."),
                user("I go to Lisbon. What should I pack?"), assistant("Pack sunglasses."), system("You are terse."),
                user("Who am I?"));
        assertThat(memory.get("ada")).containsExactly(merged(null, "I am Ada. / Hello Ada."),
                user("I go to Lisbon. What should I pack?"), assistant("Pack sunglasses."), user("Who am I?"),
                assistant("You are Ada, going to Lisbon."));
        assertThat(history("ada")).hasSize(6);
    }

    // ------------------------------------------------------------------ SA5

    @Test
    void sa5_findConversationIdsPagesThroughSessionsAndReadsOnlyTheEmptiedOnesLogs() {
        CountingStores counting = new CountingStores();
        Stores counted = counting.wrap(stores);
        MemoriaChatMemoryRepository paged = MemoriaChatMemoryRepository.builder(counted).listPageSize(2).build();
        for (int i = 0; i < 5; i++) {
            paged.saveAll("c" + i, List.of(user("hello " + i)));
        }
        paged.saveAll("c4", List.of()); // emptied: still a session, not listed
        MemoriaChatMemoryRepository.builder(counted).agentId("other-agent").build().saveAll("elsewhere", List.of(user("x")));
        stores.sessions().create(dev.memoria.session.NewSession.builder().id("plain-session").build());

        counting.resetCounts();
        assertThat(paged.findConversationIds()).containsExactlyInAnyOrder("c0", "c1", "c2", "c3");
        int listsFew = counting.sessionLists.get();
        // only the emptied conversation's log is read, to confirm its label: its marker, and the read after it
        int perEmptied = counting.eventReads.get();
        assertThat(perEmptied).isEqualTo(2);
        assertThat(listsFew).isEqualTo(3); // 5 labelled sessions, 2 a page

        paged.saveAll("c0", conversation("long", 300)); // many more messages: no more work
        counting.resetCounts();
        assertThat(paged.findConversationIds()).containsExactlyInAnyOrder("c0", "c1", "c2", "c3");
        assertThat(counting.sessionLists).hasValue(listsFew);
        assertThat(counting.eventReads).hasValue(perEmptied);

        for (int i = 5; i < 9; i++) {
            paged.saveAll("c" + i, List.of(user("hello " + i)));
        }
        counting.resetCounts();
        assertThat(paged.findConversationIds()).hasSize(8);
        assertThat(counting.sessionLists).hasValue(5); // more conversations: more pages
        assertThat(counting.eventReads).hasValue(perEmptied);
    }

    @Test
    void sa5_mappedConversationIdsAreListedBackAndTheMappingIsChecked() {
        String prefix = "tenant-7/";
        MemoriaChatMemoryRepository tenant = MemoriaChatMemoryRepository.builder(stores)
                .sessionIds(id -> prefix + id, session -> session.startsWith(prefix) ? session.substring(prefix.length()) : null)
                .build();
        tenant.saveAll("chat", List.of(user("hi")));
        repository.saveAll("unprefixed", List.of(user("hello")));

        assertThat(stores.sessions().get("tenant-7/chat")).isPresent();
        assertThat(tenant.findConversationIds()).containsExactly("chat");
        assertThat(tenant.findByConversationId("chat")).containsExactly(user("hi"));

        MemoriaChatMemoryRepository lossy = MemoriaChatMemoryRepository.builder(stores)
                .sessionIds(id -> id.toLowerCase(java.util.Locale.ROOT), session -> session).build();
        assertThatThrownBy(() -> lossy.saveAll("Chat", List.of(user("hi")))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("conversationId: the session id mapping is not reversible: 'Chat' maps to 'chat', which maps back to 'chat'");
    }

    @Test
    void sa1_deleteByConversationIdPurgesByDefaultOrKeepsTheHistory() {
        repository.saveAll("a", List.of(user("1")));
        repository.deleteByConversationId("a");
        assertThat(stores.sessions().get("a")).isEmpty();
        assertThat(log("a")).isEmpty();
        assertThat(repository.findConversationIds()).isEmpty();

        MemoriaChatMemoryRepository keeping = MemoriaChatMemoryRepository.builder(stores).keepHistoryOnDelete(true).build();
        keeping.saveAll("b", List.of(user("1"), assistant("2")));
        keeping.deleteByConversationId("b");
        assertThat(keeping.findByConversationId("b")).isEmpty();
        assertThat(keeping.findConversationIds()).isEmpty();
        assertThat(history("b")).containsExactly(user("1"), assistant("2"));
        assertThat(keeping.toString()).contains("agent spring-ai", "delete keeps history");
    }
}
