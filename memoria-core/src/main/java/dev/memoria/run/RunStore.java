package dev.memoria.run;

import dev.memoria.AlreadyExistsException;
import dev.memoria.ConflictException;
import dev.memoria.InvalidTransitionException;
import dev.memoria.NotFoundException;
import dev.memoria.Page;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Persists runs. Implementations are thread-safe and pass {@code RunStoreContract} of
 * {@code memoria-testkit}.
 *
 * <p>A run store does not look at sessions itself, so that stores of different backends can be
 * mixed: {@link dev.memoria.Stores#of} checks that the session exists and is active before
 * {@link #create(NewRun)} (X2).
 */
public interface RunStore {
    /**
     * Creates a run: PENDING unless the spec says otherwise, version 1 (R1).
     *
     * @param spec what to create
     * @return the stored run
     * @throws AlreadyExistsException if the id is taken
     */
    Run create(NewRun spec);

    /**
     * @param id a run id
     * @return the run, or empty
     */
    Optional<Run> get(String id);

    /**
     * Stores a changed run if its version is still the stored one. The store takes status, labels,
     * metadata and error from {@code changed}; entering a terminal status sets endedAt (R2).
     *
     * @param changed a run read from this store and changed with its {@code with...} methods
     * @return the stored run, version + 1
     * @throws ConflictException if the version is stale (R4)
     * @throws NotFoundException if there is no such run
     * @throws InvalidTransitionException if the status change is not allowed (R2)
     */
    Run update(Run changed);

    /**
     * Read-modify-write with retries on {@link ConflictException} (R4). {@code change} may be
     * called more than once and must have no side effects.
     *
     * @param id the run's id
     * @param change computes the new run from the current one
     * @return the stored run
     */
    default Run update(String id, UnaryOperator<Run> change) {
        Objects.requireNonNull(change, "change");
        return dev.memoria.internal.Retries.onConflict(() -> {
            Run current = get(id).orElseThrow(() -> new NotFoundException("run", id));
            return update(Objects.requireNonNull(change.apply(current), "change returned null"));
        });
    }

    /**
     * Every run of a session, oldest first by (startedAt, id), reading all pages (R3).
     *
     * @param sessionId the session
     * @return its runs
     */
    default List<Run> listBySession(String sessionId) {
        List<Run> all = new ArrayList<>();
        RunFilter filter = RunFilter.session(sessionId).limit(dev.memoria.Limits.MAX_PAGE_SIZE);
        Page<Run> page = list(filter);
        all.addAll(page.items());
        while (page.nextCursor() != null) {
            page = list(filter.cursor(page.nextCursor()));
            all.addAll(page.items());
        }
        return List.copyOf(all);
    }

    /**
     * Lists runs oldest first by (startedAt, id), one page at a time (R3).
     *
     * @param filter conditions, page size and cursor
     * @return a page; its {@code nextCursor} is null on the last page
     */
    Page<Run> list(RunFilter filter);

    /**
     * Deletes the run record only; its events stay (see {@link dev.memoria.Stores#purgeSession}).
     *
     * @param id the run's id
     * @return true if it existed
     */
    boolean delete(String id);
}
