package dev.memoria.bench;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.memory.ChatMemory;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.memoria.Limits;
import dev.memoria.Stores;
import dev.memoria.context.Conversation;
import dev.memoria.langchain4j.MemoriaChatMemory;
import dev.memoria.langchain4j.MemoriaChatMemoryStore;
import dev.memoria.memory.Event;
import dev.memoria.run.RunRef;
import dev.memoria.springai.MemoriaChatMemoryRepository;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.ai.chat.memory.repository.jdbc.JdbcChatMemoryRepository;
import org.springframework.ai.chat.memory.repository.jdbc.PostgresChatMemoryRepositoryDialect;
import org.springframework.ai.chat.memory.repository.jdbc.SqliteChatMemoryRepositoryDialect;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * P5: the cost of adding one message to a conversation of N messages through each framework
 * adapter, the way applications use them: under the framework's own window memory (20 messages)
 * over Memoria's store, and through Memoria's native memories; beside a plain Memoria append and,
 * on SQL backends, Spring AI's {@code JdbcChatMemoryRepository} under the same window memory.
 * Every path is timed once per repetition, in turn, so that all see the same conditions.
 */
final class AdapterBench {
    /** The window of the framework memories, Spring AI's default. */
    static final int WINDOW = 20;

    /** The paths timed, in table order. */
    static final List<String> PATHS = List.of("Memoria append", "LangChain4j window over the store", "LangChain4j native",
            "Spring AI window over the repository", "Spring AI native", "Spring AI window over JdbcChatMemoryRepository");

    private AdapterBench() {
    }

    /** One message added through one path. */
    @FunctionalInterface
    interface Adder {
        void add(long i) throws Exception;
    }

