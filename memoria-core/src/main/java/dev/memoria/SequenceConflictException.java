package dev.memoria;

import dev.memoria.internal.Checks;

/**
 * A compare-and-append ({@code appendAfter}) expected a last sequence the run no longer has
 * (M11): another writer appended first, and nothing was written.
 */
public class SequenceConflictException extends ConflictException {
    private static final long serialVersionUID = 1L;
    private final String runId;
    private final long expectedLastSequence;
    private final long actualLastSequence;

    /**
     * @param runId the run
     * @param expectedLastSequence the last sequence the caller expected
     * @param actualLastSequence the run's real last sequence
     */
    public SequenceConflictException(String runId, long expectedLastSequence, long actualLastSequence) {
        super(format("append conflict on run %s: expected last sequence %d, actual %d", Checks.shorten(runId),
                expectedLastSequence, actualLastSequence));
        this.runId = runId;
        this.expectedLastSequence = expectedLastSequence;
        this.actualLastSequence = actualLastSequence;
    }

    /** @return the run's id */
    public String runId() {
        return runId;
    }

    /** @return the last sequence the caller expected */
    public long expectedLastSequence() {
        return expectedLastSequence;
    }

    /** @return the run's real last sequence when the append was refused */
    public long actualLastSequence() {
        return actualLastSequence;
    }
}
