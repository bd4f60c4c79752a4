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

    /**
     * An agent from a function, for small agents and tests:
     * {@code Agent.of("echo", turn -> turn.say("You said: " + turn.input()))}.
     *
     * @param id the agent's id
     * @param handler what it does with each turn
     * @return the agent
     */
    static Agent of(String id, Handler handler) {
        String checked = dev.memoria.internal.Checks.id(id, "id");
        java.util.Objects.requireNonNull(handler, "handler");
        return new Agent() {
            @Override
            public String id() {
                return checked;
            }

            @Override
            public void handle(Turn turn) throws Exception {
                handler.handle(turn);
            }

            @Override
            public String toString() {
                return "Agent[" + checked + "]";
            }
        };
    }

    /** What an agent made with {@link #of(String, Handler)} does with a turn. */
    @FunctionalInterface
    interface Handler {
        /**
         * @param turn the session, the run, the input and the history, and where to emit events
         * @throws Exception any failure; the run is then marked FAILED
         */
        void handle(Turn turn) throws Exception;
    }
}