    static void run(Backend b, Bench.Config config, Report report) throws Exception {
        Stores stores = b.stores;
        JdbcChatMemoryRepository jdbc = b.dataSource() == null ? null : jdbcRepository(b);
        for (int n : config.p3Sizes()) {
            Map<String, Adder> paths = new LinkedHashMap<>();
            RunRef run = new RunRef("p5", "agent", "p5-append-" + n);
            fillRun(stores, run, n);
            paths.put(PATHS.get(0), i -> stores.memory().append(run, List.of(Event.userMessage(text(i)))));

            String lcStore = "p5-lc-store-" + n;
            fillConversation(stores, lcStore, "langchain4j", n);
            ChatMemory lcWindow = MessageWindowChatMemory.builder().id(lcStore).maxMessages(WINDOW)
                    .chatMemoryStore(MemoriaChatMemoryStore.create(stores)).build();
            paths.put(PATHS.get(1), i -> lcWindow.add(i % 2 == 0 ? dev.langchain4j.data.message.UserMessage.from(text(i))
                    : AiMessage.from(text(i))));

            String lcNative = "p5-lc-native-" + n;
            fillConversation(stores, lcNative, "langchain4j", n);
            ChatMemory lcMemory = MemoriaChatMemory.builder(stores).id(lcNative).maxMessages(WINDOW).build();
            paths.put(PATHS.get(2), i -> lcMemory.add(i % 2 == 0 ? dev.langchain4j.data.message.UserMessage.from(text(i))
                    : AiMessage.from(text(i))));

            String spStore = "p5-sp-store-" + n;
            fillConversation(stores, spStore, "spring-ai", n);
            org.springframework.ai.chat.memory.ChatMemory spWindow = org.springframework.ai.chat.memory.MessageWindowChatMemory
                    .builder().chatMemoryRepository(MemoriaChatMemoryRepository.create(stores)).maxMessages(WINDOW).build();
            paths.put(PATHS.get(3), i -> spWindow.add(spStore, springMessage(i)));

            String spNative = "p5-sp-native-" + n;
            fillConversation(stores, spNative, "spring-ai", n);
            org.springframework.ai.chat.memory.ChatMemory spMemory = dev.memoria.springai.MemoriaChatMemory.builder(stores)
                    .maxMessages(WINDOW).build();
            paths.put(PATHS.get(4), i -> spMemory.add(spNative, springMessage(i)));

            if (jdbc != null) {
                String springJdbc = "p5-jdbc-" + n;
                List<org.springframework.ai.chat.messages.Message> all = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    all.add(springMessage(i));
                }
                jdbc.saveAll(springJdbc, all);
                org.springframework.ai.chat.memory.ChatMemory jdbcWindow = org.springframework.ai.chat.memory.MessageWindowChatMemory
                        .builder().chatMemoryRepository(jdbc).maxMessages(WINDOW).build();
                paths.put(PATHS.get(5), i -> jdbcWindow.add(springJdbc, springMessage(i)));
            }
            Map<String, Stats> stats = timeInTurn(config.warmup(), config.reps(), paths);
            long added = n + config.warmup() + config.reps();
            Bench.check(lcMemory.messages().size() == Math.min(WINDOW, added) && lcWindow.messages().size() <= WINDOW,
                    "LangChain4j windows: " + lcMemory.messages().size() + " of " + added + " messages");
            Bench.check(spMemory.get(spNative).size() <= WINDOW && spWindow.get(spStore).size() <= WINDOW, "Spring AI windows");
            long history = stores.memory().load(Conversation.of(stores, lcStore, "langchain4j").log()).events().stream()
                    .filter(e -> e.type() != dev.memoria.memory.EventType.WINDOW).count();
            Bench.check(history == added, "the store's history keeps every message: " + history);
            report.p5(b.name, n, stats);
        }
        report.p5Verdicts(b.name);
    }

    private static JdbcChatMemoryRepository jdbcRepository(Backend b) throws Exception {
        JdbcTemplate template = new JdbcTemplate(b.dataSource());
        return JdbcChatMemoryRepository.builder().jdbcTemplate(template)
                .dialect(b.springDialect().equals("sqlite") ? new SqliteChatMemoryRepositoryDialect()
                        : new PostgresChatMemoryRepositoryDialect()).build();
    }

    /** Times every path once per repetition, in turn; warm-up first. */
    private static Map<String, Stats> timeInTurn(int warmup, int reps, Map<String, Adder> paths) throws Exception {
        long i = 0;
        for (int w = 0; w < warmup; w++) {
            for (Adder adder : paths.values()) {
                adder.add(i);
            }
            i++;
        }
        Map<String, long[]> nanos = new LinkedHashMap<>();
        paths.keySet().forEach(k -> nanos.put(k, new long[reps]));
        for (int r = 0; r < reps; r++) {
            for (Map.Entry<String, Adder> path : paths.entrySet()) {
                long t0 = System.nanoTime();
                path.getValue().add(i);
                nanos.get(path.getKey())[r] = System.nanoTime() - t0;
            }
            i++;
        }
        Map<String, Stats> stats = new LinkedHashMap<>();
        nanos.forEach((k, v) -> stats.put(k, Stats.of(v)));
        return stats;
    }

    private static String text(long i) {
        return "message " + i + " with some ordinary chat text in it, about sixty bytes";
    }

    private static org.springframework.ai.chat.messages.Message springMessage(long i) {
        return i % 2 == 0 ? new UserMessage(text(i)) : new AssistantMessage(text(i));
    }

    private static void fillRun(Stores stores, RunRef run, int n) {
        for (int from = 0; from < n; from += Limits.MAX_EVENTS_PER_APPEND) {
            List<Event> batch = new ArrayList<>();
            for (int i = from; i < Math.min(n, from + Limits.MAX_EVENTS_PER_APPEND); i++) {
                batch.add(Event.userMessage(text(i)));
            }
            stores.memory().append(run, batch);
        }
    }

    /**
     * A conversation of n plain user and assistant messages, appended in large batches (what the
     * adapters write for such messages), so that setting up 5,000 messages takes seconds.
     */
    private static void fillConversation(Stores stores, String id, String agentId, int n) {
        Conversation conversation = Conversation.of(stores, id, agentId);
        List<Conversation.Message> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            batch.add(Conversation.Message.of(i % 2 == 0 ? Event.userMessage(text(i)) : Event.assistantMessage(text(i))));
            if (batch.size() == Limits.MAX_EVENTS_PER_APPEND || i == n - 1) {
                conversation.append(batch);
                batch = new ArrayList<>();
            }
        }
    }
}
