package dev.memoria.runtime;

/**
 * An agent: given a {@link Turn}, it emits events (thinking, tool calls and results, replies).
 * The runtime persists each event as it is emitted, so a crash loses nothing already emitted.
 * An agent instance may be shared by concurrent runs, so it should keep no per-run state.
 */
public interface Agent {
    /** @return the agent's id, stored in each run it executes */
    String id();

    /**
     * Handles one user message.
     *
     * @param turn the session, the run, the input and the history, and where to emit events
     * @throws Exception any failure; the run is then marked FAILED with its message (A1). An
     *     {@link Error} marks the run FAILED too and is then rethrown; an
     *     {@link InterruptedException} leaves the thread's interrupt flag set
     */
    void handle(Turn turn) throws Exception;
}
