package dev.memoria.session;

import dev.memoria.AlreadyExistsException;
import dev.memoria.ConflictException;
import dev.memoria.NotFoundException;
import dev.memoria.Page;
import dev.memoria.SessionEndedException;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Persists sessions. Implementations are thread-safe (X4) and pass {@code SessionStoreContract}
 * of {@code memoria-testkit}.
 */
public interface SessionStore {
    /**
     * Creates a session: ACTIVE, version 1, createdAt = updatedAt = the store clock's now (S1).
     *
     * @param spec what to create
     * @return the stored session
     * @throws AlreadyExistsException if {@code spec.id()} is taken (S2)
     */
    Session create(NewSession spec);

    /**
     * @param id a session id
     * @return the session, or empty if there is none (S3)
     * @throws IllegalArgumentException if the id is blank or longer than the limit
     */
    Optional<Session> get(String id);

    /**
     * Stores a changed session if its version is still the stored one (optimistic concurrency).
     * The store takes userId, status, labels and metadata from {@code changed}; ids, createdAt,
     * endedAt and version are the store's.
     *
     * @param changed a session read from this store and changed with its {@code with...} methods
     * @return the stored session: version + 1, a later updatedAt (S4)
     * @throws ConflictException if the version is stale; nothing changed (S4)
     * @throws NotFoundException if there is no such session (S5)
     * @throws SessionEndedException if the stored session is ENDED (S6)
     */
    Session update(Session changed);

    /**
     * Read-modify-write with retries on {@link ConflictException}: reads the session, applies
     * {@code change}, and stores the result, until no other writer got in between (S8).
     * {@code change} may be called more than once and must have no side effects.
     *
     * @param id the session's id
     * @param change computes the new session from the current one
     * @return the stored session
     * @throws NotFoundException if there is no such session
     * @throws ConflictException if 1,000 attempts all lost; earlier
     *     failures are attached as suppressed exceptions
     */
    default Session update(String id, UnaryOperator<Session> change) {
        Objects.requireNonNull(change, "change");
        return dev.memoria.internal.Retries.onConflict(() -> {
            Session current = get(id).orElseThrow(() -> new NotFoundException("session", id));
            return update(Objects.requireNonNull(change.apply(current), "change returned null"));
        });
    }

    /**
     * Records that the session had activity at {@code activityAt} (S11): moves
     * {@link Session#lastActivityAt()} forward to it if that is later, and changes nothing else
     * (neither the version nor updatedAt, so it never conflicts with an update). An unknown id
     * does nothing. {@link dev.memoria.Stores#of} calls it when runs are created and events are
     * appended; applications rarely need to.
     *
     * @param id the session's id
     * @param activityAt when the activity happened
     */
    void touch(String id, java.time.Instant activityAt);

    /**
     * Lists sessions in the filter's order (newest first by default), one page at a time (S7).
     *
     * @param filter conditions, page size and cursor
     * @return a page; its {@code nextCursor} is null on the last page
     * @throws IllegalArgumentException if the cursor is malformed or from another query
     */
    Page<Session> list(SessionFilter filter);

    /**
     * Deletes the session record only; its runs and events stay. To remove everything, use
     * {@link dev.memoria.Stores#purgeSession(String)}.
     *
     * @param id the session's id
     * @return true if it existed (S10)
     */
    boolean delete(String id);
}
