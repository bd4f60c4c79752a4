package dev.memoria.langchain4j;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.memory.ChatMemory;
import dev.langchain4j.model.TokenCountEstimator;
import dev.memoria.SessionEndedException;
import dev.memoria.Stores;
import dev.memoria.context.Conversation;
import dev.memoria.context.Conversation.Message;
import dev.memoria.context.Summary;
import dev.memoria.memory.EventType;
import dev.memoria.spi.Checks;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * A LangChain4j {@link ChatMemory} kept in Memoria, natively: {@link #add} appends the message to
 * the conversation's log and never rewrites anything, and {@link #messages()} reads the window from
 * the end of the log. The full history stays in the log ({@link #conversation()}).
 *
 * <pre>{@code
 * ChatMemory memory = MemoriaChatMemory.builder(stores).id("user-42").maxMessages(20).build();
 * // or, for an AI service: one memory per @MemoryId
 * AiServices.builder(Assistant.class).chatModel(model)
 *         .chatMemoryProvider(MemoriaChatMemoryProvider.of(MemoriaChatMemory.builder(stores).maxMessages(20)))
 *         .build();
 * }</pre>
 *
 * <h2>The window</h2>
 * {@link #messages()} is what {@code MessageWindowChatMemory} (with
 * {@code alwaysKeepSystemMessageFirst(true)}) or {@code TokenWindowChatMemory} would hold after the
 * same calls, computed from the log instead of stored:
 * <ul>
 *   <li>at most {@code maxMessages} messages, or as many of the latest as fit {@code maxTokens}
 *       (counted with the given estimator, evicting the oldest first, as
 *       {@code TokenWindowChatMemory} does), the system message included;</li>
 *   <li>at most one system message, always first: the latest added. Adding a system message equal to
 *       the current one writes nothing; a different one supersedes it (the old one stays in the
 *       history);</li>
 *   <li>tool calls and results whole: when an {@link AiMessage} with tool execution requests leaves
 *       the window its results leave with it, and the window never starts with a
 *       {@link ToolExecutionResultMessage}. An AI message in the window always has the results that
 *       followed it (they are later in the log), so none is cut from its results.</li>
 * </ul>
 * A read costs about the window's size, not the history's: the system message is found through
 * an index, then the latest messages are read from the end. The token budget matches
 * {@code TokenWindowChatMemory} exactly when the estimator counts a list as its messages' counts
 * plus a constant, as LangChain4j's estimators do.
 *
 * <h2>A compacted or rewound conversation</h2>
 * The conversation is a Memoria session, so {@link dev.memoria.context.Context} works on it, and
 * {@link #messages()} reads the session's context view: once the session was compacted
 * ({@code Context.compact}), the window's system message is the conversation's own system message
 * (if it has one) followed by a blank line and {@value Conversation#SUMMARY_INTRO} with the
 * summary's text, merged into the one {@link SystemMessage} LangChain4j allows, and the messages
 * are only those after what the summary covers, at most {@code maxMessages} (or the token budget)
 * with the merged system message counted, tool calls and results whole; messages a
 * {@code Context.rewind} hid are left out, the system message among them. The view works on events,
 * a memory on messages: a message of which the view shows any event is shown whole. {@link #add}
 * still appends (the messages added show after the cut) and nothing is deleted; {@link #set}
 * takes the merged system message back apart, so that the summary is not stored as system text.
 *
 * <h2>Other operations</h2>
 * {@link #clear()} purges the conversation's session by default (like a store's
 * {@code deleteMessages}); {@link Builder#keepHistoryOnClear(boolean)} keeps the history and only
 * empties the window. {@link #set(Iterable)} makes the list the conversation's whole window (a
 * compare-and-append that writes only what is new; it reads the window, which is the whole history
 * since the last clear). Messages are stored as {@link MemoriaChatMemoryStore} stores them, and
 * refused alike: see there.
 *
 * <h2>Attribute values</h2>
 * The attributes of user, AI, tool result and custom messages come back with their Java types:
 * null, String, Boolean, Character, Integer, Long, Short, Byte, Double (NaN, infinities and -0.0
 * included), Float, BigInteger, BigDecimal (scale kept), LangChain4j's {@code Image} (as AI
 * services put in {@code generated_images}), and Lists and Maps with String keys of these. Any
 * other value is refused with an {@link IllegalArgumentException} naming its key.
 *
 * <p>Thread-safe: concurrent {@code add}s all land, in the order the store acknowledges them.
 */
public final class MemoriaChatMemory implements ChatMemory {
    /** Messages read at first when the window is a token budget. */
    private static final int FIRST_READ_FOR_TOKENS = 32;

    private final Object id;
    private final Conversation conversation;
    private final int maxMessages;
    private final int maxTokens;
    private final TokenCountEstimator estimator;
    private final boolean keepHistoryOnClear;

    private MemoriaChatMemory(Builder b) {
        this.id = b.id;
        this.conversation = new Conversations(b.stores, b.sessionIds, b.agentId).of(b.id);
        this.maxMessages = b.maxMessages;
        this.maxTokens = b.maxTokens;
        this.estimator = b.estimator;
        this.keepHistoryOnClear = b.keepHistoryOnClear;
    }

    /**
     * @param stores where the conversations live; the caller closes them
     * @return a builder; set {@link Builder#maxMessages(int)} or
     *     {@link Builder#maxTokens(int, TokenCountEstimator)}
     */
    public static Builder builder(Stores stores) {
        return new Builder(stores);
    }

    /** @return the memory id, as given to the builder */
    @Override
    public Object id() {
        return id;
    }

    /**
     * Appends the message to the log: one append, whatever the history's length. A system message
     * equal to the current one is not appended again.
     *
     * @param message the message
     * @throws NullPointerException if it is null
     * @throws IllegalArgumentException if it cannot be stored (see the class comment)
     * @throws SessionEndedException if the conversation's session was ended with Memoria's API
     */
    @Override
    public void add(ChatMessage message) {
        Objects.requireNonNull(message, "message");
        add(List.of(message));
    }

    /**
     * Appends the messages in one append (all or none), leaving out each system message equal to
     * the one current when it comes. A null iterable adds nothing, as {@code ChatMemory}'s own
     * default does.
     *
     * @param messages the messages, oldest first
     * @throws NullPointerException if one is null
     * @throws IllegalArgumentException if one cannot be stored (nothing is written then)
     */
    @Override
    public void add(Iterable<ChatMessage> messages) {
        if (messages == null) {
            return;
        }
        List<Message> batch = new ArrayList<>();
        SystemMessage current = null;
        boolean currentRead = false;
        int i = 0;
        for (ChatMessage m : messages) {
            String where = "messages[" + i++ + "]";
            Objects.requireNonNull(m, where);
            if (m instanceof SystemMessage system) {
                if (!currentRead) {
                    current = currentSystemMessage();
                    currentRead = true;
                }
                if (system.equals(current)) {
                    continue;
                }
                current = system;
            }
            batch.add(MessageMapper.encode(m, where));
        }
        conversation.append(batch);
    }

    /**
     * Makes the messages the whole window, writing only what is new (see the class comment). The
     * system message {@link #messages()} shows for a compacted conversation (the conversation's own,
     * merged with the summary) is taken as the conversation's own: the summary is not stored again.
     *
     * @param messages the new window, oldest first; not empty
     * @throws IllegalArgumentException if it is null or empty, as {@code ChatMemory} requires, or a
     *     message cannot be stored
     */
    @Override
    public void set(Iterable<ChatMessage> messages) {
        if (messages == null) {
            throw new IllegalArgumentException("messages cannot be null");
        }
        if (!messages.iterator().hasNext()) {
            throw new IllegalArgumentException("messages must not be empty");
        }
        Optional<Summary> summary = conversation.summary();
        if (summary.isPresent()) {
            SystemMessage own = currentSystemMessage();
            SystemMessage shown = withSummary(own, summary.get());
            List<ChatMessage> unmerged = new ArrayList<>();
            for (ChatMessage m : messages) {
                if (shown.equals(m)) {
                    if (own != null) {
                        unmerged.add(own);
                    }
                } else {
                    unmerged.add(m);
                }
            }
            if (unmerged.isEmpty()) {
                throw new IllegalArgumentException("messages must not be empty");
            }
            messages = unmerged;
        }
        conversation.replaceWindow(MessageMapper.encodeAll(messages, "messages"));
    }

    /**
     * @return the window, read from the log: the system message first (merged with the summary of a
     *     compacted conversation), then the latest messages that fit (see the class comment); a new
     *     mutable list
     */
    @Override
    public List<ChatMessage> messages() {
        SystemMessage system = null;
        boolean systemKnown = false;
        int read = maxTokens > 0 ? FIRST_READ_FOR_TOKENS : maxMessages + 2; // room for one system message among them
        while (true) {
            Conversation.Viewed viewed = conversation.latestInView(read);
            List<Message> latest = viewed.messages();
            boolean whole = latest.size() < read;
            List<ChatMessage> tail = new ArrayList<>(latest.size());
            for (Message m : latest) {
                ChatMessage decoded = MessageMapper.decode(m);
                if (decoded instanceof SystemMessage s) {
                    // the window's end holds the latest system message: no need to look it up
                    system = s;
                    systemKnown = true;
                } else {
                    tail.add(decoded);
                }
            }
            if (!systemKnown) {
                system = currentSystemMessage();
                systemKnown = true;
            }
            SystemMessage first = viewed.summary().isPresent() ? withSummary(system, viewed.summary().get()) : system;
            if (whole || enough(first, tail)) {
                return window(first, tail);
            }
            read = (int) Math.min((long) read * 4, Integer.MAX_VALUE);
        }
    }

    /** The one system message of a compacted conversation: its own system message's text, then the summary. */
    private static SystemMessage withSummary(SystemMessage own, Summary summary) {
        return SystemMessage.from(Conversation.withSummary(own == null ? null : own.text(), summary));
    }

    /**
     * Whether the messages read decide the window: they overflow it, so it starts among them, and
     * they do not start with a tool result, whose AI message (if it is to leave) lies before them.
     */
    private boolean enough(SystemMessage system, List<ChatMessage> tail) {
        if (tail.isEmpty() || tail.get(0) instanceof ToolExecutionResultMessage) {
            return false;
        }
        if (maxTokens > 0) {
            long tokens = 0;
            for (ChatMessage m : tail) {
                tokens += estimator.estimateTokenCountInMessage(m);
            }
            return tokens > maxTokens;
        }
        return tail.size() + (system == null ? 0 : 1) > maxMessages;
    }

    /** Evicts the oldest messages but the system message until the rest fits, tool results with their call. */
    private List<ChatMessage> window(SystemMessage system, List<ChatMessage> tail) {
        List<ChatMessage> list = new ArrayList<>(tail.size() + 1);
        if (system != null) {
            list.add(system);
        }
        list.addAll(tail);
        int oldest = system == null ? 0 : 1;
        if (maxTokens > 0) {
            long tokens = estimator.estimateTokenCountInMessages(list);
            while (tokens > maxTokens && list.size() > oldest) {
                tokens -= evictOldest(list, oldest);
            }
        } else {
            while (list.size() > maxMessages) {
                evictOldest(list, oldest);
            }
        }
        // a window that began with a result (its call is before the window, or was cleared away) drops it
        while (list.size() > oldest && list.get(oldest) instanceof ToolExecutionResultMessage) {
            list.remove(oldest);
        }
        return list;
    }

    /** @return the tokens of what was evicted (0 when counting messages) */
    private long evictOldest(List<ChatMessage> list, int oldest) {
        ChatMessage evicted = list.remove(oldest);
        long tokens = count(evicted);
        if (evicted instanceof AiMessage ai && ai.hasToolExecutionRequests()) {
            while (list.size() > oldest && list.get(oldest) instanceof ToolExecutionResultMessage) {
                tokens += count(list.remove(oldest));
            }
        }
        return tokens;
    }

    private long count(ChatMessage m) {
        return maxTokens > 0 ? estimator.estimateTokenCountInMessage(m) : 0;
    }

    /** The conversation's own latest system message (a rewind may have hidden a later one), as stored. */
    private SystemMessage currentSystemMessage() {
        return conversation.latestInViewWith(EventType.SYSTEM_MESSAGE).map(MessageMapper::decode)
                .filter(SystemMessage.class::isInstance).map(SystemMessage.class::cast).orElse(null);
    }

    /**
     * Purges the conversation's session (the default) or, with
     * {@link Builder#keepHistoryOnClear(boolean) keepHistoryOnClear(true)}, empties the window and
     * keeps the history. The memory stays usable: the next {@code add} starts a new window.
     */
    @Override
    public void clear() {
        if (keepHistoryOnClear) {
            conversation.clearWindow();
        } else {
            conversation.delete();
        }
    }

    /**
     * @return the conversation this memory is kept in: its full history is the log
     *     {@link Conversation#log()} (read it with {@code stores.memory()}, or
     *     {@code memoria show <session>})
     */
    public Conversation conversation() {
        return conversation;
    }

    @Override
    public String toString() {
        return "MemoriaChatMemory[id " + Checks.shorten(String.valueOf(id)) + ", "
                + (maxTokens > 0 ? maxTokens + " tokens" : maxMessages + " messages") + ", " + conversation + "]";
    }

    /**
     * Options of a {@link MemoriaChatMemory}. Not thread-safe; {@link #build()} and
     * {@link MemoriaChatMemoryProvider#of(Builder)} copy them.
     */
    public static final class Builder {
        private final Stores stores;
        private Object id = "default";
        private int maxMessages;
        private int maxTokens;
        private TokenCountEstimator estimator;
        private Function<Object, String> sessionIds = Conversations.STRING_VALUE;
        private String agentId = Conversations.DEFAULT_AGENT_ID;
        private boolean keepHistoryOnClear;

        private Builder(Stores stores) {
            this.stores = Objects.requireNonNull(stores, "stores");
        }

        Builder copy() {
            Builder b = new Builder(stores);
            b.id = id;
            b.maxMessages = maxMessages;
            b.maxTokens = maxTokens;
            b.estimator = estimator;
            b.sessionIds = sessionIds;
            b.agentId = agentId;
            b.keepHistoryOnClear = keepHistoryOnClear;
            return b;
        }

        /**
         * @param id the memory id (default {@code "default"}, as LangChain4j's memories); its
         *     session id is {@code String.valueOf(id)} unless {@link #sessionIds} says otherwise
         * @return this builder
         */
        public Builder id(Object id) {
            this.id = Objects.requireNonNull(id, "id");
            return this;
        }

        /**
         * A window of the latest messages, the system message included, as
         * {@code MessageWindowChatMemory}'s. Replaces a token budget set before.
         *
         * @param maxMessages at least 1; a read costs about that many messages
         * @return this builder
         */
        public Builder maxMessages(int maxMessages) {
            if (maxMessages < 1) {
                throw new IllegalArgumentException("maxMessages: must be at least 1, got " + maxMessages);
            }
            this.maxMessages = maxMessages;
            this.maxTokens = 0;
            this.estimator = null;
            return this;
        }

        /**
         * A window of the latest messages that fit a token budget, as
         * {@code TokenWindowChatMemory}'s (the system message is kept even if it alone is over).
         * Replaces a message count set before.
         *
         * @param maxTokens at least 1
         * @param estimator counts the tokens of messages; called on every read
         * @return this builder
         */
        public Builder maxTokens(int maxTokens, TokenCountEstimator estimator) {
            if (maxTokens < 1) {
                throw new IllegalArgumentException("maxTokens: must be at least 1, got " + maxTokens);
            }
            this.estimator = Objects.requireNonNull(estimator, "estimator");
            this.maxTokens = maxTokens;
            this.maxMessages = 0;
            return this;
        }

        /**
         * How a memory id becomes a session id: see {@link MemoriaChatMemoryStore.Builder#sessionIds}.
         *
         * @param sessionIds the mapping; must give a valid session id
         * @return this builder
         */
        public Builder sessionIds(Function<Object, String> sessionIds) {
            this.sessionIds = Objects.requireNonNull(sessionIds, "sessionIds");
            return this;
        }

        /**
         * @param agentId the agent id of the conversation's log run (default {@code "langchain4j"})
         * @return this builder
         */
        public Builder agentId(String agentId) {
            this.agentId = Objects.requireNonNull(agentId, "agentId");
            return this;
        }

        /**
         * What {@link MemoriaChatMemory#clear()} does.
         *
         * @param keepHistory false (the default): purge the session, its log and events; true:
         *     empty the window only, keeping the history in the log
         * @return this builder
         */
        public Builder keepHistoryOnClear(boolean keepHistory) {
            this.keepHistoryOnClear = keepHistory;
            return this;
        }

        /**
         * @return the memory; nothing is read or written yet
         * @throws IllegalStateException if neither a message count nor a token budget was set
         * @throws IllegalArgumentException if the id makes no valid session id, or the agent id is invalid
         */
        public MemoriaChatMemory build() {
            check();
            return new MemoriaChatMemory(this);
        }

        /** @return the options, for a {@code toString} */
        String describe() {
            return (maxTokens > 0 ? maxTokens + " tokens" : maxMessages + " messages") + ", agent " + agentId
                    + (sessionIds == Conversations.STRING_VALUE ? "" : ", custom session ids")
                    + ", clear " + (keepHistoryOnClear ? "keeps the history" : "purges the session");
        }

        void check() {
            if (maxMessages == 0 && maxTokens == 0) {
                throw new IllegalStateException("set maxMessages(int) or maxTokens(int, TokenCountEstimator): the window's size");
            }
            Checks.id(agentId, "agentId");
        }
    }
}
