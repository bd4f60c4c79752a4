package dev.memoria.runtime;

import dev.memoria.memory.Event;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.run.Run;
import dev.memoria.session.Session;
import java.util.List;

/**
 * What an {@link Agent} sees and does in one run. Not thread-safe: emit from the agent's thread.
 */
public interface Turn {
    /** @return the session the run belongs to */
    Session session();

    /** @return the run being executed (RUNNING) */
    Run run();

    /** @return the user's message that started the run */
    String input();

    /**
     * @return the session's earlier user and assistant messages (before this run), oldest first,
     *     at most the runtime's history window (A2)
     */
    List<MemoryEvent> history();

    /**
     * Persists an event in the run's memory now, before returning.
     *
     * @param event the event
     * @return the event as stored, with its sequence
     * @throws dev.memoria.RunNotRunningException if the run is no longer RUNNING (another process
     *     marked it FAILED with {@code recover}, or ended it); nothing is written and the agent
     *     should stop
     */
    MemoryEvent emit(Event event);

    /**
     * Emits an assistant message.
     *
     * @param text the reply
     * @return the stored event
     */
    default MemoryEvent say(String text) {
        return emit(Event.assistantMessage(text));
    }
}
