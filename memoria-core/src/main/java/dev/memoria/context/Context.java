package dev.memoria.context;

import dev.memoria.AlreadyExistsException;
import dev.memoria.ConflictException;
import dev.memoria.Limits;
import dev.memoria.NotFoundException;
import dev.memoria.Page;
import dev.memoria.SessionEndedException;
import dev.memoria.Stores;
import dev.memoria.internal.Checks;
import dev.memoria.internal.Labels;
import dev.memoria.memory.Event;
import dev.memoria.memory.EventQuery;
import dev.memoria.memory.EventType;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.run.NewRun;
import dev.memoria.run.Run;
import dev.memoria.run.RunRef;
import dev.memoria.run.RunStatus;
import dev.memoria.session.NewSession;
import dev.memoria.session.Session;
import dev.memoria.session.SessionFilter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A session's context: the view a model should see of its log (C2), and the markers that shape
 * it, compaction (C1, C3, C4, C9), rewind (C5) and fork (C6, C7). The log stays append-only and
 * complete: a summary and a rewind are events appended to the session's <em>context log</em> (a
 * run of agent {@value #AGENT_ID} whose id {@link #logRunId} derives from the session's), and a fork
 * is a new session that records its parent; nothing is changed, copied or removed. Built on the
 * store interfaces only, so every backend, a user's own included, gets it unchanged.
 *
 * <pre>{@code
 * Context context = Context.of(stores);
 * View view = context.view("support-42", 50);                   // what the model sees
 * context.compact("support-42", summarizer, CompactionPolicy.afterTurns(20, 10));
 * context.rewind("support-42", view.events().get(3));           // forget what came after it
 * Session alt = context.fork("support-42", view.events().get(5), "support-42-b");
 * }</pre>
 *
 * <p>A view costs O(window + markers since the newest summary), whatever the session's length (C8).
 * Thread-safe; cheap to create.
 */
public final class Context {
    /** The agent id of every context log's run. */
    public static final String AGENT_ID = "memoria.context";
    /** On a forked session: the id of the session it was forked from. */
    public static final String FORKED_FROM_LABEL = Labels.FORKED_FROM;
    /** The metadata key of a forked session's {@link Fork} record. */
    public static final String FORK_METADATA = "memoria.fork";
    /** The types of a view when none are given: user and assistant messages (as A2). */
    public static final Set<EventType> MESSAGES = Collections.unmodifiableSet(EnumSet.of(EventType.USER_MESSAGE,
            EventType.ASSISTANT_MESSAGE));
    /** The types a compaction reads and covers: messages, tool calls and tool results. */
    public static final Set<EventType> CONVERSATION = Collections.unmodifiableSet(EnumSet.of(EventType.USER_MESSAGE,
            EventType.ASSISTANT_MESSAGE, EventType.TOOL_CALL, EventType.TOOL_RESULT));
    /** How many events a compaction reads at most: the newest of the view after its summary. */
    public static final int MAX_COMPACTION_INPUT = Limits.MAX_PAGE_SIZE;
    private static final Set<EventType> MARKERS = EnumSet.of(EventType.SUMMARY, EventType.REWIND);
    private static final int MAX_LINEAGE = 100;

    private final Stores stores;

    private Context(Stores stores) {
        this.stores = Objects.requireNonNull(stores, "stores");
    }

    /**
     * @param stores where the sessions live
     * @return their context
     */
    public static Context of(Stores stores) {
        return new Context(stores);
    }

    /**
     * @param sessionId a session
     * @return the id of the run whose log holds its markers: {@code context-} and 32 hexadecimal digits
     */
    public static String logRunId(String sessionId) {
        return derivedRunId("context-", sessionId);
    }

    /** A run id every process derives alike from a session id: the prefix and 32 hexadecimal digits of SHA-256. */
    static String derivedRunId(String prefix, String sessionId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(sessionId.getBytes(StandardCharsets.UTF_8));
            return prefix + HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static RunRef log(String sessionId) {
        return new RunRef(sessionId, AGENT_ID, logRunId(sessionId));
    }

    /**
     * The session's last messages as a model should see them (C2).
     *
     * @param sessionId the session
     * @param window how many events at most after the summary, 1 to {@value Limits#MAX_PAGE_SIZE}
     * @return the view; for a session id with no session record, of the events stored under it
     */
    public View view(String sessionId, int window) {
        return view(sessionId, window, MESSAGES);
    }

    /**
     * The session's last events of the given types as a model should see them (C2, C3).
     *
     * @param sessionId the session
     * @param window how many events at most after the summary, 1 to {@value Limits#MAX_PAGE_SIZE}
     * @param types the types to include (not the marker types)
     * @return the view; for a session id with no session record, of the events stored under it
     */
    public View view(String sessionId, int window, Set<EventType> types) {
        Checks.id(sessionId, "sessionId");
        Checks.pageSize(window, "window");
        Objects.requireNonNull(types, "types");
        if (types.isEmpty()) {
            throw new IllegalArgumentException("types: name at least one event type");
        }
        for (EventType t : types) {
            if (MARKERS.contains(t) || t == EventType.UNKNOWN) {
                throw new IllegalArgumentException("types: " + t + " cannot be viewed: markers shape the view, they are not in it");
            }
        }
        Chain chain = chain(sessionId);
        long basis = lastSequence(log(sessionId));
        Markers markers = markers(chain);
        Position low = markers.summary == null ? null : markers.summary.upTo();
        List<MemoryEvent> newestFirst = new ArrayList<>();
        for (Segment segment : chain.newestFirst) {
            if (newestFirst.size() >= window) {
                break;
            }
            if (low != null && chain.rank(low.sessionId()) > chain.rank(segment.sessionId)) {
                break; // the summary covers this segment and every older one
            }
            Position segmentLow = low != null && low.sessionId().equals(segment.sessionId) ? low : null;
            readBackwards(segment, types, window - newestFirst.size(), segmentLow, markers.hidden, chain, newestFirst);
            if (segmentLow != null) {
                break;
            }
        }
        Collections.reverse(newestFirst);
        List<MemoryEvent> events = new ArrayList<>();
        if (markers.summary != null) {
            events.add(markers.summary.marker());
        }
        events.addAll(paired(newestFirst, types));
        return new View(sessionId, markers.summary, events, basis, markers.hidden, chain);
    }

    /**
     * Compacts from a view (C1, C3, C4): appends a SUMMARY that stands for the view's events up to
     * {@code upTo}; the originals stay. A cut inside an open tool call moves back before the call.
     *
     * @param basis the view the summary was made from
     * @param upTo the last event to cover, one of the view's events
     * @param text the summary
     * @param summarizer the id of what wrote it
     * @param model the model it used, or null
     * @param covered how many events the summarizer read
     * @return the recorded summary
     * @throws ConflictException if the session's markers moved since the view was read (another
     *     compaction or a rewind): nothing is written; read the view again
     * @throws IllegalArgumentException if {@code upTo} is not in the view, or nothing before it can be covered
     * @throws SessionEndedException if the session has ended
     */
    public Summary compact(View basis, MemoryEvent upTo, String text, String summarizer, String model, long covered) {
        Objects.requireNonNull(basis, "basis");
        Objects.requireNonNull(upTo, "upTo");
        Checks.text(text, "text");
        if (text.isBlank()) {
            throw new IllegalArgumentException("text: a summary must not be blank");
        }
        Checks.id(summarizer, "summarizer");
        Checks.optionalText(model, "model", Limits.MAX_ID_LENGTH);
        int cut = cut(basis, upTo);
        Position end = Position.of(basis.unsummarized().get(cut));
        List<Map<String, Object>> stillHidden = new ArrayList<>();
        for (Summary.Range r : basis.hidden()) {
            if (basis.chain().compare(r.through(), end) > 0) {
                stillHidden.add(r.toData());
            }
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("text", text);
        data.put("summarizer", summarizer);
        if (model != null) {
            data.put("model", model);
        }
        data.put("upTo", end.toData());
        data.put("covered", covered);
        data.put("hidden", stillHidden);
        MemoryEvent marker = appendMarker(basis.sessionId(), basis.basis(), Event.of(EventType.SUMMARY, data));
        return Summary.of(marker);
    }

    /**
     * Compacts a session now (C1): summarizes nothing itself, records {@code text} as the summary
     * of the session's events up to {@code upTo} (moved back before an open tool call, C3).
     *
     * @param sessionId the session
     * @param upTo the last event to cover: one of the session's last {@value #MAX_COMPACTION_INPUT}
     *     visible messages, tool calls or results
     * @param text the summary
     * @param summarizer the id of what wrote it
     * @return the recorded summary
     * @throws ConflictException if another compaction or a rewind landed meanwhile; nothing is written
     */
    public Summary compact(String sessionId, MemoryEvent upTo, String text, String summarizer) {
        View view = view(sessionId, MAX_COMPACTION_INPUT, CONVERSATION);
        int cut = cut(view, upTo);
        return compact(view, upTo, text, summarizer, null, cut + 1);
    }

    /**
     * Compacts a session if the policy says it is due (C9): reads the view (messages, tool calls
     * and results, at most {@value #MAX_COMPACTION_INPUT} events), leaves its last
     * {@link CompactionPolicy#keep()} events, moves the cut before an open tool call, and asks the
     * summarizer for the text that replaces the rest and the previous summary.
     *
     * @param sessionId the session
     * @param summarizer writes the summary
     * @param policy when and how much
     * @return the recorded summary, or empty when nothing was due
     * @throws ConflictException if another compactor recorded a summary first; nothing is written
     */
    public Optional<Summary> compact(String sessionId, Summarizer summarizer, CompactionPolicy policy) {
        Objects.requireNonNull(summarizer, "summarizer");
        Objects.requireNonNull(policy, "policy");
        View view = view(sessionId, MAX_COMPACTION_INPUT, CONVERSATION);
        if (!policy.isDue(view)) {
            return Optional.empty();
        }
        List<MemoryEvent> events = view.unsummarized();
        int last = events.size() - policy.keep() - 1;
        if (last < 0) {
            return Optional.empty();
        }
        int cut;
        try {
            cut = cut(view, events.get(last));
        } catch (IllegalArgumentException everythingIsOpen) {
            return Optional.empty();
        }
        List<MemoryEvent> input = events.subList(0, cut + 1);
        String text = summarizer.summarize(view.summary().map(Summary::text), input);
        return Optional.of(compact(view, events.get(cut), text, summarizer.id(), summarizer.model(), input.size()));
    }

    /**
     * The index in the view's events (after the summary) of the last event a cut at {@code upTo}
     * covers: moved back before any tool call whose result comes after it (C3).
     */
    private static int cut(View view, MemoryEvent upTo) {
        List<MemoryEvent> events = view.unsummarized();
        int at = -1;
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).run().equals(upTo.run()) && events.get(i).sequence() == upTo.sequence()) {
                at = i;
            }
        }
        if (at < 0) {
            throw new IllegalArgumentException("upTo: event " + upTo.sequence() + " of run " + Checks.shorten(upTo.run().runId())
                    + " is not among the session's last " + MAX_COMPACTION_INPUT + " visible messages and tool events");
        }
        while (at >= 0) {
            int firstOpen = -1;
            Map<String, Integer> open = new LinkedHashMap<>();
            for (int i = 0; i <= at; i++) {
                MemoryEvent e = events.get(i);
                if (e.type() == EventType.TOOL_CALL && e.data().get("callId") instanceof String id) {
                    open.put(id, i);
                } else if (e.type() == EventType.TOOL_RESULT && e.data().get("callId") instanceof String id) {
                    open.remove(id);
                }
            }
            for (int i : open.values()) {
                firstOpen = firstOpen < 0 ? i : Math.min(firstOpen, i);
            }
            if (firstOpen < 0) {
                return at;
            }
            at = firstOpen - 1;
        }
        throw new IllegalArgumentException("upTo: it lies inside an open tool call and nothing before the call is left to cover");
    }

    /**
     * Rewinds a session (C5): appends a REWIND marker; the view then omits the events after
     * {@code to} that came before the marker. They stay in the log, readable and exportable; a
     * summary written after {@code to} is void with them.
     *
     * @param sessionId the session
     * @param to the last event to keep, a visible event of the session or of the prefix it inherited
     * @return the REWIND marker
     * @throws IllegalArgumentException if {@code to} is not a visible event of the session
     * @throws SessionEndedException if the session has ended
     */
    public MemoryEvent rewind(String sessionId, MemoryEvent to) {
        Checks.id(sessionId, "sessionId");
        Objects.requireNonNull(to, "to");
        Chain chain = chain(sessionId);
        long basis = lastSequence(log(sessionId));
        visible(chain, markers(chain), to, "to");
        return appendMarker(sessionId, basis, Event.of(EventType.REWIND, Map.of("to", Position.of(to).toData())));
    }

    /**
     * Forks a session (C6): creates an ACTIVE session (of the same user) whose view starts with
     * this session's view up to {@code at} and goes on with its own events. One write, whatever the
     * prefix's length: nothing is copied. Later writes to either session never show in the other.
     *
     * @param sessionId the session to fork
     * @param at the last event the fork inherits, a visible event of the session
     * @param newSessionId the fork's id
     * @return the fork
     * @throws AlreadyExistsException if a session with {@code newSessionId} exists
     * @throws IllegalArgumentException if {@code at} is not a visible event of the session
     */
    public Session fork(String sessionId, MemoryEvent at, String newSessionId) {
        Checks.id(sessionId, "sessionId");
        Checks.id(newSessionId, "newSessionId");
        Objects.requireNonNull(at, "at");
        Chain chain = chain(sessionId);
        visible(chain, markers(chain), at, "at");
        Session parent = stores.sessions().get(sessionId).orElseThrow(() -> new NotFoundException("session", sessionId));
        long markers = lastSequence(log(sessionId));
        Map<String, Object> record = Map.of("parent", sessionId, "at", Position.of(at).toData(), "parentMarkers", markers);
        return stores.sessions().create(NewSession.builder().id(newSessionId).userId(parent.userId())
                .label(FORKED_FROM_LABEL, sessionId).metadata(FORK_METADATA, record).build());
    }

    /**
     * @param sessionId a session
     * @return the sessions forked from it (C6), oldest first
     */
    public List<Session> forks(String sessionId) {
        Checks.id(sessionId, "sessionId");
        SessionFilter filter = SessionFilter.all().label(FORKED_FROM_LABEL, sessionId).limit(Limits.MAX_PAGE_SIZE)
                .orderBy(dev.memoria.session.SessionOrder.OLDEST_FIRST);
        List<Session> forks = new ArrayList<>();
        Page<Session> page = stores.sessions().list(filter);
        forks.addAll(page.items());
        while (page.hasNext()) {
            page = stores.sessions().list(filter.cursor(page.nextCursor()));
            forks.addAll(page.items());
        }
        return forks;
    }

    /**
     * @param sessionId a session
     * @return where it was forked from (C6), or empty when it is no fork
     * @throws NotFoundException if there is no such session
     */
    public Optional<Fork> forkedFrom(String sessionId) {
        Session s = stores.sessions().get(Checks.id(sessionId, "sessionId"))
                .orElseThrow(() -> new NotFoundException("session", sessionId));
        Object record = s.metadata().get(FORK_METADATA);
        return record == null ? Optional.empty() : Optional.of(Fork.of(s.id(), s.createdAt(), record));
    }

    /** Checks that an event is a visible event of the chain: inherited or own, not rewound away, not summarized is not required. */
    private void visible(Chain chain, Markers markers, MemoryEvent event, String name) {
        Position p = Position.of(event);
        Integer rank = chain.rankOrNull(p.sessionId());
        Segment segment = rank == null ? null : chain.newestFirst.get(chain.newestFirst.size() - 1 - rank);
        boolean stored = rank != null && (segment.upper == null || p.compareInSession(segment.upper) <= 0)
                && stores.memory().read(EventQuery.run(event.run()).after(event.sequence() - 1).limit(1)).items().stream()
                        .anyMatch(e -> e.sequence() == event.sequence() && e.key().equals(event.key()));
        if (!stored || MARKERS.contains(event.type())) {
            throw new IllegalArgumentException(name + ": event " + event.sequence() + " of run " + Checks.shorten(event.run().runId())
                    + " is not an event of session " + Checks.shorten(chain.newestFirst.get(0).sessionId)
                    + (rank == null ? "" : " or of the prefix it inherits"));
        }
        if (markers.isHidden(p, chain)) {
            throw new IllegalArgumentException(name + ": event " + event.sequence() + " of run " + Checks.shorten(event.run().runId())
                    + " was rewound away; choose a visible event");
        }
    }

    private MemoryEvent appendMarker(String sessionId, long basis, Event marker) {
        Session session = stores.sessions().get(sessionId).orElseThrow(() -> new NotFoundException("session", sessionId));
        if (!session.isActive()) {
            throw new SessionEndedException(sessionId);
        }
        RunRef log = log(sessionId);
        if (stores.runs().get(log.runId()).isEmpty()) {
            try {
                stores.runs().create(NewRun.builder(sessionId, AGENT_ID).id(log.runId()).label(AGENT_ID, "markers").build());
            } catch (AlreadyExistsException raced) {
                // another writer created it first: it is the same log
            }
        }
        return stores.memory().appendAfter(log, basis, List.of(marker)).get(0);
    }

    private long lastSequence(RunRef log) {
        List<MemoryEvent> last = stores.memory().read(EventQuery.run(log).latest(1)).items();
        return last.isEmpty() ? 0 : last.get(0).sequence();
    }

    // ---- lineage ----------------------------------------------------------------------------

    /** One session's part of a view: its events up to {@code upper} and its markers up to {@code markerLimit}. */
    record Segment(String sessionId, Position upper, long markerLimit, Instant forkedAt) {
    }

    /** A session and the sessions it was forked from, newest first; orders positions across them. */
    static final class Chain {
        final List<Segment> newestFirst;
        private final Map<String, Integer> rank = new HashMap<>();

        Chain(List<Segment> newestFirst) {
            this.newestFirst = List.copyOf(newestFirst);
            for (int i = 0; i < newestFirst.size(); i++) {
                rank.put(newestFirst.get(i).sessionId, newestFirst.size() - 1 - i);
            }
        }

        int rank(String sessionId) {
            Integer r = rank.get(sessionId);
            if (r == null) {
                throw new dev.memoria.StoreStateException("a context marker points into session " + Checks.shorten(sessionId)
                        + ", which is not in the lineage of " + Checks.shorten(newestFirst.get(0).sessionId));
            }
            return r;
        }

        Integer rankOrNull(String sessionId) {
            return rank.get(sessionId);
        }

        /** Inherited events come before a fork's own; within a session, the session order (M8). */
        int compare(Position a, Position b) {
            if (a.sessionId().equals(b.sessionId())) {
                return a.compareInSession(b);
            }
            return Integer.compare(rank(a.sessionId()), rank(b.sessionId()));
        }
    }

    private Chain chain(String sessionId) {
        List<Segment> segments = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        String current = sessionId;
        Position upper = null;
        long limit = Long.MAX_VALUE;
        Instant forkedAt = null;
        while (current != null) {
            if (!seen.add(current) || segments.size() > MAX_LINEAGE) {
                throw new dev.memoria.StoreStateException("session " + Checks.shorten(sessionId) + " has a fork lineage that loops or is longer than "
                        + MAX_LINEAGE);
            }
            String id = current;
            Optional<Session> found = stores.sessions().get(id);
            if (found.isEmpty() && !segments.isEmpty()) {
                throw new dev.memoria.StoreStateException("session " + Checks.shorten(sessionId) + " was forked from session "
                        + Checks.shorten(id) + ", which is gone");
            }
            segments.add(new Segment(id, upper, limit, forkedAt));
            // events may be stored under a session id with no session record (as a read of them
            // would find): such a session has no lineage
            Object record = found.map(s -> s.metadata().get(FORK_METADATA)).orElse(null);
            if (record == null) {
                break;
            }
            Fork fork = Fork.of(id, found.get().createdAt(), record);
            current = fork.parentId();
            upper = fork.at();
            limit = fork.parentMarkers();
            forkedAt = fork.forkedAt();
        }
        return new Chain(segments);
    }

    // ---- markers ----------------------------------------------------------------------------

    /** The summary in effect (null if none) and the hidden ranges after it. */
    record Markers(Summary summary, List<Summary.Range> hidden) {
        boolean isHidden(Position p, Chain chain) {
            for (Summary.Range r : hidden) {
                if (chain.compare(r.after(), p) < 0 && chain.compare(p, r.through()) <= 0) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * The markers a view of the session applies: the summary in effect and the ranges rewinds hide
     * after it, read as a view reads them (C8), for {@link Conversation}.
     *
     * @param sessionId an existing session
     * @return its markers
     * @throws NotFoundException if there is no such session
     */
    Markers markersOf(String sessionId) {
        return markers(chain(sessionId));
    }

    /**
     * Finds the newest summary that no later rewind voided, and the rewinds after it, reading only
     * the markers since that summary (C8): segment by segment, newest first.
     */
    private Markers markers(Chain chain) {
        List<Summary.Range> hidden = new ArrayList<>();
        for (Segment segment : chain.newestFirst) {
            RunRef log = log(segment.sessionId);
            List<MemoryEvent> summaries = List.of(); // newest first
            int asked = 0;
            boolean exhausted = false;
            long newerThan = Long.MAX_VALUE; // the rewinds after this sequence have been read
            int index = 0;
            while (true) {
                if (index >= summaries.size()) {
                    if (exhausted) {
                        break;
                    }
                    // summaries older than the newest 1,000 are not looked at: a view never needs them
                    asked = asked == 0 ? 4 : Math.min(Limits.MAX_PAGE_SIZE, asked * 8);
                    EventQuery q = EventQuery.run(log).types(EventType.SUMMARY);
                    if (segment.forkedAt != null) {
                        q = q.timestampBefore(segment.forkedAt.plusMillis(1));
                    }
                    List<MemoryEvent> page = new ArrayList<>(stores.memory().read(q.latest(asked)).items());
                    exhausted = page.size() < asked || asked == Limits.MAX_PAGE_SIZE;
                    page.removeIf(e -> e.sequence() > segment.markerLimit);
                    Collections.reverse(page);
                    summaries = page;
                    continue;
                }
                MemoryEvent candidate = summaries.get(index);
                addRewinds(log, candidate.sequence(), newerThan, segment.markerLimit, hidden);
                newerThan = candidate.sequence();
                Summary summary = Summary.of(candidate);
                if (segment.upper != null && chain.compare(summary.upTo(), segment.upper) > 0) {
                    // the parent summarized past the fork's point: that summary covers events the fork never had
                    addRewinds(log, candidate.sequence(), newerThan, segment.markerLimit, hidden);
                    newerThan = candidate.sequence();
                    index++;
                    continue;
                }
                if (!voided(summary, hidden, chain)) {
                    hidden.addAll(summary.hidden());
                    return new Markers(summary, hidden);
                }
                index++; // a later rewind went back into what it covers: the one before may stand
            }
            addRewinds(log, 0, newerThan, segment.markerLimit, hidden);
        }
        return new Markers(null, hidden);
    }

    /**
     * Whether a later rewind went back into what a summary covers: its range holds the summary's
     * marker and starts before the summary's end. A rewind to a point after the summary's end
     * leaves the summary standing, with everything it covers still visible.
     */
    private static boolean voided(Summary summary, List<Summary.Range> laterRewinds, Chain chain) {
        Position marker = Position.of(summary.marker());
        for (Summary.Range r : laterRewinds) {
            if (chain.compare(r.after(), marker) < 0 && chain.compare(marker, r.through()) <= 0
                    && chain.compare(r.after(), summary.upTo()) < 0) {
                return true;
            }
        }
        return false;
    }

    /** Adds the ranges of the REWIND markers with a sequence in (after, before) and at most limit. */
    private void addRewinds(RunRef log, long after, long before, long limit, List<Summary.Range> hidden) {
        long from = after;
        while (true) {
            Page<MemoryEvent> page = stores.memory().read(EventQuery.run(log).after(from).types(EventType.REWIND).limit(Limits.MAX_PAGE_SIZE));
            for (MemoryEvent rewind : page.items()) {
                if (rewind.sequence() >= before || rewind.sequence() > limit) {
                    return;
                }
                hidden.add(new Summary.Range(Position.fromData(rewind.data().get("to"), "to"), Position.of(rewind)));
                from = rewind.sequence();
            }
            if (!page.hasNext()) {
                return;
            }
        }
    }

    // ---- events -----------------------------------------------------------------------------

    /**
     * Reads a segment's events newest first into {@code out}: at most {@code need}, after
     * {@code low} (exclusive) if given, up to the segment's upper bound, jumping over hidden ranges.
     */
    private void readBackwards(Segment segment, Set<EventType> types, int need, Position low, List<Summary.Range> hidden,
            Chain chain, List<MemoryEvent> out) {
        Markers markers = new Markers(null, hidden);
        Position high = segment.upper; // inclusive; null: no upper bound
        boolean highInclusive = true;
        Instant cap = null; // instead of high: everything before this millisecond
        int wanted = out.size() + need;
        while (out.size() < wanted) {
            // a bound inside a hidden range jumps to the range's start
            for (boolean moved = true; moved && high != null; ) {
                moved = false;
                for (Summary.Range r : hidden) {
                    if (chain.compare(r.after(), high) < 0 && chain.compare(high, r.through()) <= 0) {
                        if (!r.after().sessionId().equals(segment.sessionId)) {
                            return; // the range reaches back into an older segment: nothing more here
                        }
                        high = r.after();
                        highInclusive = true;
                        cap = null;
                        moved = true;
                    }
                }
            }
            int ask = Math.min(Limits.MAX_PAGE_SIZE, wanted - out.size() + 8);
            EventQuery q = EventQuery.session(segment.sessionId).types(types);
            if (low != null) {
                q = q.timestampAfter(low.timestamp().minusMillis(1));
            }
            if (high != null) {
                q = q.timestampBefore(high.timestamp().plusMillis(1));
            } else if (cap != null) {
                q = q.timestampBefore(cap);
            }
            List<MemoryEvent> page = stores.memory().read(q.latest(ask)).items();
            int added = 0;
            Position oldest = null;
            boolean jumped = false;
            for (int i = page.size() - 1; i >= 0 && out.size() < wanted; i--) {
                MemoryEvent e = page.get(i);
                Position p = Position.of(e);
                if (high != null && (highInclusive ? p.compareInSession(high) > 0 : p.compareInSession(high) >= 0)) {
                    continue; // same millisecond as the bound, but after it
                }
                if (low != null && p.compareInSession(low) <= 0) {
                    return;
                }
                oldest = p;
                if (markers.isHidden(p, chain)) {
                    high = p;
                    highInclusive = true;
                    cap = null;
                    jumped = true; // the loop's head moves the bound to the range's start
                    break;
                }
                out.add(e);
                added++;
            }
            if (jumped) {
                continue;
            }
            if (page.size() < ask) {
                return; // the segment has nothing older
            }
            if (added == 0 && oldest == null) {
                // a full page of events in the bound's millisecond, all after it: read that millisecond in full
                if (!sameMillisecond(segment, types, high, highInclusive, low, markers, chain, wanted, out)) {
                    return;
                }
                cap = high.timestamp();
                high = null;
                continue;
            }
            high = oldest;
            highInclusive = false;
            cap = null;
        }
    }

    /** Reads the events of the bound's millisecond forwards; returns false when done (low reached or filled). */
    private boolean sameMillisecond(Segment segment, Set<EventType> types, Position high, boolean highInclusive, Position low,
            Markers markers, Chain chain, int wanted, List<MemoryEvent> out) {
        Instant ms = high.timestamp();
        EventQuery q = EventQuery.session(segment.sessionId).types(types).timestampAfter(ms.minusMillis(1))
                .timestampBefore(ms.plusMillis(1)).limit(Limits.MAX_PAGE_SIZE);
        List<MemoryEvent> all = new ArrayList<>();
        Page<MemoryEvent> page = stores.memory().read(q);
        all.addAll(page.items());
        while (page.hasNext()) {
            page = stores.memory().read(q.cursor(page.nextCursor()));
            all.addAll(page.items());
        }
        for (int i = all.size() - 1; i >= 0 && out.size() < wanted; i--) {
            Position p = Position.of(all.get(i));
            if (highInclusive ? p.compareInSession(high) > 0 : p.compareInSession(high) >= 0) {
                continue;
            }
            if (low != null && p.compareInSession(low) <= 0) {
                return false;
            }
            if (!markers.isHidden(p, chain)) {
                out.add(all.get(i));
            }
        }
        return out.size() < wanted;
    }

    /**
     * Pairs tool calls with results (C3): a result whose call is not in the view is left out; a
     * call without a result in the view gets a synthetic error result right after it.
     */
    private List<MemoryEvent> paired(List<MemoryEvent> oldestFirst, Set<EventType> types) {
        if (!types.contains(EventType.TOOL_CALL) && !types.contains(EventType.TOOL_RESULT)) {
            return oldestFirst;
        }
        Set<String> calls = new HashSet<>();
        Set<String> results = new HashSet<>();
        for (MemoryEvent e : oldestFirst) {
            if (e.type() == EventType.TOOL_CALL && e.data().get("callId") instanceof String id) {
                calls.add(id);
            } else if (e.type() == EventType.TOOL_RESULT && e.data().get("callId") instanceof String id && calls.contains(id)) {
                results.add(id);
            }
        }
        List<MemoryEvent> out = new ArrayList<>();
        for (MemoryEvent e : oldestFirst) {
            if (e.type() == EventType.TOOL_RESULT) {
                if (e.data().get("callId") instanceof String id && calls.contains(id)) {
                    out.add(e);
                } // else its call is outside the view: a result alone would be refused by a model
                continue;
            }
            out.add(e);
            if (e.type() == EventType.TOOL_CALL && e.data().get("callId") instanceof String id && !results.contains(id)
                    && types.contains(EventType.TOOL_RESULT)) {
                out.add(syntheticResult(e, id));
            }
        }
        if (!types.contains(EventType.TOOL_RESULT)) {
            return out;
        }
        return out;
    }

    private MemoryEvent syntheticResult(MemoryEvent call, String callId) {
        Optional<Run> run = stores.runs().get(call.run().runId());
        String why = run.map(r -> r.status() == RunStatus.RUNNING || r.status() == RunStatus.PAUSED
                ? "no result yet: run " + r.id() + " is " + r.status()
                : "no result in this view: run " + r.id() + " ended " + r.status() + " without one, or it was rewound"
                        + " away or comes after a fork's point").orElse("no result was recorded");
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("callId", callId);
        data.put("tool", call.data().get("tool"));
        data.put("result", why);
        data.put("isError", true);
        data.put("synthetic", true);
        return new MemoryEvent(call.run(), call.sequence(), "memoria.synthetic-result:" + callId, EventType.TOOL_RESULT,
                call.timestamp(), data, Map.of());
    }

    @Override
    public String toString() {
        return "Context[" + stores + "]";
    }
}
