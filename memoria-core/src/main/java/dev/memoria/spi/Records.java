package dev.memoria.spi;

import dev.memoria.ConflictException;
import dev.memoria.Ids;
import dev.memoria.InvalidTransitionException;
import dev.memoria.Limits;
import dev.memoria.SessionEndedException;
import dev.memoria.internal.Checks;
import dev.memoria.internal.Json;
import dev.memoria.run.NewRun;
import dev.memoria.run.Run;
import dev.memoria.run.RunStatus;
import dev.memoria.session.NewSession;
import dev.memoria.session.Session;
import dev.memoria.session.SessionStatus;
import java.time.Instant;
import java.util.Objects;

/**
 * How a write becomes a stored session or run, written once for every backend: what
 * {@code create} stores for a spec, and what {@code update} stores for a changed record (which
 * fields come from the caller, which stay the store's, and the rules an update must pass).
 * A backend calls these and stores what they return; so does a custom backend.
 */
public final class Records {
    private Records() {
    }

    /**
     * The session {@code create} stores (S1): ACTIVE, version 1, created, updated and last active
     * now, a UUIDv7 id when the spec has none.
     *
     * @param spec what to create
     * @param now the store clock's now
     * @return the session to store
     */
    public static Session created(NewSession spec, Instant now) {
        Objects.requireNonNull(spec, "spec");
        return new Session(spec.id() == null ? Ids.next() : spec.id(), spec.userId(), SessionStatus.ACTIVE, now, now, now,
                null, spec.labels(), spec.metadata(), 1);
    }

    /**
     * The session {@code touch} stores: lastActivityAt moved forward to {@code activityAt}, or
     * the session as it is if that is not later.
     *
     * @param stored the session as stored
     * @param activityAt when the activity happened
     * @return the session to store (the same instance when nothing changes)
     */
    public static Session touched(Session stored, Instant activityAt) {
        Instant at = activityAt.truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        if (!at.isAfter(stored.lastActivityAt())) {
            return stored;
        }
        return new Session(stored.id(), stored.userId(), stored.status(), stored.createdAt(), stored.updatedAt(), at,
                stored.endedAt(), stored.labels(), stored.metadata(), stored.version());
    }

    /**
     * The run {@code create} stores (R1): the spec's status (PENDING unless given), version 1.
     *
     * @param spec what to create
     * @param now the store clock's now
     * @return the run to store
     */
    public static Run created(NewRun spec, Instant now) {
        Objects.requireNonNull(spec, "spec");
        return new Run(spec.id() == null ? Ids.next() : spec.id(), spec.sessionId(), spec.agentId(), spec.parentRunId(),
                spec.status(), now, now, null, spec.labels(), spec.metadata(), null, 1);
    }

    /**
     * The session {@code update} stores in place of {@code stored}: userId, status, labels and
     * metadata from {@code changed} (checked against the write-time limits), the rest the
     * store's (lastActivityAt included: see {@link dev.memoria.session.SessionStore#touch}); version
     * + 1, updated now, ended now when it becomes ENDED.
     *
     * @param stored the session as stored
     * @param changed the caller's changed copy
     * @param now the store clock's now
     * @return the session to store
     * @throws dev.memoria.SessionEndedException if the stored session has ended (S6)
     * @throws dev.memoria.ConflictException if {@code changed} has a stale version (S4)
     * @throws IllegalArgumentException if a changed field breaks a limit
     */
    public static Session updated(Session stored, Session changed, Instant now) {
        // S6 first: an ENDED session is read-only whatever the version; then S4
        if (!stored.isActive()) {
            throw new SessionEndedException(stored.id());
        }
        if (stored.version() != changed.version()) {
            throw ConflictException.staleVersion("session", stored.id(), changed.version(), stored.version());
        }
        return new Session(stored.id(), Checks.optionalId(changed.userId(), "userId"), changed.status(),
                stored.createdAt(), now, stored.lastActivityAt(), changed.status() == SessionStatus.ENDED ? now : null,
                Checks.labels(changed.labels(), "labels"),
                Json.copyOf(changed.metadata(), "metadata", Limits.MAX_METADATA_BYTES), stored.version() + 1);
    }

    /**
     * The run {@code update} stores in place of {@code stored}: status, labels, metadata and
     * error from {@code changed} (checked against the write-time limits), the rest the store's;
     * version + 1, updated now, ended now when it enters a terminal status (R2).
     *
     * @param stored the run as stored
     * @param changed the caller's changed copy
     * @param now the store clock's now
     * @return the run to store
     * @throws dev.memoria.InvalidTransitionException if the run is terminal or the change is not allowed (R2)
     * @throws dev.memoria.ConflictException if {@code changed} has a stale version (R4)
     * @throws IllegalArgumentException if a changed field breaks a limit
     */
    public static Run updated(Run stored, Run changed, Instant now) {
        // a terminal run never changes; a stale writer gets the conflict, not the transition error
        if (stored.status().isTerminal()) {
            throw new InvalidTransitionException(stored.id(), stored.status(), changed.status());
        }
        if (stored.version() != changed.version()) {
            throw ConflictException.staleVersion("run", stored.id(), changed.version(), stored.version());
        }
        if (!stored.status().canBecome(changed.status())) {
            throw new InvalidTransitionException(stored.id(), stored.status(), changed.status());
        }
        RunStatus status = changed.status();
        return new Run(stored.id(), stored.sessionId(), stored.agentId(), stored.parentRunId(), status,
                stored.startedAt(), now, status.isTerminal() ? now : null, Checks.labels(changed.labels(), "labels"),
                Json.copyOf(changed.metadata(), "metadata", Limits.MAX_METADATA_BYTES),
                Checks.optionalText(changed.error(), "error", Limits.MAX_ERROR_LENGTH), stored.version() + 1);
    }
}
