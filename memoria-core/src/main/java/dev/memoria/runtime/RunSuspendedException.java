package dev.memoria.runtime;

import dev.memoria.MemoriaException;

/**
 * Thrown by {@link Turn#suspend} to leave the agent's {@code handle} once the suspension is
 * stored. Let it through: the runtime catches it and pauses the run (an agent that catches it by
 * mistake still pauses, since the suspension is already written).
 */
public final class RunSuspendedException extends MemoriaException {
    private static final long serialVersionUID = 1L;
    private final transient Suspension suspension;

    RunSuspendedException(Suspension suspension) {
        super("run paused: " + suspension.reason() + " (suspension " + suspension.id() + ")");
        this.suspension = suspension;
    }

    /** @return the stored suspension */
    public Suspension suspension() {
        return suspension;
    }
}
