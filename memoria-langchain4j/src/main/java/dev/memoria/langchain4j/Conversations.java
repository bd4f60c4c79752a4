package dev.memoria.langchain4j;

import dev.memoria.Stores;
import dev.memoria.context.Conversation;
import dev.memoria.spi.Checks;
import java.util.Objects;
import java.util.function.Function;

/**
 * What the store and the chat memory share: how a LangChain4j memory id becomes a conversation
 * (a session id, and the agent id of its log), each kept a while so that it remembers its window. Thread-safe.
 */
final class Conversations {
    /** The agent id of a log when none is given. */
    static final String DEFAULT_AGENT_ID = "langchain4j";
    /** The default mapping: the memory id's string form, as LangChain4j's own stores key it. */
    static final Function<Object, String> STRING_VALUE = String::valueOf;

    private final Stores stores;
    private final Function<Object, String> sessionIds;
    private final boolean customMapping;
    private final String agentId;
    /** Conversations kept between calls, so that each remembers its window: bounded for servers with many. */
    private final Conversation.Cache cache;

    Conversations(Stores stores, Function<Object, String> sessionIds, String agentId) {
        this.stores = Objects.requireNonNull(stores, "stores");
        this.sessionIds = Objects.requireNonNull(sessionIds, "sessionIds");
        this.customMapping = sessionIds != STRING_VALUE;
        this.agentId = Checks.id(agentId, "agentId");
        this.cache = new Conversation.Cache(stores, this.agentId, 256);
    }

    Stores stores() {
        return stores;
    }

    String agentId() {
        return agentId;
    }

    /**
     * @param memoryId a LangChain4j memory id
     * @return its conversation (nothing read or written yet)
     * @throws NullPointerException if {@code memoryId} is null
     * @throws IllegalArgumentException if it maps to no valid session id
     */
    Conversation of(Object memoryId) {
        Objects.requireNonNull(memoryId, "memoryId");
        String sessionId = sessionIds.apply(memoryId);
        if (sessionId == null) {
            throw new IllegalArgumentException("memoryId: the sessionIds mapping gave null for '"
                    + Checks.shorten(String.valueOf(memoryId)) + "'");
        }
        try {
            Checks.id(sessionId, "session id");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("memoryId: '" + Checks.shorten(String.valueOf(memoryId))
                    + "' does not make a valid session id (" + e.getMessage() + ")"
                    + (customMapping ? "; the builder's sessionIds mapping made it"
                            : "; give the builder a sessionIds mapping to valid ids (for example a hash of long ids)"), e);
        }
        return cache.get(sessionId);
    }

    @Override
    public String toString() {
        return "agent " + agentId + (customMapping ? ", custom session ids" : "");
    }
}
