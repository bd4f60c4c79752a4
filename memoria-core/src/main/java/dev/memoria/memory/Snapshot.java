package dev.memoria.memory;

import dev.memoria.run.RunRef;
import java.util.List;
import java.util.Objects;

/**
 * A run's whole memory, oldest first.
 *
 * @param run the run
 * @param events every event by ascending sequence
 */
public record Snapshot(RunRef run, List<MemoryEvent> events) {
    /** Copies the list. */
    public Snapshot {
        Objects.requireNonNull(run, "run");
        events = List.copyOf(events);
    }

    /** @return the last event's sequence, or 0 if there is none */
    public long lastSequence() {
        return events.isEmpty() ? 0 : events.get(events.size() - 1).sequence();
    }

    /** @return whether the run has no events */
    public boolean isEmpty() {
        return events.isEmpty();
    }

    @Override
    public String toString() {
        return "Snapshot[" + run + ", " + events.size() + " events]";
    }
}
