package dev.memoria.runtime;

import dev.memoria.memory.Event;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.run.Run;
import dev.memoria.session.Session;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What an {@link Agent} sees and does in one run, or in one half of a run that paused and was
 * resumed (A6). Not thread-safe: use it from the agent's thread.
 */
public interface Turn {
    /** @return the session the run belongs to */
    Session session();

    /** @return the run being executed (RUNNING) */
    Run run();

    /**
     * @return the user's message that started the run; on a resume, the resume input (for an
     *     approval: "granted" or "denied: reason")
     */
    String input();

    /**
     * @return the session's earlier user and assistant messages (before this run; on a resume,
     *     from before the run started), oldest first, at most the runtime's history window, as the
     *     session's context view shows them (A2, C2: after a compaction its SUMMARY comes first)
     */
    List<MemoryEvent> history();

    /**
     * @return this run's own events so far, oldest first: on a resume, everything the run stored
     *     before it paused, then the records of the resume; then what this turn emitted
     */
    List<MemoryEvent> events();

    /** @return the suspension this turn resumes, or empty on a run's first turn */
    Optional<Suspension> suspension();

    /** @return the decision when this turn resumes an approval (A7), already stored as an event */
    Optional<Approval> approval();

    /**
     * Persists an event in the run's memory now, before returning.
     *
     * @param event the event
     * @return the event as stored, with its sequence
     * @throws dev.memoria.RunNotRunningException if the run is no longer RUNNING (canceled, or
     *     marked FAILED by {@code recover} in another process); nothing is written and the agent
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

    /**
     * @return whether the run was canceled (A9), read from the run store so that a cancel from
     *     another process is seen; once true, {@link #emit} throws
     */
    boolean isCanceled();

    /**
     * Pauses the run (A5): stores the suspension and leaves {@code handle} by throwing. The run
     * becomes PAUSED and continues when {@link AgentRuntime#resume} is called, in any process.
     * The suspension's id is the run's count of suspensions so far plus one, so an agent that
     * repeats its steps after a crash writes the same suspension again, which is a no-op.
     *
     * @param reason why: an id-like word such as {@code "QUESTION"}
     * @param data what the agent needs to continue, JSON values
     * @return never returns normally; declared so that callers can write {@code throw turn.suspend(…)}
     * @throws RunSuspendedException always, once the suspension is stored
     */
    RunSuspendedException suspend(String reason, Map<String, ?> data);

    /**
     * Like {@link #suspend(String, Map)} with the agent's own suspension id: the same id with the
     * same reason and data again is a no-op, with other content a
     * {@link dev.memoria.KeyConflictException}.
     *
     * @param id the suspension's id, unique within the run
     * @param reason why
     * @param data what the agent needs to continue
     * @return never returns normally
     * @throws RunSuspendedException always, once the suspension is stored
     */
    RunSuspendedException suspend(String id, String reason, Map<String, ?> data);

    /**
     * Asks a person to approve a tool call before it runs (A7): stores the TOOL_CALL and suspends
     * with reason {@link Suspension#APPROVAL}. The call is stored once per key: give it a key
     * derived from its call id ({@code Event.toolCall(…).withKey("call:" + callId)}) so that an
     * agent repeating the step after a crash does not store it twice. Resume with an {@link Approval}:
     * on a grant {@link #approval()} tells the agent to execute the call; on a denial the runtime
     * has already stored the call's error result ("denied: reason") and the agent goes on.
     *
     * @param toolCall a {@link dev.memoria.memory.EventType#TOOL_CALL} event
     * @return never returns normally
     * @throws RunSuspendedException always, once the call and the suspension are stored
     */
    RunSuspendedException requestApproval(Event toolCall);

    /**
     * Runs another agent as a child run of this one (A8), in the same session, now, on this
     * thread: its events are in its own log and its {@code parentRunId} is this run. A child that
     * fails does not fail this run unless the agent lets it (see {@link RunResult#orThrow()}).
     *
     * @param agent the child agent
     * @param input its user message
     * @return the child's result, COMPLETED, FAILED, CANCELED or PAUSED
     */
    RunResult delegate(Agent agent, String input);

    /**
     * @return the namespace of this session's long-term facts: the runtime's choice
     *     ({@link AgentRuntime.Builder#factNamespace}), by default {@code users/<userId>}, or
     *     {@code sessions/<sessionId>} for a session without user
     */
    dev.memoria.fact.Namespace factNamespace();

    /**
     * Searches the session's facts ({@link #factNamespace()}) for what the agent should know now:
     * by words, or by words and similarity fused when the runtime has an embedder. A word search
     * finds facts holding <em>every</em> word of the query, so give it the words a fact would
     * hold ("name", "tea"), not a question; similarity (with an embedder) is what matches meaning.
     *
     * @param query what to look for
     * @param limit how many facts at most, 1 to {@value dev.memoria.Limits#MAX_PAGE_SIZE}
     * @return the best matches first
     * @throws UnsupportedOperationException if the stores have no fact store
     */
    List<dev.memoria.fact.FactMatch> recall(String query, int limit);

    /**
     * @param query what to look for
     * @return the 5 best matches, as {@link #recall(String, int)}
     */
    default List<dev.memoria.fact.FactMatch> recall(String query) {
        return recall(query, 5);
    }

    /**
     * Keeps a fact in the session's namespace, its source this run and its last event so far,
     * so that a later session can {@linkplain #recall recall} it.
     *
     * @param key what it is about, so that a later fact of that key supersedes it (K2); null for none
     * @param text the fact
     * @return the stored fact
     * @throws UnsupportedOperationException if the stores have no fact store
     */
    dev.memoria.fact.Fact remember(String key, String text);

    /**
     * @param text a fact without key
     * @return the stored fact, as {@link #remember(String, String)}
     */
    default dev.memoria.fact.Fact remember(String text) {
        return remember(null, text);
    }
}
