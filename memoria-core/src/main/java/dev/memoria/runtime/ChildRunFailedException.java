package dev.memoria.runtime;

import dev.memoria.MemoriaException;

/**
 * A child run (A8) did not complete, thrown by {@link RunResult#orThrow()} when a parent agent
 * chooses to fail with its child.
 */
public final class ChildRunFailedException extends MemoriaException {
    private static final long serialVersionUID = 1L;
    private final transient RunResult result;

    ChildRunFailedException(RunResult result) {
        super("run " + result.run().id() + " of agent " + result.run().agentId() + " ended " + result.run().status()
                + (result.run().error() == null ? "" : ": " + result.run().error()));
        this.result = result;
    }

    /** @return the child's result */
    public RunResult result() {
        return result;
    }
}
