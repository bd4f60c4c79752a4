package dev.memoria.langchain4j;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.store.memory.chat.ChatMemoryStore;
import dev.memoria.SessionEndedException;
import dev.memoria.Stores;
import dev.memoria.context.Conversation;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * A LangChain4j {@link ChatMemoryStore} on Memoria: give it to {@code MessageWindowChatMemory} or
 * {@code TokenWindowChatMemory} and their window is kept durably, on any Memoria backend, while
 * the full history (everything ever written, what the window dropped included) stays readable in
 * the conversation's log.
 *
 * <pre>{@code
 * ChatMemoryStore store = MemoriaChatMemoryStore.create(stores);
 * ChatMemory memory = MessageWindowChatMemory.builder().id("user-42").maxMessages(20).chatMemoryStore(store).build();
 * }</pre>
 *
 * <h2>What it does with LangChain4j's calls</h2>
 * A memory id is a Memoria {@link Conversation}: a session (by default the id's
 * {@code String.valueOf}), whose log run holds every message. LangChain4j hands the store its
 * whole window on every write; {@link #updateMessages} compares it with the stored window and
 * appends only the new messages, plus one small marker when the window's start moved: a write
 * costs what changed, however long the conversation, and nothing is ever deleted by it.
 * {@link #getMessages} returns the window, each message {@code equals()} to the one written
 * (tool calls and results, thinking, user names, contents and media, attributes with their Java
 * types). {@link #deleteMessages} purges the session by default, as the interface promises; an
 * option keeps the history and only empties the window.
 *
 * <h2>Two writers</h2>
 * Writes are compare-and-append: of two processes or threads updating one memory id at once, the
 * second compares again with what the first stored and appends its own difference. No message is
 * lost from the history, and the window read afterwards is one writer's list, never a mix.
 *
 * <h2>Compared with {@code InMemoryChatMemoryStore}</h2>
 * Same results for the same calls: an unknown id has an empty list, the order is kept, a null id or
 * list is a {@link NullPointerException}. Besides: a null message in a list is refused (naming its
 * index), and a message that cannot be stored is refused whole with an
 * {@link IllegalArgumentException} naming the message and the field: a subclass of a message or
 * content class, an attribute value that is not JSON-like (see {@link MemoriaChatMemory}), text
 * with the NUL character, or one event over Memoria's limit of 1 MiB of JSON (a large inline image,
 * say). The list returned is a new, mutable list.
 *
 * <p>Thread-safe; holds no state but its options. Closing the {@link Stores} is the caller's job.
 */
public final class MemoriaChatMemoryStore implements ChatMemoryStore {
    private final Conversations conversations;
    private final boolean keepHistoryOnDelete;

    private MemoriaChatMemoryStore(Builder b) {
        this.conversations = new Conversations(b.stores, b.sessionIds, b.agentId);
        this.keepHistoryOnDelete = b.keepHistoryOnDelete;
    }

    /**
     * A store with the default options: session id = {@code String.valueOf(memoryId)}, agent id
     * {@code "langchain4j"}, {@link #deleteMessages} purges the session.
     *
     * @param stores where the conversations live; the caller closes them
     * @return the store
     */
    public static MemoriaChatMemoryStore create(Stores stores) {
        return builder(stores).build();
    }

    /**
     * @param stores where the conversations live; the caller closes them
     * @return a builder of a store with other options
     */
    public static Builder builder(Stores stores) {
        return new Builder(stores);
    }

    /**
     * The chat memory's current window: the list the last {@link #updateMessages} was given.
     *
     * @param memoryId the chat memory's id
     * @return a new mutable list, oldest first; empty for an id never written or deleted
     * @throws NullPointerException if {@code memoryId} is null
     * @throws IllegalArgumentException if it maps to no valid session id
     */
    @Override
    public List<ChatMessage> getMessages(Object memoryId) {
        return MessageMapper.decodeAll(conversations.of(memoryId).window());
    }

    /**
     * Makes {@code messages} the window, writing only what changed; an empty list empties the
     * window and keeps the history.
     *
     * @param memoryId the chat memory's id
     * @param messages its whole current list, oldest first
     * @throws NullPointerException if an argument or a message is null
     * @throws IllegalArgumentException if a message cannot be stored (nothing is written then)
     * @throws SessionEndedException if the conversation's session was ended with Memoria's API
     */
    @Override
    public void updateMessages(Object memoryId, List<ChatMessage> messages) {
        Conversation conversation = conversations.of(memoryId);
        Objects.requireNonNull(messages, "messages");
        conversation.replaceWindow(MessageMapper.encodeAll(messages, "messages"));
    }

    /**
     * Purges the conversation's session, its log and every event (the default); or, with
     * {@link Builder#keepHistoryOnDelete(boolean) keepHistoryOnDelete(true)}, empties the window and
     * keeps the history. Either way {@link #getMessages} is empty afterwards, and a later write
     * starts a new window.
     *
     * @param memoryId the chat memory's id
     * @throws NullPointerException if {@code memoryId} is null
     */
    @Override
    public void deleteMessages(Object memoryId) {
        Conversation conversation = conversations.of(memoryId);
        if (keepHistoryOnDelete) {
            conversation.clearWindow();
        } else {
            conversation.delete();
        }
    }

    /**
     * The conversation a memory id is stored in, for what LangChain4j does not offer: its full
     * history is the log {@link Conversation#log()} (read it with {@code stores.memory()}, or
     * {@code memoria show <session>}).
     *
     * @param memoryId the chat memory's id
     * @return its conversation; nothing is read or written
     */
    public Conversation conversation(Object memoryId) {
        return conversations.of(memoryId);
    }

    @Override
    public String toString() {
        return "MemoriaChatMemoryStore[" + conversations + ", deleteMessages "
                + (keepHistoryOnDelete ? "keeps the history" : "purges the session") + "]";
    }

    /** Options of a {@link MemoriaChatMemoryStore}. Not thread-safe; {@link #build()} copies them. */
    public static final class Builder {
        private final Stores stores;
        private Function<Object, String> sessionIds = Conversations.STRING_VALUE;
        private String agentId = Conversations.DEFAULT_AGENT_ID;
        private boolean keepHistoryOnDelete;

        private Builder(Stores stores) {
            this.stores = Objects.requireNonNull(stores, "stores");
        }

        /**
         * How a memory id becomes a session id. The default, {@code String.valueOf(memoryId)},
         * refuses an id whose string is blank, longer than 255 characters or has control
         * characters; a mapping can hash such ids, or add a prefix per application. Two memory ids
         * with the same session id share one conversation (as {@code 42} and {@code "42"} do by
         * default).
         *
         * @param sessionIds the mapping, called on every operation; must give a valid session id
         * @return this builder
         */
        public Builder sessionIds(Function<Object, String> sessionIds) {
            this.sessionIds = Objects.requireNonNull(sessionIds, "sessionIds");
            return this;
        }

        /**
         * @param agentId the agent id of the conversations' log runs (default {@code "langchain4j"});
         *     sessions created are labelled {@link Conversation#CONVERSATION_LABEL} = this id
         * @return this builder
         */
        public Builder agentId(String agentId) {
            this.agentId = Objects.requireNonNull(agentId, "agentId");
            return this;
        }

        /**
         * What {@link #deleteMessages} does (and so {@code ChatMemory.clear()} over this store).
         *
         * @param keepHistory false (the default): purge the session, its log and events, as the
         *     interface promises; true: empty the window only, keeping the history in the log
         * @return this builder
         */
        public Builder keepHistoryOnDelete(boolean keepHistory) {
            this.keepHistoryOnDelete = keepHistory;
            return this;
        }

        /**
         * @return the store
         * @throws IllegalArgumentException if the agent id is not a valid id
         */
        public MemoriaChatMemoryStore build() {
            return new MemoriaChatMemoryStore(this);
        }
    }
}
