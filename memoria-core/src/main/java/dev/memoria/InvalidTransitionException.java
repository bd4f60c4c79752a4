package dev.memoria;

import dev.memoria.internal.Checks;

import dev.memoria.run.RunStatus;

/**
 * A run update asked for a status change the run lifecycle does not allow (R2), for example
 * COMPLETED → RUNNING. A run in a terminal status never changes.
 */
public class InvalidTransitionException extends MemoriaException {
    private static final long serialVersionUID = 1L;
    private final String runId;
    private final RunStatus from;
    private final RunStatus to;

    /**
     * @param runId the run
     * @param from its stored status
     * @param to the status asked for
     */
    public InvalidTransitionException(String runId, RunStatus from, RunStatus to) {
        super("run " + Checks.shorten(runId) + ": cannot go from " + from + " to " + to
                + (from.isTerminal() ? " (" + from + " is terminal: the run can no longer change)"
                        : " (allowed: " + from.allowedNext() + ")"));
        this.runId = runId;
        this.from = from;
        this.to = to;
    }

    /** @return the run's id */
    public String runId() {
        return runId;
    }

    /** @return the stored status */
    public RunStatus from() {
        return from;
    }

    /** @return the status that was asked for */
    public RunStatus to() {
        return to;
    }
}
