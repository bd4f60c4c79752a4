package dev.memoria.langchain4j;

import static dev.memoria.langchain4j.SampleMessages.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.CustomMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.memory.ChatMemory;
import dev.langchain4j.memory.chat.ChatMemoryProvider;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.memory.chat.TokenWindowChatMemory;
import dev.langchain4j.model.TokenCountEstimator;
import dev.langchain4j.store.memory.chat.ChatMemoryStore;
import dev.langchain4j.store.memory.chat.InMemoryChatMemoryStore;
import dev.memoria.Stores;
import dev.memoria.context.Context;
import dev.memoria.context.Conversation;
import dev.memoria.memory.Event;
import dev.memoria.memory.EventQuery;
import dev.memoria.memory.EventType;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.Page;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Contracts LC1–LC5 of {@code DESIGN.md}, plus the full history, once for every backend: each
 * backend's test extends this class with the stores to run on.
 */
abstract class ChatMemoryContract {
    private Stores base;
    private ConflictCountingMemory memory;
    /** The backend's stores, with a memory store that counts compare-and-append conflicts. */
    protected Stores stores;

    /** @return new, empty stores of the backend under test; the contract closes them */
    protected abstract Stores newStores();

    @BeforeEach
    void open() {
        base = newStores();
        memory = new ConflictCountingMemory(base.memory());
        stores = Stores.of(base.sessions(), base.runs(), memory, base);
    }

    @AfterEach
    void close() {
        stores.close();
    }

    // ------------------------------------------------------------------ helpers

    /** Every event of a conversation's log, markers included, in order. */
    private List<MemoryEvent> log(Conversation conversation) {
        List<MemoryEvent> out = new ArrayList<>();
        long after = 0;
        while (true) {
            Page<MemoryEvent> page = stores.memory().read(EventQuery.run(conversation.log()).after(after).limit(1000));
            out.addAll(page.items());
            if (!page.hasNext() || page.items().isEmpty()) {
                return out;
            }
            after = page.items().get(page.items().size() - 1).sequence();
        }
    }

    private long lastSequence(Conversation conversation) {
        List<MemoryEvent> last = stores.memory().read(EventQuery.run(conversation.log()).latest(1)).items();
        return last.isEmpty() ? 0 : last.get(0).sequence();
    }

    /** The full history as LangChain4j messages: every message ever written, in order, markers left out. */
    private List<ChatMessage> history(Conversation conversation) {
        List<ChatMessage> out = new ArrayList<>();
        List<Event> group = new ArrayList<>();
        String key = null;
        for (MemoryEvent e : log(conversation)) {
            if (e.type() == EventType.WINDOW) {
                continue;
            }
            String k = e.labels().get(Conversation.MESSAGE_LABEL);
            if (!group.isEmpty() && !k.equals(key)) {
                out.add(MessageMapper.decode(new Conversation.Message(group)));
                group = new ArrayList<>();
            }
            key = k;
            Map<String, String> labels = new LinkedHashMap<>(e.labels());
            labels.remove(Conversation.MESSAGE_LABEL);
            group.add(e.toEvent().withLabels(labels));
        }
        if (!group.isEmpty()) {
            out.add(MessageMapper.decode(new Conversation.Message(group)));
        }
        return out;
    }

    /** Every TOOL_RESULT of the log comes after a TOOL_CALL of the same callId, as memoria show pairs them. */
    private void assertToolResultsPairedWithTheirCalls(Conversation conversation) {
        List<String> calls = new ArrayList<>();
        int results = 0;
        for (MemoryEvent e : log(conversation)) {
            if (e.type() == EventType.TOOL_CALL) {
                assertThat(e.data().get("arguments")).as("a TOOL_CALL's arguments, as memoria show reads them")
                        .isInstanceOfAny(Map.class);
                calls.add(e.toolCall().callId());
            } else if (e.type() == EventType.TOOL_RESULT) {
                assertThat(calls).as("the call of result #%d", e.sequence()).contains(e.toolResult().callId());
                results++;
            }
        }
        assertThat(results).isPositive();
    }

