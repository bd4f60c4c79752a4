package dev.memoria.context;

import dev.memoria.memory.MemoryEvent;
import java.util.List;
import java.util.Optional;

/**
 * What a model should see of a session (C2): its newest summary first, then the events after what
 * the summary covers, oldest first, without the rewound ones, a fork's inherited prefix included.
 * Tool calls and results always pair up (C3): a call whose run ended without a result comes with a
 * synthetic error result (never stored; data {@code synthetic: true}), and a result whose call is
 * outside the view is left out. A view is also the basis of a compaction (C4): compacting from a
 * view whose session's markers have moved on since is a conflict. Immutable.
 */
public final class View {
    private final String sessionId;
    private final Summary summary;
    private final List<MemoryEvent> events;
    private final long basis;
    private final List<Summary.Range> hidden;
    private final Context.Chain chain;

    View(String sessionId, Summary summary, List<MemoryEvent> events, long basis, List<Summary.Range> hidden, Context.Chain chain) {
        this.sessionId = sessionId;
        this.summary = summary;
        this.events = List.copyOf(events);
        this.basis = basis;
        this.hidden = List.copyOf(hidden);
        this.chain = chain;
    }

    /** @return the session */
    public String sessionId() {
        return sessionId;
    }

    /** @return the newest summary in effect, if the session was compacted */
    public Optional<Summary> summary() {
        return Optional.ofNullable(summary);
    }

    /** @return what the model sees, oldest first: the SUMMARY event first when there is one, then the events after it */
    public List<MemoryEvent> events() {
        return events;
    }

    /** @return the events after the summary, oldest first */
    public List<MemoryEvent> unsummarized() {
        return summary == null ? events : events.subList(1, events.size());
    }

    long basis() {
        return basis;
    }

    List<Summary.Range> hidden() {
        return hidden;
    }

    Context.Chain chain() {
        return chain;
    }

    @Override
    public String toString() {
        return "View[" + sessionId + ", " + unsummarized().size() + " events" + (summary == null ? "" : ", after " + summary) + "]";
    }
}
