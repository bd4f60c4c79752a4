package dev.memoria.run;

import dev.memoria.internal.Checks;

/**
 * Names a run's memory: the session it belongs to, the agent that runs it, and the run's id.
 * Get one from {@link Run#ref()}.
 *
 * @param sessionId the session's id
 * @param agentId the agent's id
 * @param runId the run's id
 */
public record RunRef(String sessionId, String agentId, String runId) {
    /** Checks the three ids. */
    public RunRef {
        Checks.id(sessionId, "sessionId");
        Checks.id(agentId, "agentId");
        Checks.id(runId, "runId");
    }

    @Override
    public String toString() {
        return "RunRef[" + Checks.shorten(runId) + " of " + Checks.shorten(agentId) + " in "
                + Checks.shorten(sessionId) + "]";
    }
}