    /**
     * A conversation with tool calls: a user question, then either a direct answer, one tool call
     * and its result, or two calls and their results, then the answer.
     */
    static List<ChatMessage> script(int messages) {
        List<ChatMessage> out = new ArrayList<>();
        for (int turn = 0; out.size() < messages; turn++) {
            out.add(UserMessage.from("question " + turn));
            int calls = turn % 3;
            if (calls > 0) {
                List<ToolExecutionRequest> requests = new ArrayList<>();
                for (int c = 0; c < calls; c++) {
                    requests.add(request("call-" + turn + "-" + c, "calculator", "{\"expression\":\"" + turn + "+" + c + "\"}"));
                }
                out.add(AiMessage.builder().thinking("I need " + calls + " sums").toolExecutionRequests(requests).build());
                for (ToolExecutionRequest r : requests) {
                    out.add(ToolExecutionResultMessage.from(r, "result of " + r.id()));
                }
            }
            out.add(AiMessage.from("answer " + turn));
        }
        return new ArrayList<>(out.subList(0, messages));
    }

    private static void assertPairsWhole(List<ChatMessage> window) {
        for (int i = 0; i < window.size(); i++) {
            if (window.get(i) instanceof ToolExecutionResultMessage result) {
                boolean called = false;
                for (int j = i - 1; j >= 0 && !called; j--) {
                    called = window.get(j) instanceof AiMessage ai && ai.hasToolExecutionRequests()
                            && ai.toolExecutionRequests().stream().anyMatch(r -> r.id().equals(result.id()));
                }
                assertThat(called).as("the call of %s in %s", result.id(), window).isTrue();
            }
        }
    }

    /** Counts words of text, one for each message's role, and 3 per list: additive like LangChain4j's estimators. */
    static final class WordCountEstimator implements TokenCountEstimator {
        @Override
        public int estimateTokenCountInText(String text) {
            return text == null || text.isBlank() ? 0 : text.strip().split("\\s+").length;
        }

        @Override
        public int estimateTokenCountInMessage(ChatMessage m) {
            int tokens = 1;
            if (m instanceof SystemMessage s) {
                tokens += estimateTokenCountInText(s.text());
            } else if (m instanceof UserMessage u) {
                tokens += estimateTokenCountInText(u.singleText());
            } else if (m instanceof AiMessage a) {
                tokens += estimateTokenCountInText(a.text()) + estimateTokenCountInText(a.thinking());
                for (ToolExecutionRequest r : a.toolExecutionRequests()) {
                    tokens += 2 + estimateTokenCountInText(r.arguments());
                }
            } else if (m instanceof ToolExecutionResultMessage r) {
                tokens += estimateTokenCountInText(r.text());
            }
            return tokens;
        }

        @Override
        public int estimateTokenCountInMessages(Iterable<ChatMessage> messages) {
            int tokens = 3;
            for (ChatMessage m : messages) {
                tokens += estimateTokenCountInMessage(m);
            }
            return tokens;
        }
    }

    // ------------------------------------------------------------------ LC1

    @Test
    void lc1_getMessagesReturnsWhatUpdateMessagesWasGiven() {
        MemoriaChatMemoryStore store = MemoriaChatMemoryStore.create(stores);
        List<ChatMessage> all = SampleMessages.all();
        store.updateMessages("lc1", all);
        List<ChatMessage> read = store.getMessages("lc1");
        assertThat(read).isEqualTo(all);
        for (int i = 0; i < all.size(); i++) {
            assertThat(read.get(i)).as("message %d", i).hasSameClassAs(all.get(i)).hasSameHashCodeAs(all.get(i));
        }
        // another store on the same stores, as after a restart
        assertThat(MemoriaChatMemoryStore.create(stores).getMessages("lc1")).isEqualTo(all);
        // a later list replaces it, whatever it shares with it
        List<ChatMessage> reversed = new ArrayList<>(all.subList(0, 6));
        java.util.Collections.reverse(reversed);
        store.updateMessages("lc1", reversed);
        assertThat(store.getMessages("lc1")).isEqualTo(reversed);
    }

