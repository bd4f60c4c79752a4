package dev.memoria.session;

import dev.memoria.Limits;
import dev.memoria.spi.Checks;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What {@link SessionStore#list(SessionFilter)} returns: sessions newest first by (createdAt, id),
 * every given condition must hold. Immutable: each method returns a new filter.
 *
 * <pre>{@code
 * Page<Session> page = sessions.list(SessionFilter.all().userId("ada").status(SessionStatus.ACTIVE).limit(20));
 * Page<Session> next = sessions.list(filter.cursor(page.nextCursor()));
 * }</pre>
 */
public final class SessionFilter {
    private static final SessionFilter ALL = new SessionFilter(null, null, Map.of(), null, null, null,
            Limits.DEFAULT_PAGE_SIZE, null);

    private final SessionStatus status;
    private final String userId;
    private final Map<String, String> labels;
    private final Instant createdAfter;
    private final Instant createdBefore;
    private final Instant updatedBefore;
    private final int limit;
    private final String cursor;

    private SessionFilter(SessionStatus status, String userId, Map<String, String> labels, Instant createdAfter,
                          Instant createdBefore, Instant updatedBefore, int limit, String cursor) {
        this.status = status;
        this.userId = userId;
        this.labels = labels;
        this.createdAfter = createdAfter;
        this.createdBefore = createdBefore;
        this.updatedBefore = updatedBefore;
        this.limit = limit;
        this.cursor = cursor;
    }

    /** @return a filter that matches every session, first page of {@value Limits#DEFAULT_PAGE_SIZE} */
    public static SessionFilter all() {
        return ALL;
    }

    /**
     * @param status only sessions in this status
     * @return a new filter
     */
    public SessionFilter status(SessionStatus status) {
        return new SessionFilter(Objects.requireNonNull(status, "status"), userId, labels, createdAfter, createdBefore,
                updatedBefore, limit, cursor);
    }

    /**
     * @param userId only sessions of this user
     * @return a new filter
     */
    public SessionFilter userId(String userId) {
        return new SessionFilter(status, Checks.id(userId, "userId"), labels, createdAfter, createdBefore,
                updatedBefore, limit, cursor);
    }

    /**
     * @param key a label key
     * @param value the value it must have; all labels given must match
     * @return a new filter
     */
    public SessionFilter label(String key, String value) {
        Map<String, String> copy = new LinkedHashMap<>(labels);
        copy.put(key, value);
        return new SessionFilter(status, userId, Checks.labels(copy, "labels"), createdAfter, createdBefore,
                updatedBefore, limit, cursor);
    }

    /**
     * @param instant only sessions created strictly after it
     * @return a new filter
     */
    public SessionFilter createdAfter(Instant instant) {
        return new SessionFilter(status, userId, labels, millis(instant, "createdAfter"), createdBefore,
                updatedBefore, limit, cursor);
    }

    /**
     * @param instant only sessions created strictly before it
     * @return a new filter
     */
    public SessionFilter createdBefore(Instant instant) {
        return new SessionFilter(status, userId, labels, createdAfter, millis(instant, "createdBefore"),
                updatedBefore, limit, cursor);
    }

    /**
     * @param instant only sessions last updated strictly before it (for retention)
     * @return a new filter
     */
    public SessionFilter updatedBefore(Instant instant) {
        return new SessionFilter(status, userId, labels, createdAfter, createdBefore,
                millis(instant, "updatedBefore"), limit, cursor);
    }

    /**
     * @param limit page size, 1 to {@value Limits#MAX_PAGE_SIZE}
     * @return a new filter
     */
    public SessionFilter limit(int limit) {
        return new SessionFilter(status, userId, labels, createdAfter, createdBefore, updatedBefore,
                Checks.pageSize(limit, "limit"), cursor);
    }

    /**
     * @param cursor the {@code nextCursor} of the previous page, or null for the first page
     * @return a new filter
     */
    public SessionFilter cursor(String cursor) {
        return new SessionFilter(status, userId, labels, createdAfter, createdBefore, updatedBefore, limit, cursor);
    }

    private static Instant millis(Instant instant, String name) {
        return Objects.requireNonNull(instant, name).truncatedTo(ChronoUnit.MILLIS);
    }

    /** @return the status asked for, or null */
    public SessionStatus status() {
        return status;
    }

    /** @return the user asked for, or null */
    public String userId() {
        return userId;
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

    /** @return the exclusive upper bound on updatedAt, or null */
    public Instant updatedBefore() {
        return updatedBefore;
    }

    /** @return the page size */
    public int limit() {
        return limit;
    }

    /** @return the cursor to resume from, or null */
    public String cursor() {
        return cursor;
    }

    /**
     * Whether a session passes the conditions (not the cursor). Backends that filter in memory
     * use it so that the rule is written once.
     *
     * @param s a session
     * @return whether every condition holds
     */
    public boolean matches(Session s) {
        return (status == null || s.status() == status)
                && (userId == null || userId.equals(s.userId()))
                && s.labels().entrySet().containsAll(labels.entrySet())
                && (createdAfter == null || s.createdAt().isAfter(createdAfter))
                && (createdBefore == null || s.createdAt().isBefore(createdBefore))
                && (updatedBefore == null || s.updatedAt().isBefore(updatedBefore));
    }

    /**
     * A canonical text of the conditions (not the limit or cursor), which cursors are bound to.
     *
     * @return the scope
     */
    public String scope() {
        return "status=" + status + ";user=" + userId + ";labels=" + new TreeMap<>(labels) + ";ca=" + createdAfter
                + ";cb=" + createdBefore + ";ub=" + updatedBefore;
    }

    @Override
    public String toString() {
        return "SessionFilter[" + scope() + ";limit=" + limit + (cursor == null ? "" : ";cursor") + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SessionFilter f && f.scope().equals(scope()) && f.limit == limit
                && Objects.equals(f.cursor, cursor);
    }

    @Override
    public int hashCode() {
        return Objects.hash(scope(), limit, cursor);
    }
}
