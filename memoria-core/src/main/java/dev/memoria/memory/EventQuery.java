package dev.memoria.memory;

import dev.memoria.Limits;
import dev.memoria.internal.Checks;
import dev.memoria.run.RunRef;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What {@link MemoryStore#read(EventQuery)} returns. Two scopes:
 * <ul>
 *   <li>one run: {@link #run(RunRef)}, or {@link #run(String)} with the run's id alone; events by
 *       ascending sequence; {@link #after(long)} resumes after a sequence, which is how a tailing
 *       reader follows a live run (M6);</li>
 *   <li>{@link #session(String)}: every run of a session, ordered by (timestamp, run id,
 *       sequence) (M8), resumed with {@link #cursor(String)}.</li>
 * </ul>
 * {@link #latest(int)} asks for the last n matching events instead of the first, still returned
 * oldest first, in one page (M7). Filters use the scheme of {@link dev.memoria.session.SessionFilter}:
 * {@code types} (varargs or a {@code Set}), {@code label}/{@code labels}, exclusive
 * {@code timestampAfter}/{@code timestampBefore}. Immutable: each method returns a new query.
 *
 * <pre>{@code
 * Page<MemoryEvent> recent = memory.read(EventQuery.run(ref).types(EventType.USER_MESSAGE).latest(20));
 * }</pre>
 */
public final class EventQuery {
    private final RunRef run;
    private final String runId;
    private final String sessionId;
    private final long afterSequence;
    private final String cursor;
    private final Set<EventType> types;
    private final Map<String, String> labels;
    private final Instant timestampAfter;
    private final Instant timestampBefore;
    private final int limit;
    private final boolean latest;

    private EventQuery(RunRef run, String runId, String sessionId, long afterSequence, String cursor, Set<EventType> types,
                       Map<String, String> labels, Instant timestampAfter, Instant timestampBefore, int limit,
                       boolean latest) {
        this.run = run;
        this.runId = runId;
        this.sessionId = sessionId;
        this.afterSequence = afterSequence;
        this.cursor = cursor;
        this.types = types;
        this.labels = labels;
        this.timestampAfter = timestampAfter;
        this.timestampBefore = timestampBefore;
        this.limit = limit;
        this.latest = latest;
    }

    /**
     * @param run a run, by the ref its log was started with (a ref naming another session or agent
     *     reads nothing: M12)
     * @return a query over the run's events, first page of {@value Limits#DEFAULT_PAGE_SIZE}
     */
    public static EventQuery run(RunRef run) {
        Objects.requireNonNull(run, "run");
        return new EventQuery(run, run.runId(), null, 0, null, Set.of(), Map.of(), null, null, Limits.DEFAULT_PAGE_SIZE,
                false);
    }

    /**
     * @param runId a run's id, whatever its session and agent
     * @return a query over the run's events; they carry the run's stored ref
     */
    public static EventQuery run(String runId) {
        return new EventQuery(null, Checks.id(runId, "runId"), null, 0, null, Set.of(), Map.of(), null, null,
                Limits.DEFAULT_PAGE_SIZE, false);
    }

    /**
     * @param sessionId a session
     * @return a query over the events of every run of the session
     */
    public static EventQuery session(String sessionId) {
        return new EventQuery(null, null, Checks.id(sessionId, "sessionId"), 0, null, Set.of(), Map.of(), null, null,
                Limits.DEFAULT_PAGE_SIZE, false);
    }

    private EventQuery with(long afterSequence, String cursor, Set<EventType> types, Map<String, String> labels,
                            Instant timestampAfter, Instant timestampBefore, int limit, boolean latest) {
        return new EventQuery(run, runId, sessionId, afterSequence, cursor, types, labels, timestampAfter, timestampBefore,
                limit, latest);
    }

    /**
     * @param sequence return only events with a higher sequence; 0 means from the start
     * @return a new query
     * @throws IllegalArgumentException on a session query (use {@link #cursor(String)}) or a negative sequence
     */
    public EventQuery after(long sequence) {
        if (runId == null) {
            throw new IllegalArgumentException("after: applies to run queries; page a session query with cursor(...)");
        }
        if (sequence < 0) {
            throw new IllegalArgumentException("after: must not be negative, got " + sequence);
        }
        return with(sequence, cursor, types, labels, timestampAfter, timestampBefore, limit, latest);
    }

    /**
     * @param cursor the {@code nextCursor} of the previous page, or null
     * @return a new query
     */
    public EventQuery cursor(String cursor) {
        if (cursor != null && latest) {
            throw new IllegalArgumentException("cursor: latest(n) returns a single page and takes no cursor");
        }
        return with(afterSequence, cursor, types, labels, timestampAfter, timestampBefore, limit, latest);
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
        return types(set);
    }

    /**
     * @param types the types to match; empty means all; {@link EventType#UNKNOWN} matches every
     *     type name this version does not know
     * @return a new query
     */
    public EventQuery types(Set<EventType> types) {
        Objects.requireNonNull(types, "types").forEach(t -> Objects.requireNonNull(t, "types"));
        return with(afterSequence, cursor, Set.copyOf(types), labels, timestampAfter, timestampBefore, limit, latest);
    }

    /**
     * @param key a label key
     * @param value the value it must have; all labels given must match
     * @return a new query
     */
    public EventQuery label(String key, String value) {
        return labels(Map.of(Objects.requireNonNull(key, "labels: a key is null"),
                Objects.requireNonNull(value, "labels[" + key + "]: value is null")));
    }

    /**
     * Labels are matched while reading in order, without an index: a label filter on a long run
     * costs the events it reads past, so combine it with types or time bounds where you can.
     *
     * @param labels labels that must all match, in addition to those given before
     * @return a new query
     */
    public EventQuery labels(Map<String, String> labels) {
        Map<String, String> all = new LinkedHashMap<>(this.labels);
        all.putAll(Objects.requireNonNull(labels, "labels"));
        return with(afterSequence, cursor, types, Checks.labels(all, "labels"), timestampAfter, timestampBefore, limit,
                latest);
    }

    /**
     * @param instant only events timestamped strictly after it
     * @return a new query
     */
    public EventQuery timestampAfter(Instant instant) {
        return with(afterSequence, cursor, types, labels, millis(instant, "timestampAfter"), timestampBefore, limit, latest);
    }

    /**
     * @param instant only events timestamped strictly before it
     * @return a new query
     */
    public EventQuery timestampBefore(Instant instant) {
        return with(afterSequence, cursor, types, labels, timestampAfter, millis(instant, "timestampBefore"), limit, latest);
    }

    /**
     * @param limit page size, 1 to {@value Limits#MAX_PAGE_SIZE}
     * @return a new query
     * @throws IllegalArgumentException after {@link #latest(int)}, which sets how many events already
     */
    public EventQuery limit(int limit) {
        if (latest) {
            throw new IllegalArgumentException("limit: latest(" + this.limit + ") already says how many events to read;"
                    + " use latest(" + limit + ") instead");
        }
        return with(afterSequence, cursor, types, labels, timestampAfter, timestampBefore, Checks.pageSize(limit, "limit"),
                false);
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
        return with(afterSequence, null, types, labels, timestampAfter, timestampBefore, Checks.pageSize(n, "latest"), true);
    }

    private static Instant millis(Instant instant, String name) {
        return Objects.requireNonNull(instant, name).truncatedTo(ChronoUnit.MILLIS);
    }

    /** @return the run's ref, for a query made with {@link #run(RunRef)}; null otherwise */
    public RunRef run() {
        return run;
    }

    /** @return the run queried (with or without its ref), or null for a session query */
    public String runId() {
        return runId;
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

    /** @return labels that must all match */
    public Map<String, String> labels() {
        return labels;
    }

    /** @return the exclusive lower bound on the timestamp, or null */
    public Instant timestampAfter() {
        return timestampAfter;
    }

    /** @return the exclusive upper bound on the timestamp, or null */
    public Instant timestampBefore() {
        return timestampBefore;
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

    /** @return whether a condition beyond the scope and position applies (types, labels, time bounds) */
    public boolean isFiltered() {
        return !types.isEmpty() || !labels.isEmpty() || timestampAfter != null || timestampBefore != null;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("EventQuery[");
        b.append(sessionId != null ? "session " + Checks.shorten(sessionId) : "run " + Checks.shorten(runId));
        if (!types.isEmpty()) {
            b.append(", ").append(types);
        }
        if (!labels.isEmpty()) {
            b.append(", ").append(labels.size()).append(" labels");
        }
        if (afterSequence > 0) {
            b.append(", after ").append(afterSequence);
        }
        b.append(latest ? ", latest " : ", limit ").append(limit);
        return b.append(cursor == null ? "" : ", after cursor").append(']').toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EventQuery q && Objects.equals(q.run, run) && Objects.equals(q.runId, runId)
                && Objects.equals(q.sessionId, sessionId) && q.afterSequence == afterSequence
                && Objects.equals(q.cursor, cursor) && q.types.equals(types) && q.labels.equals(labels)
                && Objects.equals(q.timestampAfter, timestampAfter) && Objects.equals(q.timestampBefore, timestampBefore)
                && q.limit == limit && q.latest == latest;
    }

    @Override
    public int hashCode() {
        return Objects.hash(run, runId, sessionId, afterSequence, cursor, types, labels, timestampAfter, timestampBefore,
                limit, latest);
    }
}
