package dev.memoria;

import dev.memoria.run.RunStatus;
import dev.memoria.internal.Checks;

/**
 * An agent emitted into a run that is no longer RUNNING: another process marked it FAILED
 * ({@code recover}), or it was canceled or finished elsewhere. Nothing was written; the agent
 * should stop, and the runtime ends its turn with the run as stored.
 */
public class RunNotRunningException extends MemoriaException {
    private static final long serialVersionUID = 1L;
    private final String runId;
    private final RunStatus status;

    /**
     * @param runId the run
     * @param status its stored status
     */
    public RunNotRunningException(String runId, RunStatus status) {
        super("run " + Checks.shorten(runId) + " is " + status + ", not RUNNING: it takes no more events");
        this.runId = runId;
        this.status = status;
    }

    /** @return the run's id */
    public String runId() {
        return runId;
    }

    /** @return the run's stored status */
    public RunStatus status() {
        return status;
    }
}
