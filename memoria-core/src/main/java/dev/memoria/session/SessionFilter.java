package dev.memoria.session;

import dev.memoria.Limits;
import dev.memoria.internal.Checks;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What {@link SessionStore#list(SessionFilter)} returns: the sessions for which every given
 * condition holds, in the order asked for (newest first by default), one page at a time.
 * Immutable: each method returns a new filter. The same scheme as {@link dev.memoria.run.RunFilter}
 * and {@link dev.memoria.memory.EventQuery}: one value per single-value condition, varargs or a
 * {@code Set} for a multi-value one, {@code label}/{@code labels}, {@code …After}/{@code …Before}
 * time bounds (exclusive), {@code orderBy}, {@code limit}, {@code cursor}.
 *
 * <pre>{@code
 * SessionFilter chats = SessionFilter.all().userId("ada").statuses(SessionStatus.ACTIVE)
 *         .orderBy(SessionOrder.RECENTLY_ACTIVE_FIRST).limit(20);
 * Page<Session> page = sessions.list(chats);
 * Page<Session> next = sessions.list(chats.cursor(page.nextCursor()));
 * }</pre>
 */
public final class SessionFilter {
    private static final SessionFilter ALL = new SessionFilter(null, Set.of(), Map.of(), null, null, null, null, null, null,
            SessionOrder.NEWEST_FIRST, Limits.DEFAULT_PAGE_SIZE, null);

    private final String userId;
    private final Set<SessionStatus> statuses;
    private final Map<String, String> labels;
    private final Instant createdAfter;
    private final Instant createdBefore;
    private final Instant updatedAfter;
    private final Instant updatedBefore;
    private final Instant lastActivityAfter;
    private final Instant lastActivityBefore;
    private final SessionOrder order;
    private final int limit;
    private final String cursor;

    private SessionFilter(String userId, Set<SessionStatus> statuses, Map<String, String> labels, Instant createdAfter,
                          Instant createdBefore, Instant updatedAfter, Instant updatedBefore, Instant lastActivityAfter,
                          Instant lastActivityBefore, SessionOrder order, int limit, String cursor) {
        this.userId = userId;
        this.statuses = statuses;
        this.labels = labels;
        this.createdAfter = createdAfter;
        this.createdBefore = createdBefore;
        this.updatedAfter = updatedAfter;
        this.updatedBefore = updatedBefore;
        this.lastActivityAfter = lastActivityAfter;
        this.lastActivityBefore = lastActivityBefore;
        this.order = order;
        this.limit = limit;
        this.cursor = cursor;
    }

    /** @return a filter that matches every session, newest first, first page of {@value Limits#DEFAULT_PAGE_SIZE} */
    public static SessionFilter all() {
        return ALL;
    }

    /**
     * @param userId only sessions of this user
     * @return a new filter
     */
    public SessionFilter userId(String userId) {
        return new SessionFilter(Checks.id(userId, "userId"), statuses, labels, createdAfter, createdBefore, updatedAfter,
                updatedBefore, lastActivityAfter, lastActivityBefore, order, limit, cursor);
    }

    /**
     * @param first a status
     * @param more more statuses; a session in any of them matches
     * @return a new filter
     */
    public SessionFilter statuses(SessionStatus first, SessionStatus... more) {
        EnumSet<SessionStatus> set = EnumSet.of(Objects.requireNonNull(first, "statuses"));
        for (SessionStatus s : more) {
            set.add(Objects.requireNonNull(s, "statuses"));
        }
        return statuses(set);
    }

    /**
     * @param statuses the statuses to match; empty means any
     * @return a new filter
     */
    public SessionFilter statuses(Set<SessionStatus> statuses) {
        Objects.requireNonNull(statuses, "statuses").forEach(s -> Objects.requireNonNull(s, "statuses"));
        return new SessionFilter(userId, Set.copyOf(statuses), labels, createdAfter, createdBefore, updatedAfter,
                updatedBefore, lastActivityAfter, lastActivityBefore, order, limit, cursor);
    }

    /**
     * @param key a label key
     * @param value the value it must have; all labels given must match
     * @return a new filter
     */
    public SessionFilter label(String key, String value) {
        return labels(Map.of(Objects.requireNonNull(key, "labels: a key is null"),
                Objects.requireNonNull(value, "labels[" + key + "]: value is null")));
    }

    /**
     * @param labels labels that must all match, in addition to those given before
     * @return a new filter
     */
    public SessionFilter labels(Map<String, String> labels) {
        Map<String, String> all = new LinkedHashMap<>(this.labels);
        all.putAll(Objects.requireNonNull(labels, "labels"));
        return new SessionFilter(userId, statuses, Checks.labels(all, "labels"), createdAfter, createdBefore, updatedAfter,
                updatedBefore, lastActivityAfter, lastActivityBefore, order, limit, cursor);
    }

    /**
     * @param instant only sessions created strictly after it
     * @return a new filter
     */
    public SessionFilter createdAfter(Instant instant) {
        return new SessionFilter(userId, statuses, labels, millis(instant, "createdAfter"), createdBefore, updatedAfter,
                updatedBefore, lastActivityAfter, lastActivityBefore, order, limit, cursor);
    }

    /**
     * @param instant only sessions created strictly before it
     * @return a new filter
     */
    public SessionFilter createdBefore(Instant instant) {
        return new SessionFilter(userId, statuses, labels, createdAfter, millis(instant, "createdBefore"), updatedAfter,
                updatedBefore, lastActivityAfter, lastActivityBefore, order, limit, cursor);
    }

    /**
     * @param instant only sessions whose record last changed strictly after it
     * @return a new filter
     */
    public SessionFilter updatedAfter(Instant instant) {
        return new SessionFilter(userId, statuses, labels, createdAfter, createdBefore, millis(instant, "updatedAfter"),
                updatedBefore, lastActivityAfter, lastActivityBefore, order, limit, cursor);
    }

    /**
     * @param instant only sessions whose record last changed strictly before it
     * @return a new filter
     */
    public SessionFilter updatedBefore(Instant instant) {
        return new SessionFilter(userId, statuses, labels, createdAfter, createdBefore, updatedAfter,
                millis(instant, "updatedBefore"), lastActivityAfter, lastActivityBefore, order, limit, cursor);
    }

    /**
     * @param instant only sessions with activity (a run or an event) strictly after it
     * @return a new filter
     * @see Session#lastActivityAt()
     */
    public SessionFilter lastActivityAfter(Instant instant) {
        return new SessionFilter(userId, statuses, labels, createdAfter, createdBefore, updatedAfter, updatedBefore,
                millis(instant, "lastActivityAfter"), lastActivityBefore, order, limit, cursor);
    }

    /**
     * @param instant only sessions without activity since it (for retention: inactive for a while)
     * @return a new filter
     * @see Session#lastActivityAt()
     */
    public SessionFilter lastActivityBefore(Instant instant) {
        return new SessionFilter(userId, statuses, labels, createdAfter, createdBefore, updatedAfter, updatedBefore,
                lastActivityAfter, millis(instant, "lastActivityBefore"), order, limit, cursor);
    }

    /**
     * @param order how the sessions are ordered; {@link SessionOrder#NEWEST_FIRST} by default
     * @return a new filter
     */
    public SessionFilter orderBy(SessionOrder order) {
        return new SessionFilter(userId, statuses, labels, createdAfter, createdBefore, updatedAfter, updatedBefore,
                lastActivityAfter, lastActivityBefore, Objects.requireNonNull(order, "order"), limit, cursor);
    }

    /**
     * @param limit page size, 1 to {@value Limits#MAX_PAGE_SIZE}
     * @return a new filter
     */
    public SessionFilter limit(int limit) {
        return new SessionFilter(userId, statuses, labels, createdAfter, createdBefore, updatedAfter, updatedBefore,
                lastActivityAfter, lastActivityBefore, order, Checks.pageSize(limit, "limit"), cursor);
    }

    /**
     * @param cursor the {@code nextCursor} of the previous page, or null for the first page
     * @return a new filter
     */
    public SessionFilter cursor(String cursor) {
        return new SessionFilter(userId, statuses, labels, createdAfter, createdBefore, updatedAfter, updatedBefore,
                lastActivityAfter, lastActivityBefore, order, limit, cursor);
    }

    private static Instant millis(Instant instant, String name) {
        return Objects.requireNonNull(instant, name).truncatedTo(ChronoUnit.MILLIS);
    }

    /** @return the user asked for, or null */
    public String userId() {
        return userId;
    }

    /** @return the statuses asked for; empty means any */
    public Set<SessionStatus> statuses() {
        return statuses;
    }

    /** @return labels that must all match */
    public Map<String, String> labels() {
        return labels;
    }

    /** @return the exclusive lower bound on createdAt, or null */
    public Instant createdAfter() {
        return createdAfter;
    }

    /** @return the exclusive upper bound on createdAt, or null */
    public Instant createdBefore() {
        return createdBefore;
    }

    /** @return the exclusive lower bound on updatedAt, or null */
    public Instant updatedAfter() {
        return updatedAfter;
    }

    /** @return the exclusive upper bound on updatedAt, or null */
    public Instant updatedBefore() {
        return updatedBefore;
    }

    /** @return the exclusive lower bound on lastActivityAt, or null */
    public Instant lastActivityAfter() {
        return lastActivityAfter;
    }

    /** @return the exclusive upper bound on lastActivityAt, or null */
    public Instant lastActivityBefore() {
        return lastActivityBefore;
    }

    /** @return the order */
    public SessionOrder order() {
        return order;
    }

    /** @return the page size */
    public int limit() {
        return limit;
    }

    /** @return the cursor to resume from, or null */
    public String cursor() {
        return cursor;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("SessionFilter[");
        if (userId != null) {
            b.append("user ").append(Checks.shorten(userId)).append(", ");
        }
        if (!statuses.isEmpty()) {
            b.append(statuses).append(", ");
        }
        if (!labels.isEmpty()) {
            b.append(labels.size()).append(" labels, ");
        }
        b.append(order).append(", limit ").append(limit);
        return b.append(cursor == null ? "" : ", after cursor").append(']').toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SessionFilter f && Objects.equals(f.userId, userId) && f.statuses.equals(statuses)
                && f.labels.equals(labels) && Objects.equals(f.createdAfter, createdAfter)
                && Objects.equals(f.createdBefore, createdBefore) && Objects.equals(f.updatedAfter, updatedAfter)
                && Objects.equals(f.updatedBefore, updatedBefore) && Objects.equals(f.lastActivityAfter, lastActivityAfter)
                && Objects.equals(f.lastActivityBefore, lastActivityBefore) && f.order == order && f.limit == limit
                && Objects.equals(f.cursor, cursor);
    }

    @Override
    public int hashCode() {
        return Objects.hash(userId, statuses, labels, createdAfter, createdBefore, updatedAfter, updatedBefore,
                lastActivityAfter, lastActivityBefore, order, limit, cursor);
    }
}
