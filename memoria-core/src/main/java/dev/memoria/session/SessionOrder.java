package dev.memoria.session;

/** How {@link SessionStore#list(SessionFilter)} orders sessions; ties are broken by id. */
public enum SessionOrder {
    /** Most recently created first: (createdAt, id) descending. The default. */
    NEWEST_FIRST,
    /** First created first: (createdAt, id) ascending. */
    OLDEST_FIRST,
    /**
     * Most recent activity first: (lastActivityAt, id) descending, as a chat application lists a
     * user's conversations by their last message.
     */
    RECENTLY_ACTIVE_FIRST
}
