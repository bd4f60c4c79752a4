package dev.memoria.runtime;

import dev.memoria.memory.EventType;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.run.Run;
import dev.memoria.run.RunStatus;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of {@link AgentRuntime#run}: the run in its final status and the events it stored,
 * the user's message first.
 *
 * @param run the run, COMPLETED or FAILED
 * @param events the run's events in order
 */
public record RunResult(Run run, List<MemoryEvent> events) {
    /** Copies the list. */
    public RunResult {
        Objects.requireNonNull(run, "run");
        events = List.copyOf(events);
    }

    /** @return whether the agent finished normally */
    public boolean succeeded() {
        return run.status() == RunStatus.COMPLETED;
    }

    /** @return the text of the run's last assistant message, if any */
    public Optional<String> reply() {
        for (int i = events.size() - 1; i >= 0; i--) {
            if (events.get(i).type() == EventType.ASSISTANT_MESSAGE) {
                return Optional.of(events.get(i).text());
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "RunResult[" + run.id() + ", " + run.status() + ", " + events.size() + " events]";
    }
}
