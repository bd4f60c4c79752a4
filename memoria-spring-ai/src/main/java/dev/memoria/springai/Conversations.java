package dev.memoria.springai;

import dev.memoria.Limits;
import dev.memoria.Page;
import dev.memoria.Stores;
import dev.memoria.context.Conversation;
import dev.memoria.session.Session;
import dev.memoria.session.SessionFilter;
import dev.memoria.spi.Checks;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * What the repository and the native memory share: the stores, the agent id, how conversation ids
 * map to session ids, what a delete does, and a small cache of {@link Conversation}s (each
 * remembers that its log's run exists, which saves a read per write). Immutable but for the
 * cache; thread-safe.
 */
final class Conversations {
    /** Conversations kept at once: enough for the ones a process is busy with, bounded for servers with many. */
    private static final int CACHE_SIZE = 256;

    final Stores stores;
    final String agentId;
    private final UnaryOperator<String> toSessionId;
    private final UnaryOperator<String> toConversationId;
    private final boolean identity;
    final boolean keepHistoryOnDelete;
    private final int listPageSize;
    private final Conversation.Cache cache;

    Conversations(Options options) {
        this.stores = Objects.requireNonNull(options.stores, "stores");
        this.agentId = options.agentId;
        this.identity = options.toSessionId == null;
        this.toSessionId = identity ? UnaryOperator.identity() : options.toSessionId;
        this.toConversationId = identity ? UnaryOperator.identity() : options.toConversationId;
        this.keepHistoryOnDelete = options.keepHistoryOnDelete;
        this.listPageSize = options.listPageSize;
        this.cache = new Conversation.Cache(stores, agentId, CACHE_SIZE);
    }

    /** The builders' shared, mutable settings; checked as they are set. */
    static final class Options {
        final Stores stores;
        String agentId = "spring-ai";
        UnaryOperator<String> toSessionId;
        UnaryOperator<String> toConversationId;
        boolean keepHistoryOnDelete;
        int listPageSize = Limits.MAX_PAGE_SIZE;

        Options(Stores stores) {
            this.stores = Objects.requireNonNull(stores, "stores");
        }

        void agentId(String agentId) {
            this.agentId = Checks.id(agentId, "agentId");
        }

        void sessionIds(UnaryOperator<String> toSessionId, UnaryOperator<String> toConversationId) {
            this.toSessionId = Objects.requireNonNull(toSessionId, "toSessionId");
            this.toConversationId = Objects.requireNonNull(toConversationId, "toConversationId");
        }

        void listPageSize(int size) {
            if (size < 1 || size > Limits.MAX_PAGE_SIZE) {
                throw new IllegalArgumentException("listPageSize: 1 to " + Limits.MAX_PAGE_SIZE + ", got " + size);
            }
            this.listPageSize = size;
        }
    }

    /**
     * @param conversationId a Spring AI conversation id, already checked to have text
     * @return its conversation (no I/O)
     * @throws IllegalArgumentException if it maps to no valid session id, or the mapping does not
     *     give it back
     */
    Conversation of(String conversationId) {
        String sessionId = sessionId(conversationId);
        return cache.get(sessionId);
    }

    private String sessionId(String conversationId) {
        if (identity) {
            return Checks.id(conversationId, "conversationId");
        }
        String sessionId = toSessionId.apply(conversationId);
        if (sessionId == null) {
            throw new IllegalArgumentException("conversationId: the session id mapping gave null for '"
                    + Checks.shorten(conversationId) + "'");
        }
        Checks.id(sessionId, "conversationId: the session id it maps to");
        String back = toConversationId.apply(sessionId);
        if (!conversationId.equals(back)) {
            throw new IllegalArgumentException("conversationId: the session id mapping is not reversible: '"
                    + Checks.shorten(conversationId) + "' maps to '" + Checks.shorten(sessionId) + "', which maps back to "
                    + (back == null ? "null" : "'" + Checks.shorten(back) + "'"));
        }
        return sessionId;
    }

    /**
     * The conversations that hold messages: sessions labelled with the agent id, read a page at a
     * time, leaving out those whose window was emptied. Only sessions labelled empty have their
     * log read (the label is a hint: a write racing a clear can leave it on a filled window).
     */
    List<String> ids() {
        List<String> ids = new ArrayList<>();
        SessionFilter filter = SessionFilter.all().label(Conversation.CONVERSATION_LABEL, agentId).limit(listPageSize);
        Page<Session> page = stores.sessions().list(filter);
        while (true) {
            for (Session s : page.items()) {
                if (s.labels().containsKey(Conversation.EMPTY_LABEL)
                        && Conversation.of(stores, s.id(), agentId).isWindowEmpty()) {
                    continue;
                }
                String id = identity ? s.id() : toConversationId.apply(s.id());
                if (id != null) {
                    ids.add(id);
                }
            }
            if (!page.hasNext()) {
                return ids;
            }
            page = stores.sessions().list(filter.cursor(page.nextCursor()));
        }
    }

    /** A delete: the session purged, or (keeping history) only the window emptied. */
    void delete(String conversationId) {
        Conversation conversation = of(conversationId);
        if (keepHistoryOnDelete) {
            conversation.clearWindow();
        } else {
            conversation.delete();
        }
    }

    @Override
    public String toString() {
        return "agent " + agentId + (identity ? "" : ", mapped session ids")
                + (keepHistoryOnDelete ? ", delete keeps history" : ", delete purges") + ", " + stores;
    }
}
