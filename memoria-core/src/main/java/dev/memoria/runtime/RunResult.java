package dev.memoria.runtime;

import dev.memoria.memory.EventType;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.run.Run;
import dev.memoria.run.RunStatus;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of {@link AgentRuntime#run}, {@link AgentRuntime#resume} or {@link Turn#delegate}:
 * the run in the status it stopped with and its events, the user's message first.
 *
 * @param run the run: COMPLETED, FAILED, CANCELED, or PAUSED (then {@code suspension} says why)
 * @param events the run's events in order, from its first one (a resumed run's earlier halves too)
 * @param suspension why the run paused, when it is PAUSED
 */
public record RunResult(Run run, List<MemoryEvent> events, Optional<Suspension> suspension) {
    /** Copies the list and checks that a suspension comes with a PAUSED run only. */
    public RunResult {
        Objects.requireNonNull(run, "run");
        events = List.copyOf(events);
        Objects.requireNonNull(suspension, "suspension");
        if (suspension.isPresent() != (run.status() == RunStatus.PAUSED)) {
            throw new IllegalArgumentException("suspension: present exactly when the run is PAUSED, run is " + run.status());
        }
    }

    /** @return whether the agent finished normally */
    public boolean succeeded() {
        return run.status() == RunStatus.COMPLETED;
    }

    /** @return whether the run waits to be resumed */
    public boolean paused() {
        return run.status() == RunStatus.PAUSED;
    }

    /**
     * For a parent agent that fails with its child (A8): {@code turn.delegate(a, "…").orThrow()}.
     *
     * @return this result, when the run COMPLETED
     * @throws ChildRunFailedException when it FAILED, was CANCELED or PAUSED
     */
    public RunResult orThrow() {
        if (!succeeded()) {
            throw new ChildRunFailedException(this);
        }
        return this;
    }

    /** @return the text of the run's last assistant message, if any */
    public Optional<String> reply() {
        for (int i = events.size() - 1; i >= 0; i--) {
            if (events.get(i).type() == EventType.ASSISTANT_MESSAGE) {
                return events.get(i).textIfAny();
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "RunResult[" + run.id() + ", " + run.status() + ", " + events.size() + " events"
                + suspension.map(s -> ", " + s).orElse("") + "]";
    }
}
