package dev.memoria.springai;

import dev.memoria.Limits;
import dev.memoria.Stores;
import dev.memoria.context.Conversation;
import dev.memoria.context.Summary;
import dev.memoria.memory.EventType;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.memory.MessageWindowChatMemory;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.util.Assert;

/**
 * A native Spring AI {@link ChatMemory} on Memoria: {@link #add} appends to the conversation's log
 * and never rewrites it, {@link #get} reads the window from the end of the log. Where
 * {@link MessageWindowChatMemory} reads, trims and saves the whole window on every message, this
 * one costs one append per {@code add} and a read of about {@code maxMessages} messages per
 * {@code get}, whatever the conversation's length; the full history stays in the log.
 *
 * <pre>{@code
 * ChatMemory memory = MemoriaChatMemory.builder(stores).maxMessages(20).build();
 * ChatClient client = ChatClient.builder(chatModel)
 *         .defaultAdvisors(MessageChatMemoryAdvisor.builder(memory).build())
 *         .build();
 * }</pre>
 *
 * <h2>What {@code get} returns</h2>
 * At most {@code maxMessages} messages (default 20, like {@code MessageWindowChatMemory}),
 * oldest first:
 * <ol>
 *   <li>the latest {@link SystemMessage} added since the conversation was last cleared, first,
 *       even when it is older than the other messages returned (as {@code MessageWindowChatMemory}
 *       never evicts system messages and lets a new one replace the old); older system messages
 *       are not returned;
 *   <li>then the latest other messages. When older ones are left out, the window starts at a
 *       {@link UserMessage} (whole turns, as {@code MessageWindowChatMemory} cuts) or, when those
 *       messages hold no user message (one long tool loop), at the first that is not a
 *       {@link ToolResponseMessage}: a tool response is never returned without the assistant
 *       message that asked for it;
 *   <li>an {@link AssistantMessage} with tool calls is returned only with the tool response that
 *       follows it, or as the last message (its response is being computed: that is how
 *       {@code MessageChatMemoryAdvisor} reads memory inside the tool-calling loop). One followed
 *       by anything else (its process died while the tool ran, say) is left out, since models
 *       refuse tool calls without their results.
 * </ol>
 *
 * <h2>A compacted or rewound conversation</h2>
 * The conversation is a Memoria session, so {@link dev.memoria.context.Context} works on it, and
 * {@code get} reads the session's context view: once the session was compacted
 * ({@code Context.compact}), the first message is one {@link SystemMessage} holding the latest
 * system message's text (and metadata), if there is one, then a blank line and
 * {@value Conversation#SUMMARY_INTRO} with the summary's text; then come only the messages after
 * what the summary covers, by the rules above, the system message counted in {@code maxMessages}.
 * The summary's cut is the window's start, not a cut of the window: the messages after it are
 * returned from the first (a tool response first is left out, as ever). Messages a
 * {@code Context.rewind} hid are left out, system messages included. The view works on events, a
 * memory on messages: a message of which the view shows any event is returned whole. {@code add}
 * still appends (what is added shows after the cut) and nothing is deleted.
 *
 * <h2>The rest</h2>
 * {@link #clear} does what the repository's delete does: purges the session, its log and every
 * event by default, or only empties the window with {@link Builder#keepHistoryOnDelete(boolean)}.
 * Concurrent {@code add}s all land, in some order. Arguments are checked as
 * {@code MessageWindowChatMemory} checks them (same exceptions, same messages); conversation ids,
 * mapping, and what cannot be stored as in {@link MemoriaChatMemoryRepository}. To keep the
 * tool calls and results of a {@code ChatClient}'s tool loop, order the memory advisor inside the
 * loop (see the module's README).
 *
 * <p>Immutable and thread-safe. The caller owns the {@link Stores} and closes them.
 */
public final class MemoriaChatMemory implements ChatMemory {
    /** The default window, as {@code MessageWindowChatMemory}'s. */
    public static final int DEFAULT_MAX_MESSAGES = 20;

