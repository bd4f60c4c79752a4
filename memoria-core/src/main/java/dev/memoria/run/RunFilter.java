package dev.memoria.run;

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
 * What {@link RunStore#list(RunFilter)} returns: the runs for which every given condition holds,
 * oldest first unless asked otherwise, one page at a time. Immutable: each method returns a new
 * filter. The same scheme as {@link dev.memoria.session.SessionFilter}.
 *
 * <pre>{@code
 * Page<Run> stale = runs.list(RunFilter.all().statuses(RunStatus.RUNNING).updatedBefore(cutoff));
 * Optional<Run> latest = runs.list(RunFilter.session(id).orderBy(RunOrder.NEWEST_FIRST).limit(1)).first();
 * }</pre>
 */
public final class RunFilter {
    private static final RunFilter ALL = new RunFilter(null, null, null, Set.of(), Map.of(), null, null, null, null,
            RunOrder.OLDEST_FIRST, Limits.DEFAULT_PAGE_SIZE, null);

    private final String sessionId;
    private final String agentId;
    private final String parentRunId;
    private final Set<RunStatus> statuses;
    private final Map<String, String> labels;
    private final Instant startedAfter;
    private final Instant startedBefore;
    private final Instant updatedAfter;
    private final Instant updatedBefore;
    private final RunOrder order;
    private final int limit;
    private final String cursor;

    private RunFilter(String sessionId, String agentId, String parentRunId, Set<RunStatus> statuses,
                      Map<String, String> labels, Instant startedAfter, Instant startedBefore, Instant updatedAfter,
                      Instant updatedBefore, RunOrder order, int limit, String cursor) {
        this.sessionId = sessionId;
        this.agentId = agentId;
        this.parentRunId = parentRunId;
        this.statuses = statuses;
        this.labels = labels;
        this.startedAfter = startedAfter;
        this.startedBefore = startedBefore;
        this.updatedAfter = updatedAfter;
        this.updatedBefore = updatedBefore;
        this.order = order;
        this.limit = limit;
        this.cursor = cursor;
    }

    /** @return a filter matching every run, oldest first, first page of {@value Limits#DEFAULT_PAGE_SIZE} */
    public static RunFilter all() {
        return ALL;
    }

    /**
     * @param sessionId a session
     * @return a filter matching the session's runs
     */
    public static RunFilter session(String sessionId) {
        return all().sessionId(sessionId);
    }

    /**
     * @param sessionId only runs of this session
     * @return a new filter
     */
    public RunFilter sessionId(String sessionId) {
        return new RunFilter(Checks.id(sessionId, "sessionId"), agentId, parentRunId, statuses, labels, startedAfter,
                startedBefore, updatedAfter, updatedBefore, order, limit, cursor);
    }

    /**
     * @param agentId only runs of this agent
     * @return a new filter
     */
    public RunFilter agentId(String agentId) {
        return new RunFilter(sessionId, Checks.id(agentId, "agentId"), parentRunId, statuses, labels, startedAfter,
                startedBefore, updatedAfter, updatedBefore, order, limit, cursor);
    }

    /**
     * @param parentRunId only runs started by this run (its children)
     * @return a new filter
     */
    public RunFilter parentRunId(String parentRunId) {
        return new RunFilter(sessionId, agentId, Checks.id(parentRunId, "parentRunId"), statuses, labels, startedAfter,
                startedBefore, updatedAfter, updatedBefore, order, limit, cursor);
    }

    /**
     * @param first a status
     * @param more more statuses; a run in any of them matches
     * @return a new filter
     */
    public RunFilter statuses(RunStatus first, RunStatus... more) {
        EnumSet<RunStatus> set = EnumSet.of(Objects.requireNonNull(first, "statuses"));
        for (RunStatus s : more) {
            set.add(Objects.requireNonNull(s, "statuses"));
        }
        return statuses(set);
    }

    /**
     * @param statuses the statuses to match; empty means any
     * @return a new filter
     */
    public RunFilter statuses(Set<RunStatus> statuses) {
        Objects.requireNonNull(statuses, "statuses").forEach(s -> Objects.requireNonNull(s, "statuses"));
        return new RunFilter(sessionId, agentId, parentRunId, Set.copyOf(statuses), labels, startedAfter, startedBefore,
                updatedAfter, updatedBefore, order, limit, cursor);
    }

    /**
     * @param key a label key
     * @param value the value it must have; all labels given must match
     * @return a new filter
     */
    public RunFilter label(String key, String value) {
        return labels(Map.of(Objects.requireNonNull(key, "labels: a key is null"),
                Objects.requireNonNull(value, "labels[" + key + "]: value is null")));
    }

    /**
     * @param labels labels that must all match, in addition to those given before
     * @return a new filter
     */
    public RunFilter labels(Map<String, String> labels) {
        Map<String, String> all = new LinkedHashMap<>(this.labels);
        all.putAll(Objects.requireNonNull(labels, "labels"));
        return new RunFilter(sessionId, agentId, parentRunId, statuses, Checks.labels(all, "labels"), startedAfter,
                startedBefore, updatedAfter, updatedBefore, order, limit, cursor);
    }

    /**
     * @param instant only runs started strictly after it
     * @return a new filter
     */
    public RunFilter startedAfter(Instant instant) {
        return new RunFilter(sessionId, agentId, parentRunId, statuses, labels, millis(instant, "startedAfter"),
                startedBefore, updatedAfter, updatedBefore, order, limit, cursor);
    }

    /**
     * @param instant only runs started strictly before it
     * @return a new filter
     */
    public RunFilter startedBefore(Instant instant) {
        return new RunFilter(sessionId, agentId, parentRunId, statuses, labels, startedAfter,
                millis(instant, "startedBefore"), updatedAfter, updatedBefore, order, limit, cursor);
    }

    /**
     * @param instant only runs last updated strictly after it
     * @return a new filter
     */
    public RunFilter updatedAfter(Instant instant) {
        return new RunFilter(sessionId, agentId, parentRunId, statuses, labels, startedAfter, startedBefore,
                millis(instant, "updatedAfter"), updatedBefore, order, limit, cursor);
    }

    /**
     * @param instant only runs last updated strictly before it
     * @return a new filter
     */
    public RunFilter updatedBefore(Instant instant) {
        return new RunFilter(sessionId, agentId, parentRunId, statuses, labels, startedAfter, startedBefore, updatedAfter,
                millis(instant, "updatedBefore"), order, limit, cursor);
    }

    /**
     * @param order how the runs are ordered; {@link RunOrder#OLDEST_FIRST} by default
     * @return a new filter
     */
    public RunFilter orderBy(RunOrder order) {
        return new RunFilter(sessionId, agentId, parentRunId, statuses, labels, startedAfter, startedBefore, updatedAfter,
                updatedBefore, Objects.requireNonNull(order, "order"), limit, cursor);
    }

    /**
     * @param limit page size, 1 to {@value Limits#MAX_PAGE_SIZE}
     * @return a new filter
     */
    public RunFilter limit(int limit) {
        return new RunFilter(sessionId, agentId, parentRunId, statuses, labels, startedAfter, startedBefore, updatedAfter,
                updatedBefore, order, Checks.pageSize(limit, "limit"), cursor);
    }

    /**
     * @param cursor the {@code nextCursor} of the previous page, or null for the first
     * @return a new filter
     */
    public RunFilter cursor(String cursor) {
        return new RunFilter(sessionId, agentId, parentRunId, statuses, labels, startedAfter, startedBefore, updatedAfter,
                updatedBefore, order, limit, cursor);
    }

    private static Instant millis(Instant instant, String name) {
        return Objects.requireNonNull(instant, name).truncatedTo(ChronoUnit.MILLIS);
    }

    /** @return the session asked for, or null */
    public String sessionId() {
        return sessionId;
    }

    /** @return the agent asked for, or null */
    public String agentId() {
        return agentId;
    }

    /** @return the parent run asked for, or null */
    public String parentRunId() {
        return parentRunId;
    }

    /** @return the statuses asked for; empty means any */
    public Set<RunStatus> statuses() {
        return statuses;
    }

    /** @return labels that must all match */
    public Map<String, String> labels() {
        return labels;
    }

    /** @return the exclusive lower bound on startedAt, or null */
    public Instant startedAfter() {
        return startedAfter;
    }

    /** @return the exclusive upper bound on startedAt, or null */
    public Instant startedBefore() {
        return startedBefore;
    }

    /** @return the exclusive lower bound on updatedAt, or null */
    public Instant updatedAfter() {
        return updatedAfter;
    }

    /** @return the exclusive upper bound on updatedAt, or null */
    public Instant updatedBefore() {
        return updatedBefore;
    }

    /** @return the order */
    public RunOrder order() {
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
        StringBuilder b = new StringBuilder("RunFilter[");
        if (sessionId != null) {
            b.append("session ").append(Checks.shorten(sessionId)).append(", ");
        }
        if (agentId != null) {
            b.append("agent ").append(Checks.shorten(agentId)).append(", ");
        }
        if (parentRunId != null) {
            b.append("children of ").append(Checks.shorten(parentRunId)).append(", ");
        }
        if (!statuses.isEmpty()) {
            b.append(statuses).append(", ");
        }
        b.append(order).append(", limit ").append(limit);
        return b.append(cursor == null ? "" : ", after cursor").append(']').toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RunFilter f && Objects.equals(f.sessionId, sessionId) && Objects.equals(f.agentId, agentId)
                && Objects.equals(f.parentRunId, parentRunId) && f.statuses.equals(statuses) && f.labels.equals(labels)
                && Objects.equals(f.startedAfter, startedAfter) && Objects.equals(f.startedBefore, startedBefore)
                && Objects.equals(f.updatedAfter, updatedAfter) && Objects.equals(f.updatedBefore, updatedBefore)
                && f.order == order && f.limit == limit && Objects.equals(f.cursor, cursor);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sessionId, agentId, parentRunId, statuses, labels, startedAfter, startedBefore, updatedAfter,
                updatedBefore, order, limit, cursor);
    }
}
