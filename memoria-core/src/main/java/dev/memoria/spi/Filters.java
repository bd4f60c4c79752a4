package dev.memoria.spi;

import dev.memoria.memory.EventQuery;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.run.Run;
import dev.memoria.run.RunFilter;
import dev.memoria.session.Session;
import dev.memoria.session.SessionFilter;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * For backends: whether a record passes a filter's conditions (for stores that filter in memory,
 * or check what an index returned), and the canonical text of a filter's conditions that a
 * cursor is bound to ({@link Cursors#encode}), written once so every backend agrees.
 */
public final class Filters {
    private Filters() {
    }

    /**
     * @param filter a session filter
     * @param s a session
     * @return whether every condition (not the cursor) holds
     */
    public static boolean matches(SessionFilter filter, Session s) {
        return (filter.userId() == null || filter.userId().equals(s.userId()))
                && (filter.statuses().isEmpty() || filter.statuses().contains(s.status()))
                && hasLabels(s.labels(), filter.labels())
                && within(s.createdAt(), filter.createdAfter(), filter.createdBefore())
                && within(s.updatedAt(), filter.updatedAfter(), filter.updatedBefore())
                && within(s.lastActivityAt(), filter.lastActivityAfter(), filter.lastActivityBefore());
    }

    /**
     * @param filter a run filter
     * @param r a run
     * @return whether every condition (not the cursor) holds
     */
    public static boolean matches(RunFilter filter, Run r) {
        return (filter.sessionId() == null || filter.sessionId().equals(r.sessionId()))
                && (filter.agentId() == null || filter.agentId().equals(r.agentId()))
                && (filter.parentRunId() == null || filter.parentRunId().equals(r.parentRunId()))
                && (filter.statuses().isEmpty() || filter.statuses().contains(r.status()))
                && hasLabels(r.labels(), filter.labels())
                && within(r.startedAt(), filter.startedAfter(), filter.startedBefore())
                && within(r.updatedAt(), filter.updatedAfter(), filter.updatedBefore());
    }

    /**
     * @param query an event query
     * @param e an event of the query's run or session
     * @return whether its type, labels and timestamp pass the query's filters (not the scope, the
     *     position or the cursor)
     */
    public static boolean matches(EventQuery query, MemoryEvent e) {
        return (query.types().isEmpty() || query.types().contains(e.type()))
                && hasLabels(e.labels(), query.labels())
                && within(e.timestamp(), query.timestampAfter(), query.timestampBefore());
    }

    /**
     * @param order a session order
     * @param s a session
     * @return the time the order sorts it by: lastActivityAt for
     *     {@link dev.memoria.session.SessionOrder#RECENTLY_ACTIVE_FIRST}, createdAt otherwise
     */
    public static Instant sortTime(dev.memoria.session.SessionOrder order, Session s) {
        return order == dev.memoria.session.SessionOrder.RECENTLY_ACTIVE_FIRST ? s.lastActivityAt() : s.createdAt();
    }

    /**
     * @param order a session order
     * @return whether it lists the greatest (time, id) first
     */
    public static boolean descending(dev.memoria.session.SessionOrder order) {
        return order != dev.memoria.session.SessionOrder.OLDEST_FIRST;
    }

    /**
     * @param order a session order
     * @return the order as a comparator over (sort time, id)
     */
    public static java.util.Comparator<Session> comparator(dev.memoria.session.SessionOrder order) {
        java.util.Comparator<Session> ascending = java.util.Comparator.comparing((Session s) -> sortTime(order, s))
                .thenComparing(Session::id);
        return descending(order) ? ascending.reversed() : ascending;
    }

    /**
     * @param order a run order
     * @return the order as a comparator over (startedAt, id)
     */
    public static java.util.Comparator<Run> comparator(dev.memoria.run.RunOrder order) {
        java.util.Comparator<Run> ascending = java.util.Comparator.comparing(Run::startedAt).thenComparing(Run::id);
        return order == dev.memoria.run.RunOrder.NEWEST_FIRST ? ascending.reversed() : ascending;
    }

    private static boolean hasLabels(Map<String, String> labels, Map<String, String> wanted) {
        return labels.entrySet().containsAll(wanted.entrySet());
    }

    private static boolean within(Instant t, Instant after, Instant before) {
        return (after == null || t.isAfter(after)) && (before == null || t.isBefore(before));
    }

    /**
     * @param filter a session filter
     * @return a canonical text of its conditions and order (not its limit or cursor)
     */
    public static String scope(SessionFilter filter) {
        return "user=" + filter.userId() + ";statuses=" + new TreeSet<>(filter.statuses()) + ";labels="
                + new TreeMap<>(filter.labels()) + ";ca=" + filter.createdAfter() + ";cb=" + filter.createdBefore()
                + ";ua=" + filter.updatedAfter() + ";ub=" + filter.updatedBefore() + ";la=" + filter.lastActivityAfter()
                + ";lb=" + filter.lastActivityBefore() + ";order=" + filter.order();
    }

    /**
     * @param filter a run filter
     * @return a canonical text of its conditions and order (not its limit or cursor)
     */
    public static String scope(RunFilter filter) {
        return "session=" + filter.sessionId() + ";agent=" + filter.agentId() + ";parent=" + filter.parentRunId()
                + ";statuses=" + new TreeSet<>(filter.statuses()) + ";labels=" + new TreeMap<>(filter.labels())
                + ";sa=" + filter.startedAfter() + ";sb=" + filter.startedBefore() + ";ua=" + filter.updatedAfter()
                + ";ub=" + filter.updatedBefore() + ";order=" + filter.order();
    }

    /**
     * @param query an event query
     * @return a canonical text of its scope and filters (not its position, limit or cursor)
     */
    public static String scope(EventQuery query) {
        String where = query.sessionId() == null ? "run=" + query.runId() : "session=" + query.sessionId();
        return where + ";types=" + new TreeSet<>(query.types()) + ";labels=" + new TreeMap<>(query.labels()) + ";ta="
                + query.timestampAfter() + ";tb=" + query.timestampBefore();
    }
}
