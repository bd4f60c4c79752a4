package dev.memoria.fact;

import dev.memoria.run.RunRef;
import java.util.Objects;

/**
 * Where a fact was learned: a run and the sequence of the event in its log, so that every fact
 * can be traced back to the conversation it came from.
 *
 * @param run the run
 * @param sequence the event's sequence in the run's log; 0 for the run as a whole
 */
public record FactSource(RunRef run, long sequence) {
    /** Checks the fields. */
    public FactSource {
        Objects.requireNonNull(run, "source run");
        if (sequence < 0) {
            throw new IllegalArgumentException("source sequence: must not be negative, got " + sequence);
        }
    }

    @Override
    public String toString() {
        return run.runId() + "#" + sequence;
    }
}
