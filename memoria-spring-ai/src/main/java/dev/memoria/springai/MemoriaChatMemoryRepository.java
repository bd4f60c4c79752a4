package dev.memoria.springai;

import dev.memoria.Stores;
import dev.memoria.context.Conversation;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.springframework.ai.chat.memory.ChatMemoryRepository;
import org.springframework.ai.chat.memory.MessageWindowChatMemory;
import org.springframework.ai.chat.messages.Message;
import org.springframework.util.Assert;

/**
 * Spring AI's {@link ChatMemoryRepository} on Memoria: put it under {@link MessageWindowChatMemory}
 * (or any chat memory built on a repository) and every message ever written stays in the
 * conversation's log, tool calls and results included, while the framework sees its window.
 *
 * <pre>{@code
 * ChatMemory memory = MessageWindowChatMemory.builder()
 *         .chatMemoryRepository(MemoriaChatMemoryRepository.create(stores))
 *         .maxMessages(20)
 *         .build();
 * }</pre>
 *
 * <h2>What each method does</h2>
 * <ul>
 *   <li>A conversation is a Memoria session (id: the conversation id, unless
 *       {@link Builder#sessionIds mapped}) labelled with the agent id; its messages are events of
 *       one run's log (see {@link Conversation}; the mapping of each message type to events is
 *       in the module's README).
 *   <li>{@link #findByConversationId} returns the window: messages {@code equals()} to those
 *       saved, metadata exactly as given. Empty for an unknown conversation.
 *   <li>{@link #saveAll} compares the list with the stored window and appends only what is new
 *       at its end; messages the window dropped at its start stay in the log, and one WINDOW
 *       marker moves the window's start. It costs the messages added plus at most one marker,
 *       whatever the conversation's length, and deletes nothing. {@code saveAll(id, [])} empties
 *       the window and keeps the history: {@link #findConversationIds} no longer lists the
 *       conversation until a message is saved again. (The repository never deletes history on a
 *       save, because {@link MessageWindowChatMemory} itself saves an empty list when one turn is
 *       longer than its window.)
 *   <li>{@link #deleteByConversationId} purges the session, its log and every event (what the
 *       interface promises), or, with {@link Builder#keepHistoryOnDelete(boolean)}, only empties
 *       the window.
 *   <li>{@link #findConversationIds} lists the conversations with messages, newest first, reading
 *       sessions a page at a time: its cost follows the number of conversations, never the number
 *       of messages.
 * </ul>
 *
 * <h2>Concurrency</h2>
 * {@code saveAll} is a compare-and-append: two writers of one conversation (threads or processes)
 * never lose a message from the history; the one that loses the race compares again with what the
 * other stored and appends its own difference, so the window read afterwards is one writer's
 * list, never a mix. A framework's read-modify-write above the repository (such as
 * {@code MessageWindowChatMemory.add}) can still make one writer's window miss the other's
 * latest message; the history has both.
 *
 * <h2>Validation and limits</h2>
 * Null or blank conversation ids, null lists and null elements are refused exactly as Spring AI's
 * {@code InMemoryChatMemoryRepository} refuses them (same exceptions, same messages). In
 * addition, a conversation id must be a valid Memoria id (at most 255 characters, no control
 * characters), unless {@link Builder#sessionIds mapped} to one; a message holding what Memoria
 * cannot store exactly (a metadata value that is not JSON-like, a NUL character, more than 1 MiB
 * of data) is refused with an {@link IllegalArgumentException} naming the message and the field,
 * and nothing of that save is written. Messages of a subclass (a provider's own
 * {@code AssistantMessage}, say) come back as the Spring AI class they extend.
 *
 * <p>Immutable and thread-safe. The caller owns the {@link Stores} and closes them.
 */
public final class MemoriaChatMemoryRepository implements ChatMemoryRepository {
    private final Conversations conversations;

    private MemoriaChatMemoryRepository(Conversations conversations) {
        this.conversations = conversations;
    }

    /**
     * A repository with the defaults: conversation id = session id, agent id {@code spring-ai},
     * a delete purges.
     *
     * @param stores where conversations live; not closed by the repository
     * @return the repository
     */
    public static MemoriaChatMemoryRepository create(Stores stores) {
        return builder(stores).build();
    }

    /**
     * @param stores where conversations live; not closed by the repository
     * @return a builder with the defaults of {@link #create(Stores)}
     */
    public static Builder builder(Stores stores) {
        return new Builder(stores);
    }