    @Test
    void lc1_behavesLikeInMemoryChatMemoryStore() {
        ChatMemoryStore reference = new InMemoryChatMemoryStore();
        ChatMemoryStore ours = MemoriaChatMemoryStore.create(stores);
        for (ChatMemoryStore store : List.of(reference, ours)) {
            assertThat(store.getMessages("unknown")).as("%s", store).isEmpty();
            assertThatThrownBy(() -> store.getMessages(null)).as("%s", store).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> store.updateMessages(null, List.of(UserMessage.from("x")))).as("%s", store)
                    .isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> store.updateMessages("id", null)).as("%s", store).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> store.deleteMessages(null)).as("%s", store).isInstanceOf(NullPointerException.class);
            store.deleteMessages("never written"); // nothing to delete: no error
        }
        // the same calls, the same lists
        List<List<ChatMessage>> lists = List.of(script(3), script(7), script(7).subList(2, 7), List.of(), script(2));
        for (List<ChatMessage> list : lists) {
            reference.updateMessages(42, list);
            ours.updateMessages(42, list);
            assertThat(ours.getMessages(42)).isEqualTo(reference.getMessages(42));
        }
        reference.deleteMessages(42);
        ours.deleteMessages(42);
        assertThat(ours.getMessages(42)).isEqualTo(reference.getMessages(42)).isEmpty();
    }

    @Test
    void lc1_aMessageThatCannotBeStoredIsRefusedWholeNamingIt() {
        MemoriaChatMemoryStore store = MemoriaChatMemoryStore.create(stores);
        store.updateMessages("refused", script(2));
        long before = lastSequence(store.conversation("refused"));
        List<ChatMessage> bad = new ArrayList<>(script(3));
        bad.add(CustomMessage.from(Map.of("thread", Thread.currentThread())));
        assertThatThrownBy(() -> store.updateMessages("refused", bad)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("messages[3] (CustomMessage)").hasMessageContaining("attributes.thread");
        assertThat(lastSequence(store.conversation("refused"))).isEqualTo(before);
        assertThat(store.getMessages("refused")).isEqualTo(script(2));
    }

    @Test
    void lc1_memoryIdsThatMakeNoSessionIdAreRefusedUnlessMapped() {
        String longId = "x".repeat(300);
        MemoriaChatMemoryStore store = MemoriaChatMemoryStore.create(stores);
        assertThatThrownBy(() -> store.updateMessages(longId, script(1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("memoryId").hasMessageContaining("at most 255 characters, got 300")
                .hasMessageContaining("sessionIds");
        assertThatThrownBy(() -> store.getMessages("  ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("memoryId").hasMessageContaining("blank");
        MemoriaChatMemoryStore hashing = MemoriaChatMemoryStore.builder(stores).sessionIds(ChatMemoryContract::sha256).build();
        hashing.updateMessages(longId, script(2));
        assertThat(hashing.getMessages(longId)).isEqualTo(script(2));
        assertThat(stores.sessions().get(sha256(longId))).isPresent()
                .hasValueSatisfying(s -> assertThat(s.labels()).containsEntry(Conversation.CONVERSATION_LABEL, "langchain4j"));
    }

    private static String sha256(Object id) {
        try {
            return "lc4j-" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(String.valueOf(id).getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------ LC2

    @Test
    void lc2_kNewMessagesWriteKMessagesEventsWhateverTheLengthAndADroppedStartOneMarker() {
        MemoriaChatMemoryStore store = MemoriaChatMemoryStore.create(stores);
        Conversation conversation = store.conversation("lc2");
        List<ChatMessage> window = new ArrayList<>(script(10));
        store.updateMessages("lc2", window);
        long[] costs = new long[2];
        for (int round = 0; round < 2; round++) {
            List<ChatMessage> longer = new ArrayList<>(window);
            longer.add(UserMessage.from("one more " + round));
            longer.add(AiMessage.builder().thinking("t").toolExecutionRequests(List.of(
                    request("c" + round, "calculator", "{}"), request("d" + round, "calculator", "{}"))).build());
            longer.add(ToolExecutionResultMessage.from("c" + round, "calculator", "1"));
            long before = lastSequence(conversation);
            store.updateMessages("lc2", longer);
            costs[round] = lastSequence(conversation) - before;
            window = longer;
            if (round == 0) {
                // the conversation grows to 310 messages before the same update is measured again
                List<ChatMessage> grown = new ArrayList<>(window);
                grown.addAll(script(300));
                store.updateMessages("lc2", grown);
                window = grown;
            }
        }
        // 3 messages = 1 + 4 + 1 events, at 10 messages as at 310
        assertThat(costs).containsExactly(6, 6);

        long before = lastSequence(conversation);
        store.updateMessages("lc2", window);
        assertThat(lastSequence(conversation)).as("the same list again writes nothing").isEqualTo(before);

        // the window drops its oldest 100 messages and gains one: the message and one marker, nothing deleted
        List<ChatMessage> slid = new ArrayList<>(window.subList(100, window.size()));
        slid.add(UserMessage.from("after the slide"));
        store.updateMessages("lc2", slid);
        assertThat(lastSequence(conversation) - before).isEqualTo(2);
        assertThat(log(conversation).get(log(conversation).size() - 1).type()).isEqualTo(EventType.WINDOW);
        assertThat(store.getMessages("lc2")).isEqualTo(slid);
        List<ChatMessage> everything = new ArrayList<>(window);
        everything.add(UserMessage.from("after the slide"));
        assertThat(history(conversation)).isEqualTo(everything);
    }

    @Test
    void lc2_throughMessageWindowChatMemoryTheWindowIsTheReferencesAndTheLogKeepsAllThirty() {
        ChatMemoryStore reference = new InMemoryChatMemoryStore();
        MemoriaChatMemoryStore store = MemoriaChatMemoryStore.create(stores);
        ChatMemory theirs = MessageWindowChatMemory.builder().id("mw").maxMessages(5).chatMemoryStore(reference).build();
        ChatMemory ours = MessageWindowChatMemory.builder().id("mw").maxMessages(5).chatMemoryStore(store).build();
        Conversation conversation = store.conversation("mw");
        List<ChatMessage> thirty = script(30);
        for (ChatMessage m : thirty) {
            long before = lastSequence(conversation);
            theirs.add(m);
            ours.add(m);
            int events = MessageMapper.encode(m, "m").events().size();
            assertThat(lastSequence(conversation) - before).as("adding %s", m).isBetween((long) events, events + 1L);
            assertThat(ours.messages()).isEqualTo(theirs.messages());
            assertThat(store.getMessages("mw")).isEqualTo(reference.getMessages("mw"));
        }
        assertThat(history(conversation)).as("the full history").isEqualTo(thirty);
        assertToolResultsPairedWithTheirCalls(conversation);
        // rebuilt from the stores alone, as after a restart
        ChatMemory again = MessageWindowChatMemory.builder().id("mw").maxMessages(5)
                .chatMemoryStore(MemoriaChatMemoryStore.create(stores)).build();
        assertThat(again.messages()).isEqualTo(theirs.messages());
    }

    @Test
    void lc2_throughTokenWindowChatMemoryTheWindowIsTheReferences() {
        ChatMemoryStore reference = new InMemoryChatMemoryStore();
        MemoriaChatMemoryStore store = MemoriaChatMemoryStore.create(stores);
        TokenCountEstimator words = new WordCountEstimator();
        ChatMemory theirs = TokenWindowChatMemory.builder().id("tw").maxTokens(30, words).chatMemoryStore(reference).build();
        ChatMemory ours = TokenWindowChatMemory.builder().id("tw").maxTokens(30, words).chatMemoryStore(store).build();
        theirs.add(SystemMessage.from("be brief"));
        ours.add(SystemMessage.from("be brief"));
        for (ChatMessage m : script(20)) {
            theirs.add(m);
            ours.add(m);
            assertThat(ours.messages()).isEqualTo(theirs.messages());
        }
        assertThat(history(store.conversation("tw"))).hasSize(21);
    }

    // ------------------------------------------------------------------ LC3

    @Test
    void lc3_twoWritersLoseNoMessage() throws Exception {
        MemoriaChatMemoryStore store = MemoriaChatMemoryStore.create(stores);
        List<ChatMessage> start = script(4);
        store.updateMessages("lc3", start);
        List<ChatMessage> first = new ArrayList<>(start);
        first.add(UserMessage.from("from the first writer"));
        first.add(AiMessage.from("first writer's answer"));
        List<ChatMessage> second = new ArrayList<>(start.subList(1, start.size())); // its window also dropped one
        second.add(UserMessage.from("from the second writer"));

        memory.holdFirstAppendsUntilAllArrive(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> a = pool.submit(() -> MemoriaChatMemoryStore.create(stores).updateMessages("lc3", first));
            Future<?> b = pool.submit(() -> MemoriaChatMemoryStore.create(stores).updateMessages("lc3", second));
            a.get();
            b.get();
        } finally {
            pool.shutdownNow();
        }
        // both computed their write from the same window, so one had to compare again
        assertThat(memory.conflicts()).isPositive();
        assertThat(store.getMessages("lc3")).isIn(first, second);
        assertThat(history(store.conversation("lc3"))).containsAll(start)
                .contains(UserMessage.from("from the first writer"), AiMessage.from("first writer's answer"),
                        UserMessage.from("from the second writer"));
    }

    // ------------------------------------------------------------------ LC4

    @Test
    void lc4_deleteMessagesPurgesTheSessionByDefault() {
        MemoriaChatMemoryStore store = MemoriaChatMemoryStore.create(stores);
        ChatMemory window = MessageWindowChatMemory.builder().id("lc4").maxMessages(3).chatMemoryStore(store).build();
        script(8).forEach(window::add);
        window.clear(); // MessageWindowChatMemory.clear() is the store's deleteMessages
        assertThat(store.getMessages("lc4")).isEmpty();
        assertThat(window.messages()).isEmpty();
        assertThat(stores.sessions().get("lc4")).isEmpty();
        assertThat(stores.memory().read(EventQuery.session("lc4")).items()).isEmpty();
        assertThat(stores.runs().listBySession("lc4")).isEmpty();
        // and the id is usable again, from scratch
        window.add(UserMessage.from("again"));
        assertThat(store.getMessages("lc4")).containsExactly(UserMessage.from("again"));
        assertThat(history(store.conversation("lc4"))).containsExactly(UserMessage.from("again"));
    }

    @Test
    void lc4_keepHistoryOnDeleteEmptiesTheWindowOnly() {
        MemoriaChatMemoryStore store = MemoriaChatMemoryStore.builder(stores).keepHistoryOnDelete(true).build();
        store.updateMessages("kept", script(6));
        store.deleteMessages("kept");
        assertThat(store.getMessages("kept")).isEmpty();
        assertThat(history(store.conversation("kept"))).isEqualTo(script(6));
        assertThat(stores.sessions().get("kept").orElseThrow().labels()).containsKey(Conversation.EMPTY_LABEL);
        store.updateMessages("kept", List.of(UserMessage.from("a new start")));
        assertThat(store.getMessages("kept")).containsExactly(UserMessage.from("a new start"));
        assertThat(stores.sessions().get("kept").orElseThrow().labels()).doesNotContainKey(Conversation.EMPTY_LABEL);
        assertThat(history(store.conversation("kept"))).hasSize(7);
    }

    // ------------------------------------------------------------------ LC5

    private MemoriaChatMemory.Builder nativeMemory() {
        return MemoriaChatMemory.builder(stores);
    }

    @Test
    void lc5_addAppendsOneMessageWhateverTheLength() {
        MemoriaChatMemory chat = nativeMemory().id("lc5").maxMessages(10).build();
        chat.add(script(300)); // one append of 300 messages
        Conversation conversation = chat.conversation();
        long before = lastSequence(conversation);
        chat.add(UserMessage.from("one more"));
        assertThat(lastSequence(conversation) - before).isEqualTo(1);
        chat.add(AiMessage.builder().text("two calls").toolExecutionRequests(List.of(request("x", "t", "{}"), request("y", "t", "{}")))
                .build());
        assertThat(lastSequence(conversation) - before).isEqualTo(4);
        assertThat(log(conversation)).noneMatch(e -> e.type() == EventType.WINDOW);
        assertThat(chat.messages()).hasSize(10).last().isEqualTo(AiMessage.builder().text("two calls")
                .toolExecutionRequests(List.of(request("x", "t", "{}"), request("y", "t", "{}"))).build());
        assertThat(history(conversation)).hasSize(302);
    }

    /** The calls of the comparisons below: tool pairs, a system message repeated, then superseded. */
    private static List<ChatMessage> nativeScript() {
        List<ChatMessage> calls = new ArrayList<>();
        List<ChatMessage> turns = script(26);
        calls.add(SystemMessage.from("You are a calculator."));
        calls.addAll(turns.subList(0, 9));
        calls.add(SystemMessage.from("You are a calculator.")); // the same: ignored
        calls.addAll(turns.subList(9, 17));
        calls.add(SystemMessage.from("You are a precise calculator.")); // supersedes the first
        calls.addAll(turns.subList(17, 26));
        calls.add(SystemMessage.from("You are a precise calculator."));
        return calls;
    }

    /**
     * The reference's window without the tool results it holds in front of its messages: a result
     * added after its call was evicted stays in LangChain4j's windows (which providers such as
     * OpenAI reject), where LC5 wants tool pairs whole. That is the one difference.
     */
    private static List<ChatMessage> withoutOrphansInFront(List<ChatMessage> window) {
        List<ChatMessage> out = new ArrayList<>(window);
        int oldest = !out.isEmpty() && out.get(0) instanceof SystemMessage ? 1 : 0;
        while (out.size() > oldest && out.get(oldest) instanceof ToolExecutionResultMessage) {
            out.remove(oldest);
        }
        return out;
    }

    /**
     * Adds the script through one native memory and, after each call, compares the window every
     * view of the same log reads with what LangChain4j's own memory holds after the same calls.
     */
    private void compareWithReferences(String id, List<MemoriaChatMemory> views, List<ChatMemory> references) {
        for (ChatMessage m : nativeScript()) {
            views.get(0).add(m);
            references.forEach(r -> r.add(m));
            for (int i = 0; i < views.size(); i++) {
                List<ChatMessage> window = views.get(i).messages();
                assertThat(window).as("%s after %s", views.get(i), m).isEqualTo(withoutOrphansInFront(references.get(i).messages()));
                assertPairsWhole(window);
            }
        }
        // one system message first, the superseded and the repeated ones not in the window, all in the history once
        assertThat(views.get(views.size() - 1).messages().get(0)).isEqualTo(SystemMessage.from("You are a precise calculator."));
        List<ChatMessage> history = history(views.get(0).conversation());
        assertThat(history).filteredOn(SystemMessage.class::isInstance).containsExactly(
                SystemMessage.from("You are a calculator."), SystemMessage.from("You are a precise calculator."));
        assertThat(history).hasSize(28);
    }

    @Test
    void lc5_messagesIsWhatMessageWindowChatMemoryWouldHold() {
        List<MemoriaChatMemory> views = new ArrayList<>();
        List<ChatMemory> references = new ArrayList<>();
        for (int max : new int[] {1, 2, 5}) {
            views.add(nativeMemory().id("window").maxMessages(max).build());
            references.add(MessageWindowChatMemory.builder().id("window").maxMessages(max)
                    .alwaysKeepSystemMessageFirst(true).chatMemoryStore(new InMemoryChatMemoryStore()).build());
        }
        compareWithReferences("window", views, references);
    }

    @Test
    void lc5_aTokenBudgetIsWhatTokenWindowChatMemoryWouldHold() {
        TokenCountEstimator words = new WordCountEstimator();
        List<MemoriaChatMemory> views = new ArrayList<>();
        List<ChatMemory> references = new ArrayList<>();
        for (int budget : new int[] {4, 12, 40}) {
            views.add(nativeMemory().id("tokens").maxTokens(budget, words).build());
            references.add(TokenWindowChatMemory.builder().id("tokens").maxTokens(budget, words)
                    .alwaysKeepSystemMessageFirst(true).chatMemoryStore(new InMemoryChatMemoryStore()).build());
        }
        compareWithReferences("tokens", views, references);
    }

    @Test
    void lc5_anIdenticalSystemMessageIsNotAppendedAgainAndANewOneComesFirst() {
        MemoriaChatMemory chat = nativeMemory().id("system").maxMessages(3).build();
        chat.add(UserMessage.from("hi"));
        chat.add(SystemMessage.from("be brief"));
        long before = lastSequence(chat.conversation());
        chat.add(SystemMessage.from("be brief"));
        chat.add(List.of(SystemMessage.from("be brief"), UserMessage.from("again")));
        assertThat(lastSequence(chat.conversation()) - before).isEqualTo(1);
        assertThat(chat.messages()).containsExactly(SystemMessage.from("be brief"), UserMessage.from("hi"), UserMessage.from("again"));
        chat.add(SystemMessage.from("be very brief"));
        assertThat(chat.messages()).containsExactly(SystemMessage.from("be very brief"), UserMessage.from("hi"),
                UserMessage.from("again"));
        // a rebuilt memory sees the same
        assertThat(nativeMemory().id("system").maxMessages(3).build().messages()).isEqualTo(chat.messages());
    }

    @Test
    void lc5_aWindowNeverStartsWithAResultWithoutItsCall() {
        MemoriaChatMemory chat = nativeMemory().id("pairs").maxMessages(2).build();
        AiMessage calls = AiMessage.from(request("a", "t", "{}"), request("b", "t", "{}"));
        chat.add(List.of(UserMessage.from("q"), calls, ToolExecutionResultMessage.from("a", "t", "1"),
                ToolExecutionResultMessage.from("b", "t", "2")));
        // the call leaves the window of two, and its results with it
        assertThat(chat.messages()).isEmpty();
        chat.add(AiMessage.from("done"));
        assertThat(chat.messages()).containsExactly(AiMessage.from("done"));
        MemoriaChatMemory wider = nativeMemory().id("pairs").maxMessages(4).build();
        assertThat(wider.messages()).containsExactly(calls, ToolExecutionResultMessage.from("a", "t", "1"),
                ToolExecutionResultMessage.from("b", "t", "2"), AiMessage.from("done"));

        // a window cleared between a call and its result does not start with the orphan result
        MemoriaChatMemory cleared = nativeMemory().id("cleared").maxMessages(4).keepHistoryOnClear(true).build();
        cleared.add(List.of(UserMessage.from("q"), calls));
        cleared.clear();
        cleared.add(ToolExecutionResultMessage.from("a", "t", "1"));
        cleared.add(AiMessage.from("after"));
        assertThat(cleared.messages()).containsExactly(AiMessage.from("after"));
    }

    @Test
    void lc5_clearPurgesTheSessionOrKeepsTheHistory() {
        MemoriaChatMemory purging = nativeMemory().id("purged").maxMessages(5).build();
        purging.add(script(6));
        purging.clear();
        assertThat(purging.messages()).isEmpty();
        assertThat(stores.sessions().get("purged")).isEmpty();
        purging.add(UserMessage.from("again"));
        assertThat(purging.messages()).containsExactly(UserMessage.from("again"));

        MemoriaChatMemory keeping = nativeMemory().id("kept").maxMessages(5).keepHistoryOnClear(true).build();
        keeping.add(SystemMessage.from("s"));
        keeping.add(script(6));
        keeping.clear();
        assertThat(keeping.messages()).isEmpty();
        keeping.add(UserMessage.from("again"));
        assertThat(keeping.messages()).as("the system message was cleared too").containsExactly(UserMessage.from("again"));
        assertThat(history(keeping.conversation())).hasSize(8);
    }

    @Test
    void lc5_setMakesTheListTheWindowAndKeepsTheHistory() {
        MemoriaChatMemory chat = nativeMemory().id("set").maxMessages(10).build();
        chat.add(script(8));
        // as AI services do when a tool is compensated: the same window, one result replaced
        List<ChatMessage> rewritten = chat.messages();
        assertThat(rewritten.get(4)).isEqualTo(ToolExecutionResultMessage.from("call-1-0", "calculator", "result of call-1-0"));
        rewritten.set(4, ToolExecutionResultMessage.from("call-1-0", "calculator", "rolled back"));
        chat.set(rewritten);
        assertThat(chat.messages()).isEqualTo(rewritten);
        assertThat(nativeMemory().id("set").maxMessages(10).build().messages()).isEqualTo(rewritten);
        // the first four stay in place; the rest is written again after them, the old result kept in the history
        assertThat(history(chat.conversation())).startsWith(script(8).toArray(new ChatMessage[0])).hasSize(12);
        assertThatThrownBy(() -> chat.set(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> chat.set((Iterable<ChatMessage>) null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void lc5_theProviderGivesEachMemoryIdItsOwnConversation() {
        ChatMemoryProvider provider = MemoriaChatMemoryProvider.of(nativeMemory().maxMessages(4).agentId("my-agent"));
        ChatMemory a = provider.get("user-a");
        ChatMemory b = provider.get("user-b");
        a.add(UserMessage.from("I am a"));
        b.add(UserMessage.from("I am b"));
        assertThat(provider.get("user-a").messages()).containsExactly(UserMessage.from("I am a"));
        assertThat(b.messages()).containsExactly(UserMessage.from("I am b"));
        assertThat(a.id()).isEqualTo("user-a");
        assertThat(stores.runs().listBySession("user-a")).singleElement()
                .satisfies(run -> assertThat(run.agentId()).isEqualTo("my-agent"));
        assertThatThrownBy(() -> MemoriaChatMemoryProvider.of(MemoriaChatMemory.builder(stores))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("maxMessages");
    }

    // ------------------------------------------------------------------ a compacted conversation

    /** The event of the session's context view (messages, tool calls and results) with that text. */
    private MemoryEvent inTheView(String sessionId, String text) {
        return Context.of(stores).view(sessionId, 1000, Context.CONVERSATION).unsummarized().stream()
                .filter(e -> text.equals(e.textIfAny().orElse(null))).findFirst().orElseThrow();
    }

    private static SystemMessage merged(String system, String summary) {
        return SystemMessage.from((system == null ? "" : system + "\n\n") + "Summary of the conversation so far: " + summary);
    }

    @Test
    void lc5_aCompactedConversationStartsWithTheSummaryInItsSystemMessageThenTheMessagesAfterTheCut() {
        MemoriaChatMemory chat = nativeMemory().id("compacted").maxMessages(10).build();
        chat.add(SystemMessage.from("You are a calculator."));
        List<ChatMessage> turns = script(12); // q0 a0, q1 call result a1, q2 two calls two results a2, q3
        chat.add(turns);
        assertThat(chat.messages()).hasSize(10).first().isEqualTo(SystemMessage.from("You are a calculator."));

        Context.of(stores).compact("compacted", inTheView("compacted", "answer 1"), "Sums of 0 and 1.", "test");

        List<ChatMessage> window = chat.messages();
        assertThat(window).containsExactly(merged("You are a calculator.", "Sums of 0 and 1."), turns.get(6), turns.get(7),
                turns.get(8), turns.get(9), turns.get(10), turns.get(11));
        assertThat(window).filteredOn(SystemMessage.class::isInstance).hasSize(1);
        assertPairsWhole(window);

        // adds still append, and show after the cut; the window stays within maxMessages, pairs whole
        chat.add(AiMessage.from("answer 3"));
        chat.add(SystemMessage.from("You are a calculator.")); // as an AI service adds it on every call: not stored again
        assertThat(chat.messages()).containsExactly(merged("You are a calculator.", "Sums of 0 and 1."), turns.get(6),
                turns.get(7), turns.get(8), turns.get(9), turns.get(10), turns.get(11), AiMessage.from("answer 3"));
        MemoriaChatMemory small = nativeMemory().id("compacted").maxMessages(4).build();
        assertThat(small.messages()).containsExactly(merged("You are a calculator.", "Sums of 0 and 1."), turns.get(10),
                turns.get(11), AiMessage.from("answer 3"));
        MemoriaChatMemory tokens = nativeMemory().id("compacted").maxTokens(1000, new WordCountEstimator()).build();
        assertThat(tokens.messages()).isEqualTo(chat.messages());

        // nothing was deleted; the store, for LangChain4j's own memories, returns the window as written
        assertThat(history(chat.conversation())).hasSize(14);
        assertThat(MemoriaChatMemoryStore.create(stores).getMessages("compacted")).hasSize(14)
                .doesNotContain(merged("You are a calculator.", "Sums of 0 and 1."));
    }

    @Test
    void lc5_withoutASystemMessageTheSummaryIsTheSystemMessage() {
        MemoriaChatMemory chat = nativeMemory().id("summary-only").maxMessages(3).build();
        chat.add(script(6));
        Context.of(stores).compact("summary-only", inTheView("summary-only", "answer 0"), "Ada asked.", "test");

        // q1, its call, its result and its answer follow the cut: the call leaves the window of three with its result
        assertThat(chat.messages()).containsExactly(merged(null, "Ada asked."), AiMessage.from("answer 1"));
        assertThat(nativeMemory().id("summary-only").maxMessages(10).build().messages()).containsExactly(merged(null, "Ada asked."),
                script(6).get(2), script(6).get(3), script(6).get(4), script(6).get(5));

        // a second compaction replaces the first
        chat.add(UserMessage.from("question 2"));
        Context.of(stores).compact("summary-only", inTheView("summary-only", "answer 1"), "Ada asked twice.", "test");
        assertThat(chat.messages()).containsExactly(merged(null, "Ada asked twice."), UserMessage.from("question 2"));
    }

    @Test
    void lc5_setOnACompactedConversationDoesNotStoreTheSummaryAsSystemText() {
        MemoriaChatMemory chat = nativeMemory().id("set-compacted").maxMessages(10).build();
        chat.add(SystemMessage.from("s"));
        chat.add(script(8));
        Context.of(stores).compact("set-compacted", inTheView("set-compacted", "answer 0"), "Ada asked.", "test");
        // as AI services do when a tool is compensated: the window read, one result replaced
        List<ChatMessage> rewritten = chat.messages();
        assertThat(rewritten.get(0)).isEqualTo(merged("s", "Ada asked."));
        int result = rewritten.indexOf(ToolExecutionResultMessage.from("call-1-0", "calculator", "result of call-1-0"));
        rewritten.set(result, ToolExecutionResultMessage.from("call-1-0", "calculator", "rolled back"));
        chat.set(rewritten);

        assertThat(chat.messages()).isEqualTo(rewritten);
        assertThat(history(chat.conversation())).filteredOn(SystemMessage.class::isInstance).containsExactly(SystemMessage.from("s"));
    }
}
