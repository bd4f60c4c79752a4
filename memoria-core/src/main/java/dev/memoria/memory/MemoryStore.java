package dev.memoria.memory;

import dev.memoria.ConflictException;
import dev.memoria.Page;
import dev.memoria.run.RunRef;
import java.util.List;

/**
 * Persists each run's memory: an append-only log of events numbered 1, 2, 3 … without gaps.
 * Implementations are thread-safe and pass {@code MemoryStoreContract} of {@code memoria-testkit}.
 *
 * <p>Appends cost the same however long the run is; reads by sequence, by type and of the latest
 * events are index-served.
 */
public interface MemoryStore {
    /**
     * Every event of a run, oldest first (M4). Prefer {@link #read(EventQuery)} for long runs.
     *
     * @param run the run
     * @return its events; an empty snapshot for an unknown run
     */
    Snapshot load(RunRef run);

    /**
     * Appends events, numbered after the run's last one in list order (M1), all or nothing (M2).
     * An event whose key the run already holds with the same content is not written again and
     * the stored one is returned in its place (M3); appending an empty list does nothing.
     *
     * @param run the run
     * @param events at most {@value dev.memoria.Limits#MAX_EVENTS_PER_APPEND} events
     * @return the events as stored, in list order
     * @throws ConflictException if a key is held with other content, or the run's log was started
     *     under another session or agent (M10); nothing is written
     */
    List<MemoryEvent> append(RunRef run, List<Event> events);

    /**
     * Appends only if the run's last sequence is still {@code expectedLastSequence} (M11):
     * compare-and-append for writers that must not interleave.
     *
     * @param run the run
     * @param expectedLastSequence the last sequence the caller saw, 0 for an empty log
     * @param events the events
     * @return the events as stored
     * @throws dev.memoria.SequenceConflictException carrying
     *     {@link dev.memoria.SequenceConflictException#actualLastSequence()} if the run moved on;
     *     nothing is written (unless the whole batch is a retry of one already written: then the
     *     stored events are returned)
     */
    List<MemoryEvent> appendAfter(RunRef run, long expectedLastSequence, List<Event> events);

    /**
     * Reads one page of events (M6, M7, M8).
     *
     * @param query what to read
     * @return a page; its {@code nextCursor} is null on the last page
     */
    Page<MemoryEvent> read(EventQuery query);

    /**
     * Deletes a run's events (M10).
     *
     * @param run the run
     * @return how many events were removed
     */
    long delete(RunRef run);
}
