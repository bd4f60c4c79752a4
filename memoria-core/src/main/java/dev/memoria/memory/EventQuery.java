package dev.memoria.memory;

import dev.memoria.Limits;
import dev.memoria.run.RunRef;
import dev.memoria.spi.Checks;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What {@link MemoryStore#read(EventQuery)} returns. Two scopes:
 * <ul>
 *   <li>{@link #run(RunRef)}: one run's events by ascending sequence; {@link #after(long)} resumes
 *       after a sequence, which is how a tailing reader follows a live run (M6);</li>
 *   <li>{@link #session(String)}: every run of a session, ordered by (timestamp, run id, sequence)
 *       (M8), resumed with {@link #cursor(String)}.</li>
 * </ul>
 * {@link #latest(int)} asks for the last n matching events instead of the first, still returned
 * oldest first (M7). Immutable: each method returns a new query.
 *
 * <pre>{@code
 * Page<MemoryEvent> recent = memory.read(EventQuery.run(ref).types(EventType.USER_MESSAGE).latest(20));
 * }</pre>
 */
public final class EventQuery {
    private final RunRef run;
    private final String sessionId;
    private final long afterSequence;
    private final String cursor;
    private final Set<EventType> types;
    private final int limit;
    private final boolean latest;

    private EventQuery(RunRef run, String sessionId, long afterSequence, String cursor, Set<EventType> types,
                       int limit, boolean latest) {
        this.run = run;
        this.sessionId = sessionId;
        this.afterSequence = afterSequence;
        this.cursor = cursor;
        this.types = types;
        this.limit = limit;
        this.latest = latest;
    }

    /**
     * @param run a run
     * @return a query over the run's events, first page of {@value Limits#DEFAULT_PAGE_SIZE}
     */
    public static EventQuery run(RunRef run) {
        return new EventQuery(Objects.requireNonNull(run, "run"), null, 0, null, Set.of(), Limits.DEFAULT_PAGE_SIZE,
                false);
    }

    /**
     * @param sessionId a session
     * @return a query over the events of every run of the session
     */
    public static EventQuery session(String sessionId) {
        return new EventQuery(null, Checks.id(sessionId, "sessionId"), 0, null, Set.of(), Limits.DEFAULT_PAGE_SIZE,
                false);
    }

    /**
     * @param sequence return only events with a higher sequence; 0 means from the start
     * @return a new query
     * @throws IllegalArgumentException on a session query (use {@link #cursor(String)}) or a negative sequence
     */
    public EventQuery after(long sequence) {
        if (run == null) {
            throw new IllegalArgumentException("after: applies to run queries; page a session query with cursor(...)");
        }
        if (sequence < 0) {
            throw new IllegalArgumentException("after: must not be negative, got " + sequence);
        }
        return new EventQuery(run, sessionId, sequence, cursor, types, limit, latest);
    }

    /**
     * @param cursor the {@code nextCursor} of the previous page, or null
     * @return a new query
     */
    public EventQuery cursor(String cursor) {
        if (cursor != null && latest) {
            throw new IllegalArgumentException("cursor: latest(n) returns a single page and takes no cursor");
        }
        return new EventQuery(run, sessionId, afterSequence, cursor, types, limit, latest);
    }

    /**
     * @param first a type
     * @param more more types; an event of any of them matches
     * @return a new query
     */
    public EventQuery types(EventType first, EventType... more) {
        EnumSet<EventType> set = EnumSet.of(Objects.requireNonNull(first, "types"));
        for (EventType t : more) {
            set.add(Objects.requireNonNull(t, "types"));
        }
        return new EventQuery(run, sessionId, afterSequence, cursor, Set.copyOf(set), limit, latest);
    }

    /**
     * @param types the types to match; empty means all
     * @return a new query
     */
    public EventQuery types(Set<EventType> types) {
        Objects.requireNonNull(types, "types");
        types.forEach(t -> Objects.requireNonNull(t, "types"));
        return new EventQuery(run, sessionId, afterSequence, cursor, Set.copyOf(types), limit, latest);
    }

    /**
     * @param limit page size, 1 to {@value Limits#MAX_PAGE_SIZE}
     * @return a new query
     */
    public EventQuery limit(int limit) {
        return new EventQuery(run, sessionId, afterSequence, cursor, types, Checks.pageSize(limit, "limit"), latest);
    }

    /**
     * @param n how many of the last matching events to return, 1 to {@value Limits#MAX_PAGE_SIZE};
     *     they come oldest first in one page with no cursor
     * @return a new query
     */
    public EventQuery latest(int n) {
        if (cursor != null) {
            throw new IllegalArgumentException("latest: returns a single page and takes no cursor");
        }
        return new EventQuery(run, sessionId, afterSequence, null, types, Checks.pageSize(n, "latest"), true);
    }

    /** @return the run queried, or null for a session query */
    public RunRef run() {
        return run;
    }

    /** @return the session queried, or null for a run query */
    public String sessionId() {
        return sessionId;
    }

    /** @return the sequence after which events are returned (run queries) */
    public long afterSequence() {
        return afterSequence;
    }

    /** @return the cursor, or null */
    public String cursor() {
        return cursor;
    }

    /** @return the types asked for; empty means all */
    public Set<EventType> types() {
        return types;
    }

    /** @return the page size, or n for {@link #latest(int)} */
    public int limit() {
        return limit;
    }

    /** @return whether the last {@link #limit()} matching events are asked for */
    public boolean isLatest() {
        return latest;
    }

    /** @return whether this query spans a whole session */
    public boolean isSessionScope() {
        return sessionId != null;
    }

    /**
     * @param e an event
     * @return whether it has one of the types asked for
     */
    public boolean matchesType(MemoryEvent e) {
        return types.isEmpty() || types.contains(e.type());
    }

    /** @return a canonical text of the scope and types, which cursors are bound to */
    public String scope() {
        String where = run != null ? "run=" + run.runId() : "session=" + sessionId;
        return where + ";types=" + new TreeSet<>(types);
    }

    @Override
    public String toString() {
        return "EventQuery[" + scope() + (afterSequence > 0 ? ";after=" + afterSequence : "")
                + (latest ? ";latest=" : ";limit=") + limit + (cursor == null ? "" : ";cursor") + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EventQuery q && Objects.equals(q.run, run) && Objects.equals(q.sessionId, sessionId)
                && q.afterSequence == afterSequence && Objects.equals(q.cursor, cursor) && q.types.equals(types)
                && q.limit == limit && q.latest == latest;
    }

    @Override
    public int hashCode() {
        return Objects.hash(run, sessionId, afterSequence, cursor, types, limit, latest);
    }
}
