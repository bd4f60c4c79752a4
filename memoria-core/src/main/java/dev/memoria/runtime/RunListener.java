package dev.memoria.runtime;

import dev.memoria.memory.MemoryEvent;
import dev.memoria.run.Run;

/**
 * Hears what a runtime's runs do (A10): each call comes after the write it reports, in the order
 * of the writes, on the thread of the run. An exception a listener throws is logged and never
 * fails the run. Register with {@link AgentRuntime.Builder#listener(RunListener)}.
 */
public interface RunListener {
    /**
     * A run started executing: a new run, a resumed one, or a child run.
     *
     * @param run the run, RUNNING
     */
    default void onStart(Run run) {
    }

    /**
     * An event was stored in a run's log (the user's message, each emitted event, the records of
     * a suspension, a resume or an approval).
     *
     * @param run the run
     * @param event the event as stored
     */
    default void onEvent(Run run, MemoryEvent event) {
    }

    /**
     * A run stopped executing: COMPLETED, FAILED, CANCELED, or PAUSED until it is resumed.
     *
     * @param run the run in the status it stopped with
     */
    default void onEnd(Run run) {
    }
}
