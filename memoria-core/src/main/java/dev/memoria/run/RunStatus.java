package dev.memoria.run;

import java.util.EnumSet;
import java.util.Set;

/**
 * The lifecycle of a run (contract R2):
 * PENDING → RUNNING | FAILED | CANCELED; RUNNING → PAUSED | COMPLETED | FAILED | CANCELED;
 * PAUSED → RUNNING | FAILED | CANCELED. COMPLETED, FAILED and CANCELED are terminal.
 */
public enum RunStatus {
    /** Created, not started. */
    PENDING,
    /** Being executed. */
    RUNNING,
    /** Suspended, waiting for input; may resume. */
    PAUSED,
    /** Finished normally. Terminal. */
    COMPLETED,
    /** Finished with an error. Terminal. */
    FAILED,
    /** Stopped on request. Terminal. */
    CANCELED;

    /** @return whether the run can no longer change */
    public boolean isTerminal() {
        return this == COMPLETED || this == FAILED || this == CANCELED;
    }

    /** @return the statuses this one may move to (not counting staying the same) */
    public Set<RunStatus> allowedNext() {
        return switch (this) {
            case PENDING -> EnumSet.of(RUNNING, FAILED, CANCELED);
            case RUNNING -> EnumSet.of(PAUSED, COMPLETED, FAILED, CANCELED);
            case PAUSED -> EnumSet.of(RUNNING, FAILED, CANCELED);
            default -> EnumSet.noneOf(RunStatus.class);
        };
    }

    /**
     * @param next a status
     * @return whether an update may move a run from this status to {@code next}; staying in a
     *     non-terminal status is allowed (to change labels or metadata)
     */
    public boolean canBecome(RunStatus next) {
        return (this == next && !isTerminal()) || allowedNext().contains(next);
    }
}
