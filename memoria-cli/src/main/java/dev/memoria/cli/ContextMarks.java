package dev.memoria.cli;

import dev.memoria.Limits;
import dev.memoria.Page;
import dev.memoria.StoreStateException;
import dev.memoria.Stores;
import dev.memoria.context.Context;
import dev.memoria.context.Fork;
import dev.memoria.context.Position;
import dev.memoria.context.Summary;
import dev.memoria.context.View;
import dev.memoria.memory.EventQuery;
import dev.memoria.memory.EventType;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.run.RunRef;
import dev.memoria.session.Session;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the context markers of a session say about each of its events, for the commands that
 * explain a view ({@code view}, {@code show}, {@code rewind}, {@code fork}): the session's lineage
 * (a fork, the session it was forked from, and so on), the summary in effect (as
 * {@link Context#view} finds it), the rewound ranges, and the numbers {@code view} prints in front of
 * its lines.
 *
 * <p>A rewound event stays hidden for good: a summary is only ever made from a view, which leaves
 * rewound events out, and a rewind that reaches back into what a summary covers voids that summary.
 * So an event is <em>rewound</em> when a REWIND marker of the lineage (each parent's only up to the
 * fork) hides it, else <em>summarized</em> when it is at or before the end of the summary in effect,
 * else visible. Reads O(markers) events, plus one view of at most {@value Limits#MAX_PAGE_SIZE}
 * events for the numbers.
 */
final class ContextMarks {
    /** The message and tool event types a compaction reads and {@code view --tools} shows. */
    static final Set<EventType> CONVERSATION = Context.CONVERSATION;

    /**
     * One session of the lineage.
     *
     * @param session the session
     * @param fork its own fork record, or null when it is no fork
     * @param upper the last event of it that the next newer session inherits, or null for the session itself
     * @param markerLimit the last sequence of its context log that applies
     */
    record Segment(Session session, Fork fork, Position upper, long markerLimit) {
        String id() {
            return session.id();
        }
    }

    /**
     * A rewound range: the events after {@code after} up to and including {@code through} (the
     * REWIND marker's own position) are hidden.
     */
    record Range(Position after, Position through, MemoryEvent marker) {
    }

    /** What a mark says about an event. */
    enum Mark {
        VISIBLE, SUMMARIZED, REWOUND
    }

    final String sessionId;
    /** The session first, then the one it was forked from, and so on. */
    final List<Segment> newestFirst;
    /** The id of a session of the lineage that is not in the store, or null when the lineage is whole. */
    final String missingAncestor;
    final Summary summary;
    final List<Range> rewound;
    /** The view's events after its summary that {@code view} numbers, oldest first: 1 is the first. */
    final List<MemoryEvent> numbered;
    private final Map<String, Integer> numbers = new HashMap<>();
    private final Map<String, Integer> rank = new HashMap<>();

    private ContextMarks(String sessionId, List<Segment> newestFirst, String missingAncestor, Summary summary, List<Range> rewound,
            List<MemoryEvent> numbered) {
        this.sessionId = sessionId;
        this.newestFirst = List.copyOf(newestFirst);
        this.missingAncestor = missingAncestor;
        this.summary = summary;
        this.rewound = List.copyOf(rewound);
        this.numbered = List.copyOf(numbered);
        for (int i = 0; i < newestFirst.size(); i++) {
            rank.put(newestFirst.get(i).id(), newestFirst.size() - 1 - i);
        }
        for (int i = 0; i < numbered.size(); i++) {
            numbers.put(key(numbered.get(i)), i + 1);
        }
    }

    /**
     * Reads the markers of an existing session and its lineage. A lineage with a missing session
     * (a fork imported without its parent) is described as far as it goes: no summary, no numbers.
     */
    static ContextMarks of(Stores stores, Session session) {
        Context context = Context.of(stores);
        List<Segment> segments = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        String missing = null;
        Session current = session;
        Position upper = null;
        long limit = Long.MAX_VALUE;
        while (current != null && seen.add(current.id()) && segments.size() <= 100) {
            Fork fork = context.forkedFrom(current.id()).orElse(null);
            segments.add(new Segment(current, fork, upper, limit));
            if (fork == null) {
                break;
            }
            upper = fork.at();
            limit = fork.parentMarkers();
            current = stores.sessions().get(fork.parentId()).orElse(null);
            if (current == null) {
                missing = fork.parentId();
            }
        }
        Summary summary = null;
        List<MemoryEvent> numbered = new ArrayList<>();
        if (missing == null) {
            View view = context.view(session.id(), Limits.MAX_PAGE_SIZE, CONVERSATION);
            summary = view.summary().orElse(null);
            for (MemoryEvent e : view.unsummarized()) {
                if (!isSynthetic(e)) {
                    numbered.add(e);
                }
            }
        }
        List<Range> rewound = new ArrayList<>();
        for (Segment segment : segments) {
            RunRef log = log(segment.id());
            long after = 0;
            while (true) {
                Page<MemoryEvent> page = stores.memory().read(EventQuery.run(log).after(after).types(EventType.REWIND)
                        .limit(Limits.MAX_PAGE_SIZE));
                for (MemoryEvent marker : page.items()) {
                    Position to = marker.sequence() <= segment.markerLimit() ? position(marker.data().get("to"), "to") : null;
                    // a parent's rewind past what the fork inherits hides nothing the fork sees
                    if (to != null && (segment.upper() == null || !to.sessionId().equals(segment.id())
                            || compareInSession(to, segment.upper()) < 0)) {
                        rewound.add(new Range(to, Position.of(marker), marker));
                    }
                    after = marker.sequence();
                }
                if (!page.hasNext()) {
                    break;
                }
            }
        }
        return new ContextMarks(session.id(), segments, missing, summary, rewound, numbered);
    }

    /** The run that holds a session's markers. */
    static RunRef log(String sessionId) {
        return new RunRef(sessionId, Context.AGENT_ID, Context.logRunId(sessionId));
    }

    /** Whether a run is a context log: its markers, not a conversation's events. */
    static boolean isLog(String agentId) {
        return Context.AGENT_ID.equals(agentId);
    }

    /** A tool result the view made up for a call without one (C3): never stored. */
    static boolean isSynthetic(MemoryEvent e) {
        return Boolean.TRUE.equals(e.data().get("synthetic"));
    }

    static String key(MemoryEvent e) {
        return e.run().runId() + "#" + e.sequence();
    }

    /** A position as a marker records it; a malformed one is reported, not guessed. */
    static Position position(Object value, String what) {
        if (value instanceof Map<?, ?> m && m.get("session") instanceof String s && m.get("timestamp") instanceof String t
                && m.get("run") instanceof String r && m.get("sequence") instanceof Number n) {
            return new Position(s, Instant.parse(t), r, n.longValue());
        }
        throw new StoreStateException("a context marker's " + what + " is not a position: " + value);
    }

    /** @return whether the session is a fork */
    boolean isFork() {
        return newestFirst.get(0).fork() != null;
    }

    /** @return the number {@code view} prints in front of the event, or 0 when it has none */
    int number(MemoryEvent e) {
        return numbers.getOrDefault(key(e), 0);
    }

    /** @return the event numbered n, or empty */
    Optional<MemoryEvent> numbered(int n) {
        return n >= 1 && n <= numbered.size() ? Optional.of(numbered.get(n - 1)) : Optional.empty();
    }

    /** What the markers say about an event of the lineage (markers themselves are always VISIBLE). */
    Mark mark(MemoryEvent e) {
        if (isLog(e.run().agentId())) {
            return Mark.VISIBLE;
        }
        Position p = Position.of(e);
        for (Range r : rewound) {
            if (compare(r.after(), p) < 0 && compare(p, r.through()) <= 0) {
                return Mark.REWOUND;
            }
        }
        if (summary != null && compare(p, summary.upTo()) <= 0) {
            return Mark.SUMMARIZED;
        }
        return Mark.VISIBLE;
    }

    /** Whether an event of an ancestor's log is in the prefix the next newer session inherits. */
    static boolean inherited(Segment segment, MemoryEvent e) {
        if (segment.upper() == null) {
            return true;
        }
        if (isLog(e.run().agentId())) {
            return e.sequence() <= segment.markerLimit();
        }
        return compareInSession(Position.of(e), segment.upper()) <= 0;
    }

    /** Inherited events come before a fork's own; within a session, the session order (timestamp, run id, sequence). */
    int compare(Position a, Position b) {
        if (a.sessionId().equals(b.sessionId())) {
            return compareInSession(a, b);
        }
        return Integer.compare(rank.getOrDefault(a.sessionId(), -1), rank.getOrDefault(b.sessionId(), -1));
    }

    static int compareInSession(Position a, Position b) {
        int byTime = a.timestamp().compareTo(b.timestamp());
        if (byTime != 0) {
            return byTime;
        }
        int byRun = a.runId().compareTo(b.runId());
        return byRun != 0 ? byRun : Long.compare(a.sequence(), b.sequence());
    }
}
