package dev.memoria.run;

import dev.memoria.Limits;
import dev.memoria.spi.Checks;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * What {@link RunStore#list(RunFilter)} returns: runs oldest first by (startedAt, id), every given
 * condition must hold. Immutable: each method returns a new filter.
 *
 * <pre>{@code
 * Page<Run> stale = runs.list(RunFilter.all().statuses(RunStatus.RUNNING).updatedBefore(cutoff));
 * }</pre>
 */
public final class RunFilter {
    private final String sessionId;
    private final String agentId;
    private final String parentRunId;
    private final Set<RunStatus> statuses;
    private final Instant updatedBefore;
    private final int limit;
    private final String cursor;

    private RunFilter(String sessionId, String agentId, String parentRunId, Set<RunStatus> statuses,
                      Instant updatedBefore, int limit, String cursor) {
        this.sessionId = sessionId;
        this.agentId = agentId;
        this.parentRunId = parentRunId;
        this.statuses = statuses;
        this.updatedBefore = updatedBefore;
        this.limit = limit;
        this.cursor = cursor;
    }

    /** @return a filter matching every run */
    public static RunFilter all() {
        return new RunFilter(null, null, null, Set.of(), null, Limits.DEFAULT_PAGE_SIZE, null);
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
        return new RunFilter(Checks.id(sessionId, "sessionId"), agentId, parentRunId, statuses, updatedBefore, limit,
                cursor);
    }

    /**
     * @param agentId only runs of this agent
     * @return a new filter
     */
    public RunFilter agentId(String agentId) {
        return new RunFilter(sessionId, Checks.id(agentId, "agentId"), parentRunId, statuses, updatedBefore, limit,
                cursor);
    }

    /**
     * @param parentRunId only runs started by this run
     * @return a new filter
     */
    public RunFilter parentRunId(String parentRunId) {
        return new RunFilter(sessionId, agentId, Checks.id(parentRunId, "parentRunId"), statuses, updatedBefore,
                limit, cursor);
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
        return new RunFilter(sessionId, agentId, parentRunId, Set.copyOf(set), updatedBefore, limit, cursor);
    }

    /**
     * @param instant only runs last updated strictly before it
     * @return a new filter
     */
    public RunFilter updatedBefore(Instant instant) {
        return new RunFilter(sessionId, agentId, parentRunId, statuses,
                Objects.requireNonNull(instant, "updatedBefore").truncatedTo(ChronoUnit.MILLIS), limit, cursor);
    }

    /**
     * @param limit page size, 1 to {@value Limits#MAX_PAGE_SIZE}
     * @return a new filter
     */
    public RunFilter limit(int limit) {
        return new RunFilter(sessionId, agentId, parentRunId, statuses, updatedBefore,
                Checks.pageSize(limit, "limit"), cursor);
    }

    /**
     * @param cursor the {@code nextCursor} of the previous page, or null for the first
     * @return a new filter
     */
    public RunFilter cursor(String cursor) {
        return new RunFilter(sessionId, agentId, parentRunId, statuses, updatedBefore, limit, cursor);
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
     * @param r a run
     * @return whether every condition (not the cursor) holds
     */
    public boolean matches(Run r) {
        return (sessionId == null || sessionId.equals(r.sessionId()))
                && (agentId == null || agentId.equals(r.agentId()))
                && (parentRunId == null || parentRunId.equals(r.parentRunId()))
                && (statuses.isEmpty() || statuses.contains(r.status()))
                && (updatedBefore == null || r.updatedAt().isBefore(updatedBefore));
    }

    /** @return a canonical text of the conditions, which cursors are bound to */
    public String scope() {
        return "session=" + sessionId + ";agent=" + agentId + ";parent=" + parentRunId + ";statuses="
                + new java.util.TreeSet<>(statuses) + ";ub="
                + updatedBefore;
    }

    @Override
    public String toString() {
        return "RunFilter[" + scope() + ";limit=" + limit + (cursor == null ? "" : ";cursor") + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RunFilter f && f.scope().equals(scope()) && f.limit == limit
                && Objects.equals(f.cursor, cursor);
    }

    @Override
    public int hashCode() {
        return Objects.hash(scope(), limit, cursor);
    }
}