    private final Conversations conversations;
    private final int maxMessages;

    private MemoriaChatMemory(Conversations conversations, int maxMessages) {
        this.conversations = conversations;
        this.maxMessages = maxMessages;
    }

    /**
     * @param stores where conversations live; not closed by the memory
     * @return a builder with the defaults: {@value #DEFAULT_MAX_MESSAGES} messages, conversation
     *     id = session id, agent id {@code spring-ai}, a clear purges
     */
    public static Builder builder(Stores stores) {
        return new Builder(stores);
    }

    /**
     * Appends the messages to the conversation's log, in one append when they fit; nothing is
     * compared or rewritten, so concurrent adds all land.
     *
     * @param conversationId the conversation, created on its first add
     * @param messages the messages, oldest first
     * @throws IllegalArgumentException if an argument is invalid or a message cannot be stored
     *     exactly; nothing is written then
     * @throws dev.memoria.SessionEndedException if the conversation's session was ended
     */
    @Override
    public void add(String conversationId, List<Message> messages) {
        Assert.hasText(conversationId, "conversationId cannot be null or empty");
        Assert.notNull(messages, "messages cannot be null");
        Assert.noNullElements(messages, "messages cannot contain null elements");
        Conversation conversation = conversations.of(conversationId);
        conversation.append(MessageMapper.toMemoria(messages));
    }

    /**
     * @param conversationId the conversation
     * @return its window as the class comment says, oldest first, as a new mutable list; empty
     *     for an unknown conversation
     */
    @Override
    public List<Message> get(String conversationId) {
        Assert.hasText(conversationId, "conversationId cannot be null or empty");
        Conversation conversation = conversations.of(conversationId);
        Optional<Message> system = conversation.latestInViewWith(EventType.SYSTEM_MESSAGE).flatMap(MessageMapper::toSpring);
        Latest latest = latestOthers(conversation, maxMessages, system.isPresent());
        List<Message> out = new ArrayList<>(maxMessages);
        if (latest.summary().isPresent()) {
            out.add(withSummary(system.orElse(null), latest.summary().get()));
        } else {
            system.ifPresent(out::add);
        }
        out.addAll(window(latest));
        return out;
    }

    /** The one system message of a compacted conversation: its own system message's text (and metadata), then the summary. */
    private static Message withSummary(Message own, Summary summary) {
        String text = Conversation.withSummary(own == null ? null : own.getText(), summary);
        return own == null ? new SystemMessage(text) : SystemMessage.builder().text(text).metadata(own.getMetadata()).build();
    }

    /**
     * The latest messages that are not system messages, after what the session's summary covers
     * and without those a rewind hid (fewer if the view has fewer): as many as fit beside the
     * system message, which a summary makes, and whether older ones were left out.
     */
    private static Latest latestOthers(Conversation conversation, int maxMessages, boolean system) {
        // one more than needed tells whether the window goes further back
        int read = Math.min(Limits.MAX_PAGE_SIZE, maxMessages + 1);
        while (true) {
            Conversation.Viewed viewed = conversation.latestInView(read);
            int budget = maxMessages - (system || viewed.summary().isPresent() ? 1 : 0);
            List<Conversation.Message> tail = viewed.messages();
            List<Message> others = new ArrayList<>(tail.size());
            for (Message m : MessageMapper.toSpring(tail)) {
                if (!(m instanceof SystemMessage)) {
                    others.add(m);
                }
            }
            boolean whole = tail.size() < read;
            if (others.size() > budget || whole || read == Limits.MAX_PAGE_SIZE) {
                boolean cut = !whole || others.size() > budget;
                return new Latest(others.subList(Math.max(0, others.size() - budget), others.size()), cut, viewed.summary());
            }
            // system messages took places: read further back
            read = Math.min(Limits.MAX_PAGE_SIZE, read * 2);
        }
    }

    /** The latest messages, whether older ones were cut off, and the summary in effect. */
    record Latest(List<Message> messages, boolean cut, Optional<Summary> summary) {
    }