    /**
     * @return the ids of the conversations that hold messages (not those emptied by
     *     {@code saveAll(id, [])} or a keep-history delete), newest first; read a page of
     *     sessions at a time, no message read
     */
    @Override
    public List<String> findConversationIds() {
        return conversations.ids();
    }

    /**
     * @param conversationId the conversation
     * @return its window, oldest first, as a new mutable list; empty for an unknown conversation
     * @throws IllegalArgumentException if the id is null or blank, or not a valid (mapped) session id
     */
    @Override
    public List<Message> findByConversationId(String conversationId) {
        Assert.hasText(conversationId, "conversationId cannot be null or empty");
        return new ArrayList<>(MessageMapper.toSpring(conversations.of(conversationId).window()));
    }

    /**
     * Makes {@code messages} the conversation's window, appending only what is new (see the
     * class comment); an empty list empties the window and keeps the history.
     *
     * @param conversationId the conversation, created on its first save
     * @param messages the window, oldest first
     * @throws IllegalArgumentException if an argument is invalid or a message cannot be stored
     *     exactly; nothing is written then
     * @throws dev.memoria.SessionEndedException if the conversation's session was ended
     */
    @Override
    public void saveAll(String conversationId, List<Message> messages) {
        Assert.hasText(conversationId, "conversationId cannot be null or empty");
        Assert.notNull(messages, "messages cannot be null");
        Assert.noNullElements(messages, "messages cannot contain null elements");
        Conversation conversation = conversations.of(conversationId);
        // mapped first: a message that cannot be stored fails the save before anything is written
        List<Conversation.Message> mapped = MessageMapper.toMemoria(messages);
        conversation.replaceWindow(mapped);
    }

    /**
     * Purges the conversation (session, log, events), or with
     * {@link Builder#keepHistoryOnDelete(boolean)} only empties its window. An unknown id does nothing.
     *
     * @param conversationId the conversation
     */
    @Override
    public void deleteByConversationId(String conversationId) {
        Assert.hasText(conversationId, "conversationId cannot be null or empty");
        conversations.delete(conversationId);
    }

    @Override
    public String toString() {
        return "MemoriaChatMemoryRepository[" + conversations + "]";
    }

    /** Options of a {@link MemoriaChatMemoryRepository}; not thread-safe, build once. */
    public static final class Builder {
        private final Conversations.Options options;

        private Builder(Stores stores) {
            this.options = new Conversations.Options(stores);
        }

        /**
         * The agent id of the conversations' log runs and the label that tells this repository's
         * sessions from others in the same stores: two repositories with different agent ids list
         * different conversations. Default {@code spring-ai}.
         *
         * @param agentId a Memoria id
         * @return this builder
         */
        public Builder agentId(String agentId) {
            options.agentId(agentId);
            return this;
        }

        /**
         * How a conversation id maps to the session id that holds it, and back. The default is
         * the identity, which refuses conversation ids that are not valid Memoria ids (longer
         * than 255 characters, or with control characters). Both directions are needed, so that
         * {@link #findConversationIds()} can return the conversation ids; each use checks that
         * {@code toConversationId(toSessionId(id))} gives {@code id} back. A session whose id
         * {@code toConversationId} maps to null is not listed (a tenant prefix, say).
         *
         * @param toSessionId conversation id to session id
         * @param toConversationId session id to conversation id, or null for a session that is
         *     not one of these conversations
         * @return this builder
         */
        public Builder sessionIds(UnaryOperator<String> toSessionId, UnaryOperator<String> toConversationId) {
            options.sessionIds(toSessionId, toConversationId);
            return this;
        }

        /**
         * What {@link #deleteByConversationId} does: false (the default) purges the session, its
         * log and every event; true keeps the history and only empties the window, as
         * {@code saveAll(id, [])} does.
         *
         * @param keep whether a delete keeps the history
         * @return this builder
         */
        public Builder keepHistoryOnDelete(boolean keep) {
            options.keepHistoryOnDelete = keep;
            return this;
        }

        /** For tests: how many sessions one listing page holds. */
        Builder listPageSize(int size) {
            options.listPageSize(size);
            return this;
        }

        /** @return the repository */
        public MemoriaChatMemoryRepository build() {
            return new MemoriaChatMemoryRepository(new Conversations(options));
        }

        @Override
        public String toString() {
            return "MemoriaChatMemoryRepository.Builder[agent " + options.agentId + "]";
        }
    }
}