    /** Applies the cut and tool-pair rules of the class comment to the latest messages. */
    static List<Message> window(Latest latest) {
        List<Message> messages = latest.messages();
        int start = 0;
        if (latest.cut()) {
            while (start < messages.size() && !(messages.get(start) instanceof UserMessage)) {
                start++;
            }
        }
        if (start == messages.size() || !latest.cut()) {
            start = 0;
        }
        while (start < messages.size() && messages.get(start) instanceof ToolResponseMessage) {
            start++;
        }
        List<Message> out = new ArrayList<>(messages.size() - start);
        for (int i = start; i < messages.size(); i++) {
            Message m = messages.get(i);
            boolean last = i == messages.size() - 1;
            if (m instanceof AssistantMessage a && a.hasToolCalls() && !last
                    && !(messages.get(i + 1) instanceof ToolResponseMessage)) {
                continue;
            }
            out.add(m);
        }
        return out;
    }

    /**
     * Purges the conversation (session, log, events), or with
     * {@link Builder#keepHistoryOnDelete(boolean)} only empties its window. An unknown id does nothing.
     *
     * @param conversationId the conversation
     */
    @Override
    public void clear(String conversationId) {
        Assert.hasText(conversationId, "conversationId cannot be null or empty");
        conversations.delete(conversationId);
    }

    /** @return the most messages {@link #get} returns */
    public int maxMessages() {
        return maxMessages;
    }

    @Override
    public String toString() {
        return "MemoriaChatMemory[" + maxMessages + " messages, " + conversations + "]";
    }

    /** Options of a {@link MemoriaChatMemory}; not thread-safe, build once. */
    public static final class Builder {
        private final Conversations.Options options;
        private int maxMessages = DEFAULT_MAX_MESSAGES;

        private Builder(Stores stores) {
            this.options = new Conversations.Options(stores);
        }

        /**
         * How many messages {@link MemoriaChatMemory#get} returns at most, the system message
         * included. Default {@value MemoriaChatMemory#DEFAULT_MAX_MESSAGES}.
         *
         * @param maxMessages 1 to {@value Limits#MAX_PAGE_SIZE}
         * @return this builder
         */
        public Builder maxMessages(int maxMessages) {
            if (maxMessages < 1 || maxMessages > Limits.MAX_PAGE_SIZE) {
                throw new IllegalArgumentException("maxMessages: 1 to " + Limits.MAX_PAGE_SIZE + ", got " + maxMessages);
            }
            this.maxMessages = maxMessages;
            return this;
        }

        /**
         * As {@link MemoriaChatMemoryRepository.Builder#agentId(String)}. Default {@code spring-ai}:
         * the native memory and the repository with the same agent id see the same conversations.
         *
         * @param agentId a Memoria id
         * @return this builder
         */
        public Builder agentId(String agentId) {
            options.agentId(agentId);
            return this;
        }

        /**
         * As {@link MemoriaChatMemoryRepository.Builder#sessionIds(UnaryOperator, UnaryOperator)}.
         *
         * @param toSessionId conversation id to session id
         * @param toConversationId session id to conversation id
         * @return this builder
         */
        public Builder sessionIds(UnaryOperator<String> toSessionId, UnaryOperator<String> toConversationId) {
            options.sessionIds(toSessionId, toConversationId);
            return this;
        }

        /**
         * What {@link MemoriaChatMemory#clear} does: false (the default) purges the session, its
         * log and every event; true keeps the history and only empties the window.
         *
         * @param keep whether a clear keeps the history
         * @return this builder
         */
        public Builder keepHistoryOnDelete(boolean keep) {
            options.keepHistoryOnDelete = keep;
            return this;
        }

        /** @return the memory */
        public MemoriaChatMemory build() {
            return new MemoriaChatMemory(new Conversations(options), maxMessages);
        }

        @Override
        public String toString() {
            return "MemoriaChatMemory.Builder[" + maxMessages + " messages, agent " + options.agentId + "]";
        }
    }
}
