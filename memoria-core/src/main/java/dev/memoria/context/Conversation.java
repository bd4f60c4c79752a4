package dev.memoria.context;

import dev.memoria.AlreadyExistsException;
import dev.memoria.Ids;
import dev.memoria.Limits;
import dev.memoria.Page;
import dev.memoria.SessionEndedException;
import dev.memoria.Stores;
import dev.memoria.internal.Checks;
import dev.memoria.internal.Json;
import dev.memoria.internal.Retries;
import dev.memoria.memory.Event;
import dev.memoria.memory.EventQuery;
import dev.memoria.memory.EventType;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.run.NewRun;
import dev.memoria.run.RunRef;
import dev.memoria.session.NewSession;
import dev.memoria.session.Session;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A framework's chat memory kept in a session: every message ever written, in one run's log, and
 * the framework's current <em>window</em> of it, as {@link EventType#WINDOW} markers in the same
 * log. The LangChain4j and Spring AI adapters build on it; so can an adapter of yours.
 *
 * <p>A framework message is a {@link Message}: one or more events (an assistant's reply with two
 * tool calls is an ASSISTANT_MESSAGE and two TOOL_CALLs), grouped by the label
 * {@value #MESSAGE_LABEL}, so that the log reads naturally ({@code memoria show} pairs the tool
 * calls with their results) and the framework's message can be rebuilt exactly.
 *
 * <h2>Writes never rewrite and never delete</h2>
 * {@link #replaceWindow} compares the list a framework hands over with the stored window:
 * messages added at its end are appended; messages the window dropped from its start are left in
 * the log, and a WINDOW marker says where the window now starts (and which of the dropped
 * messages, such as a system message, it still shows first). A write costs the messages it adds
 * plus one marker, whatever the history's length. The window is read and written with
 * compare-and-append ({@link dev.memoria.memory.MemoryStore#appendAfter}): two writers of one
 * conversation never lose a message from the history (the loser compares again with what the
 * winner stored and appends its own difference), and the window read afterwards is one writer's
 * list, never a mix. A write of more than {@value Limits#MAX_EVENTS_PER_APPEND} events takes
 * several appends, marker last: until it lands, readers see the old window followed by the part
 * already appended.
 *
 * <h2>The context view</h2>
 * A conversation's events are events of its session like any other's, so a {@link Context} works
 * on them: {@link Context#compact} records a summary of them, {@link Context#rewind} hides some,
 * as markers in the session's context log; nothing here changes. {@link #window()},
 * {@link #latest(int)} and {@link #latestWith(EventType)} read the window as the framework wrote
 * it (what a framework's store must give back); {@link #summary()}, {@link #latestInView(int)} and
 * {@link #latestInViewWith(EventType)} read it as the session's context view has it: the summary
 * in effect, then the messages after what it covers, without those a rewind hid (what a native
 * chat memory shows a model). Their cost does not grow with the conversation either.
 *
 * <h2>The session</h2>
 * The first write creates the session (labelled {@value #CONVERSATION_LABEL} = the agent id) and
 * its log's run, whose id is derived from the session id so that every process finds it. A
 * conversation whose session was ended is read-only: writes throw {@link SessionEndedException}.
 * While a window is empty after {@link #clearWindow()}, the session carries the label
 * {@value #EMPTY_LABEL}, so that listings of conversations need to read the logs of those
 * sessions only (one {@link #isWindowEmpty()} each), not of every conversation.
 *
 * <p>Thread-safe; cheap to create (no I/O until used).
 */
public final class Conversation {
    /** The label that groups the events of one framework message: the message's key. */
    public static final String MESSAGE_LABEL = "memoria.message";
    /** The label on a session that a conversation created: the agent id of the adapter that keeps it. */
    public static final String CONVERSATION_LABEL = "memoria.conversation";
    /**
     * The label a conversation puts on the session it creates: a fresh id, so that a session
     * deleted and created again (by another process, say) is never taken for the one a
     * remembered window was read from, even where the log reaches the same sequence again.
     */
    public static final String GENERATION_LABEL = "memoria.generation";
    /**
     * The label on a conversation's session whose window was emptied and its history kept: a hint,
     * confirmed with {@link #isWindowEmpty()} (a write racing the clear can leave it on a filled window).
     */
    public static final String EMPTY_LABEL = "memoria.window-empty";
    /** What an adapter writes before a summary's text in the system message it shows a model ({@link #withSummary}). */
    public static final String SUMMARY_INTRO = "Summary of the conversation so far: ";
    private static final String FROM = "from";
    private static final String KEEP = "keep";
    /** Events a read asks for at once: the most a page holds. */
    private static final int READ_PAGE = Limits.MAX_PAGE_SIZE;
    /** A message has a handful of events; the most a group read looks at. */
    private static final int GROUP_PAGE = 64;

    private final Stores stores;
    private final String sessionId;
    private final RunRef log;
    /** Whether this object saw the log's run record (it is never deleted but with the session). */
    private volatile boolean runSeen;
    /** The generation of the session this object last saw (see {@link #GENERATION_LABEL}). */
    private volatile String lastGeneration;

    private Conversation(Stores stores, String sessionId, String agentId) {
        this.stores = Objects.requireNonNull(stores, "stores");
        this.sessionId = Checks.id(sessionId, "sessionId");
        this.log = new RunRef(this.sessionId, Checks.id(agentId, "agentId"), logRunId(this.sessionId));
    }

    /**
     * @param stores where the conversation lives
     * @param sessionId the conversation's session (created on the first write)
     * @param agentId the agent id of its log's run, such as {@code "langchain4j"}
     * @return the conversation; nothing is read or written yet
     */
    public static Conversation of(Stores stores, String sessionId, String agentId) {
        return new Conversation(stores, sessionId, agentId);
    }

    /**
     * The id of the run holding a conversation's log: derived from the session id (a hash), so that
     * every process finds the same one.
     *
     * @param sessionId the conversation's session
     * @return {@code conversation-} and 32 hexadecimal digits
     */
    public static String logRunId(String sessionId) {
        return Context.derivedRunId("conversation-", sessionId);
    }

    /** @return the session's id */
    public String sessionId() {
        return sessionId;
    }

    /** @return the ref of the run whose log holds the conversation: read it for the full history */
    public RunRef log() {
        return log;
    }

    /**
     * One framework message as events, oldest first. Two messages are the same message when their
     * events have the same types, data and labels in the same order (keys and timestamps aside):
     * that is how a window is compared with the list a framework hands over.
     *
     * @param events at least one event; the {@value #MESSAGE_LABEL} label is the conversation's
     */
    public record Message(List<Event> events) {
        /** Checks and copies the list. */
        public Message {
            events = List.copyOf(Objects.requireNonNull(events, "events"));
            if (events.isEmpty()) {
                throw new IllegalArgumentException("events: a message has at least one event");
            }
            for (Event e : events) {
                if (e.labels().containsKey(MESSAGE_LABEL)) {
                    throw new IllegalArgumentException("events: the label " + MESSAGE_LABEL + " is the conversation's own");
                }
            }
        }

        /**
         * @param event the message's only event
         * @return a single-event message
         */
        public static Message of(Event event) {
            return new Message(List.of(event));
        }

        /** Equal when the events' types, data and labels are, in order: keys and timestamps aside. */
        @Override
        public boolean equals(Object o) {
            return o instanceof Message other && other.fingerprint().equals(fingerprint());
        }

        @Override
        public int hashCode() {
            return fingerprint().hashCode();
        }

        /** @return what makes two messages the same message (see the class comment) */
        Fingerprint fingerprint() {
            List<Object> parts = new ArrayList<>(events.size() * 3);
            for (Event e : events) {
                parts.add(e.typeName());
                parts.add(e.data());
                parts.add(e.labels());
            }
            return new Fingerprint(parts, parts.hashCode());
        }
    }

    /** Types, data and labels of a message's events, with the hash computed once. */
    record Fingerprint(List<Object> parts, int hash) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Fingerprint f && f.hash == hash && f.parts.equals(parts);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /** A message as stored: the sequence of its first event, and the message. */
    record Stored(long first, Message message) {
    }

    /** The window's position, as the latest WINDOW marker says: from 1 with nothing kept, without one. */
    private record Start(long marker, String markerKey, long from, List<Long> keep) {
        static final Start START = new Start(0, null, 1, List.of());
    }

    /**
     * The window as read.
     *
     * @param messages its messages: the kept ones first
     * @param kept how many of them are kept from before {@code from}
     * @param from where the rest starts in the log
     * @param last the log's last sequence when it was read
     * @param lastKey the key of the event at {@code last}, or null for an empty log
     * @param generation the session's generation when it was read, or null if unknown
     */
    record Window(List<Stored> messages, int kept, long from, long last, String lastKey, String generation) {
        /** The most messages a conversation object remembers between calls. */
        static final int MAX_REMEMBERED = 1000;

        /** @return whether the log's latest event is still the one this window was read at */
        boolean isCurrent(List<MemoryEvent> latest) {
            return latest.isEmpty() ? last == 0
                    : latest.get(0).sequence() == last && latest.get(0).key().equals(lastKey);
        }
    }

    /**
     * The window this object last read or wrote, if small enough to keep. Used only once one
     * read of the log's latest event (its sequence and its key: a log purged and written again
     * reuses sequences, never keys) shows the log has not moved since; writes are compare-and-append
     * on its last sequence anyway.
     */
    private volatile Window remembered;

    /**
     * @return the current window: the messages a framework's chat memory holds, oldest first;
     *     empty for a conversation that was never written
     */
    public List<Message> window() {
        return currentWindow().messages().stream().map(Stored::message).toList();
    }

    /** The remembered window if the log has not moved since, else the window read again. */
    private Window currentWindow() {
        Window known = remembered;
        if (known != null && known.isCurrent(stores.memory().read(EventQuery.run(log).latest(1)).items())) {
            return known;
        }
        return remember(readWindow());
    }

    private Window remember(Window window) {
        remembered = window.messages().size() <= Window.MAX_REMEMBERED ? window : null;
        return window;
    }

    /**
     * Whether the window holds no message, read cheaply: the latest marker and the first message
     * after it, whatever the window's length. A listing of conversations calls it for the sessions
     * labelled {@value #EMPTY_LABEL} (the label is a hint: see {@link #clearWindow()}).
     *
     * @return whether the window holds no message
     */
    public boolean isWindowEmpty() {
        Start at = position();
        if (!at.keep().isEmpty()) {
            return false;
        }
        long after = at.from() - 1;
        while (true) {
            Page<MemoryEvent> page = stores.memory().read(EventQuery.run(log).after(after).limit(GROUP_PAGE));
            for (MemoryEvent e : page.items()) {
                if (e.type() != EventType.WINDOW) {
                    return false;
                }
                after = e.sequence();
            }
            if (!page.hasNext()) {
                return true;
            }
        }
    }

    /**
     * The end of the window, read from the end: its cost follows {@code max}, not the window's length.
     *
     * @param max at most this many messages, 1 to {@value Limits#MAX_PAGE_SIZE}
     * @return the window's last {@code max} messages (or fewer), oldest first
     */
    public List<Message> latest(int max) {
        Checks.pageSize(max, "max");
        Start at = position();
        long last = lastSequence();
        long span = 2L * max + 2;
        while (true) {
            long after = Math.max(at.from() - 1, last - span);
            boolean reachedStart = after == at.from() - 1;
            List<MemoryEvent> events = new ArrayList<>();
            if (reachedStart) {
                for (long first : at.keep()) {
                    events.addAll(messageAt(first));
                }
            }
            events.addAll(messageEvents(after, last).events());
            List<Stored> found = group(events);
            // short of the start, the first group may have begun before the range: it does not count
            int whole = reachedStart ? found.size() : found.size() - 1;
            if (reachedStart || whole >= max) {
                return found.subList(found.size() - Math.min(max, whole), found.size()).stream().map(Stored::message).toList();
            }
            span *= 2;
        }
    }

    /**
     * @param type a type of event
     * @return the window's latest message holding an event of that type (the system message, say)
     */
    public Optional<Message> latestWith(EventType type) {
        Objects.requireNonNull(type, "type");
        Start at = position();
        List<MemoryEvent> found = stores.memory().read(EventQuery.run(log).types(type).latest(1)).items();
        if (!found.isEmpty() && found.get(0).sequence() >= at.from()) {
            return Optional.of(messageAround(found.get(0)));
        }
        // before the window's start only a kept message counts
        for (int i = at.keep().size() - 1; i >= 0; i--) {
            List<Stored> kept = group(messageAt(at.keep().get(i)));
            if (!kept.isEmpty() && kept.get(0).message().events().stream().anyMatch(e -> e.type() == type)) {
                return Optional.of(kept.get(0).message());
            }
        }
        return Optional.empty();
    }

    // ---- the context view: summaries and rewinds ------------------------------------------------

    /**
     * The end of the window as the session's context view has it (C2, C5): the summary in effect,
     * then the window's last messages after what it covers, without those a rewind hid.
     *
     * @param summary the newest summary in effect for the session, if it was compacted
     * @param messages the window's last messages that the view shows, oldest first
     */
    public record Viewed(Optional<Summary> summary, List<Message> messages) {
        /** Checks and copies the parts. */
        public Viewed {
            Objects.requireNonNull(summary, "summary");
            messages = List.copyOf(Objects.requireNonNull(messages, "messages"));
        }
    }

    /**
     * The text of the system message an adapter shows a model for a compacted conversation: the
     * conversation's own system text, a blank line, then {@value #SUMMARY_INTRO} and the summary.
     *
     * @param systemText the text of the conversation's system message, or null if it has none
     * @param summary the summary in effect
     * @return the system message's text
     */
    public static String withSummary(String systemText, Summary summary) {
        Objects.requireNonNull(summary, "summary");
        String text = SUMMARY_INTRO + summary.text();
        return systemText == null || systemText.isEmpty() ? text : systemText + "\n\n" + text;
    }

    /**
     * The newest summary in effect for the conversation's session: the one its context view
     * ({@link Context#view}) starts with, recorded by {@link Context#compact}. Read from the
     * session's markers, at the cost of one read when they have not changed since this object last
     * looked, whatever the conversation's length.
     *
     * @return the summary, or empty if the session was never compacted (or a rewind voided it)
     */
    public Optional<Summary> summary() {
        return Optional.ofNullable(marks().summary());
    }

    /**
     * The end of the window as a model should see it (what a native chat memory reads): the
     * summary in effect, and the window's last {@code max} messages that the session's context view
     * shows, that is those after what the summary covers, without those a rewind hid. The view works
     * on events, a chat memory on whole messages: a message of which the view shows any event is
     * shown whole (a summary's cut inside an assistant message with tool calls keeps the message and
     * its calls; a tool call is never separated from its results by it, C3). Without a summary or a
     * rewind this is {@link #latest(int)}.
     *
     * <p>The cost follows {@code max} (and the markers since the newest summary), not the
     * conversation's length, as {@link #latest(int)}'s.
     *
     * @param max at most this many messages, at least 1
     * @return the summary in effect and the messages after it, oldest first; fewer than {@code max}
     *     messages when the view shows no more
     */
    public Viewed latestInView(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max: must be at least 1, got " + max);
        }
        Marks marks = marks();
        Start at = position();
        long last = lastSequence();
        List<Span> spans = visibleSpans(marks, at, last);
        List<List<Stored>> newestFirst = new ArrayList<>();
        int need = max;
        for (int i = spans.size() - 1; i >= 0 && need > 0; i--) {
            List<Stored> found = lastMessages(spans.get(i), need);
            newestFirst.add(found);
            need -= found.size();
        }
        List<Message> out = new ArrayList<>();
        if (need > 0) {
            // the messages kept in front of the window, those the view shows
            List<Message> kept = new ArrayList<>();
            for (long first : at.keep()) {
                List<MemoryEvent> events = messageAt(first);
                if (events.stream().anyMatch(e -> marks.visible(e.sequence()))) {
                    group(events).forEach(st -> kept.add(st.message()));
                }
            }
            out.addAll(kept.subList(Math.max(0, kept.size() - need), kept.size()));
        }
        for (int i = newestFirst.size() - 1; i >= 0; i--) {
            newestFirst.get(i).forEach(st -> out.add(st.message()));
        }
        return new Viewed(Optional.ofNullable(marks.summary()), out);
    }

    /**
     * As {@link #latestWith(EventType)}, without the messages a rewind hid (C5). A summary hides
     * nothing here: it stands for the conversation's messages, not for what a system message says,
     * which stays in effect.
     *
     * @param type a type of event
     * @return the latest message of the window holding an event of that type that the view did not
     *     rewind away
     */
    public Optional<Message> latestInViewWith(EventType type) {
        Objects.requireNonNull(type, "type");
        Marks marks = marks();
        if (marks.hidden().isEmpty()) {
            return latestWith(type);
        }
        Start at = position();
        long upTo = Long.MAX_VALUE;
        while (true) {
            MemoryEvent found = latestOfType(type, upTo);
            if (found == null || found.sequence() < at.from()) {
                break;
            }
            Span hiding = marks.hiding(found.sequence());
            if (hiding == null) {
                return Optional.of(messageAround(found));
            }
            upTo = hiding.after();
        }
        for (int i = at.keep().size() - 1; i >= 0; i--) {
            List<MemoryEvent> events = messageAt(at.keep().get(i));
            if (events.stream().anyMatch(e -> e.type() == type && marks.hiding(e.sequence()) == null)) {
                return Optional.of(group(events).get(0).message());
            }
        }
        return Optional.empty();
    }

    /** Sequences of the log in {@code (after, through]}. */
    private record Span(long after, long through) {
        boolean holds(long sequence) {
            return sequence > after && sequence <= through;
        }
    }

    /**
     * The session's context markers as they bear on this log (C1, C5): the summary in effect (null
     * if none), the log's last sequence it covers, and the log's sequences that the rewinds after it
     * hide; with the context log's latest event they were read at.
     */
    private record Marks(Summary summary, long covered, List<Span> hidden, long contextLast, String contextKey) {
        static final Marks NONE = new Marks(null, 0, List.of(), 0, null);

        /** Whether the view shows the log's event at that sequence. */
        boolean visible(long sequence) {
            return sequence > covered && hiding(sequence) == null;
        }

        /** The hidden range that holds the sequence, or null. */
        Span hiding(long sequence) {
            for (Span h : hidden) {
                if (h.holds(sequence)) {
                    return h;
                }
            }
            return null;
        }
    }

    /** The markers this object last read, reused while the session's context log has not moved. */
    private volatile Marks knownMarks;

    /**
     * The markers as the context view applies them ({@link Context}), mapped to this log's
     * sequences. One read of the session's context log when it has not moved since the last call;
     * otherwise what a view reads of the markers, plus one read per position outside this log.
     * Only the session's own summaries apply: a fork's parent's cover events that are not in this
     * conversation's log.
     */
    private Marks marks() {
        RunRef markers = new RunRef(sessionId, Context.AGENT_ID, Context.logRunId(sessionId));
        List<MemoryEvent> newest = stores.memory().read(EventQuery.run(markers).latest(1)).items();
        if (newest.isEmpty()) {
            return Marks.NONE; // the session was never compacted nor rewound
        }
        MemoryEvent latest = newest.get(0);
        Marks known = knownMarks;
        if (known != null && known.contextLast() == latest.sequence() && latest.key().equals(known.contextKey())) {
            return known;
        }
        Context.Markers read;
        try {
            read = Context.of(stores).markersOf(sessionId);
        } catch (dev.memoria.NotFoundException gone) {
            return Marks.NONE; // purged a moment ago
        }
        Summary summary = read.summary();
        if (summary != null && !summary.marker().run().sessionId().equals(sessionId)) {
            summary = null;
        }
        long covered = summary == null ? 0 : lastAtOrBefore(summary.upTo());
        List<Span> hidden = new ArrayList<>();
        for (Summary.Range r : read.hidden()) {
            long after = lastAtOrBefore(r.after());
            long through = lastAtOrBefore(r.through());
            if (through > after && through > covered) {
                hidden.add(new Span(after, through));
            }
        }
        Marks marks = new Marks(summary, covered, List.copyOf(hidden), latest.sequence(), latest.key());
        knownMarks = marks;
        return marks;
    }

    /**
     * The log's last sequence at or before a position in the session's order (M8: timestamp, run
     * id, sequence), as the view compares them; 0 if none is. A position of another session (a
     * fork's parent) comes before every event of this log.
     */
    private long lastAtOrBefore(Position p) {
        if (!p.sessionId().equals(sessionId)) {
            return 0;
        }
        if (p.runId().equals(log.runId())) {
            return p.sequence();
        }
        // in the position's millisecond, this log's events come first if its run id sorts first
        java.time.Instant bound = log.runId().compareTo(p.runId()) < 0 ? p.timestamp().plusMillis(1) : p.timestamp();
        List<MemoryEvent> found = stores.memory().read(EventQuery.run(log).timestampBefore(bound).latest(1)).items();
        return found.isEmpty() ? 0 : found.get(0).sequence();
    }

    /**
     * The stretches of the log the view shows of the window: after the window's start and what the
     * summary covers, without the hidden ranges, each widened to whole messages, oldest first.
     */
    private List<Span> visibleSpans(Marks marks, Start at, long last) {
        long start = at.from() - 1;
        List<Span> spans = new ArrayList<>();
        long from = Math.max(start, marks.covered());
        if (from < last) {
            spans.add(new Span(from, last));
        }
        for (Span h : marks.hidden()) {
            List<Span> rest = new ArrayList<>();
            for (Span s : spans) {
                long before = Math.min(s.through(), h.after());
                if (before > s.after()) {
                    rest.add(new Span(s.after(), before));
                }
                long after = Math.max(s.after(), h.through());
                if (s.through() > after) {
                    rest.add(new Span(after, s.through()));
                }
            }
            spans = rest;
        }
        // a message the view shows any event of is shown whole
        List<Span> widened = new ArrayList<>();
        for (Span s : spans) {
            long after = s.after() > start ? Math.max(start, widenedStart(s.after())) : s.after();
            long through = s.through() < last ? widenedEnd(s.through()) : s.through();
            widened.add(new Span(after, through));
        }
        widened.sort(java.util.Comparator.comparingLong(Span::after));
        List<Span> merged = new ArrayList<>();
        for (Span s : widened) {
            Span previous = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (previous != null && s.after() <= previous.through()) {
                merged.set(merged.size() - 1, new Span(previous.after(), Math.max(previous.through(), s.through())));
            } else {
                merged.add(s);
            }
        }
        return merged;
    }

    /** Where a span that starts after {@code boundary} starts when it takes in the message crossing the boundary. */
    private long widenedStart(long boundary) {
        List<MemoryEvent> two = stores.memory().read(EventQuery.run(log).after(boundary - 1).limit(2)).items();
        if (two.size() == 2 && two.get(0).sequence() == boundary && sameMessage(two.get(0), two.get(1))) {
            return firstOfMessage(two.get(0)) - 1;
        }
        return boundary;
    }

    /** Where a span that ends at {@code boundary} ends when it takes in the message crossing the boundary. */
    private long widenedEnd(long boundary) {
        List<MemoryEvent> two = stores.memory().read(EventQuery.run(log).after(boundary - 1).limit(2)).items();
        if (two.size() == 2 && two.get(0).sequence() == boundary && sameMessage(two.get(0), two.get(1))) {
            List<MemoryEvent> rest = messageAt(boundary);
            return rest.get(rest.size() - 1).sequence();
        }
        return boundary;
    }

    private static boolean sameMessage(MemoryEvent a, MemoryEvent b) {
        String key = a.labels().get(MESSAGE_LABEL);
        return a.type() != EventType.WINDOW && b.type() != EventType.WINDOW && key != null
                && key.equals(b.labels().get(MESSAGE_LABEL));
    }

    /** The sequence of the first event of the message an event belongs to. */
    private long firstOfMessage(MemoryEvent event) {
        String key = event.labels().get(MESSAGE_LABEL);
        long first = event.sequence();
        if (key == null) {
            return first;
        }
        while (first > 1) {
            List<MemoryEvent> before = messageEvents(Math.max(0, first - 1 - GROUP_PAGE), first - 1).events();
            int i = before.size() - 1;
            while (i >= 0 && key.equals(before.get(i).labels().get(MESSAGE_LABEL))) {
                first = before.get(i).sequence();
                i--;
            }
            if (i >= 0 || before.isEmpty()) {
                return first;
            }
        }
        return first;
    }

    /** The last {@code need} messages of a span that starts and ends between messages, oldest first: read from its end. */
    private List<Stored> lastMessages(Span span, int need) {
        long size = 2L * need + 2;
        while (true) {
            long after = Math.max(span.after(), span.through() - size);
            boolean reachedStart = after == span.after();
            List<Stored> found = group(messageEvents(after, span.through()).events());
            // short of the start, the first group may have begun before the range: it does not count
            int whole = reachedStart ? found.size() : found.size() - 1;
            if (reachedStart || whole >= need) {
                return found.subList(found.size() - Math.min(need, whole), found.size());
            }
            size *= 2;
        }
    }

    /**
     * The log's latest event of a type with a sequence at most {@code upTo}: found by timestamp
     * (the log's events are in time order), or read forwards when a page of them shares the
     * bound's millisecond.
     */
    private MemoryEvent latestOfType(EventType type, long upTo) {
        EventQuery query = EventQuery.run(log).types(type);
        if (upTo != Long.MAX_VALUE) {
            if (upTo < 1) {
                return null;
            }
            List<MemoryEvent> at = stores.memory().read(EventQuery.run(log).after(upTo - 1).limit(1)).items();
            if (!at.isEmpty()) {
                query = query.timestampBefore(at.get(0).timestamp().plusMillis(1));
            }
        }
        List<MemoryEvent> page = stores.memory().read(query.latest(GROUP_PAGE)).items();
        for (int i = page.size() - 1; i >= 0; i--) {
            if (page.get(i).sequence() <= upTo) {
                return page.get(i);
            }
        }
        if (page.size() < GROUP_PAGE) {
            return null;
        }
        MemoryEvent last = null;
        long after = 0;
        while (true) {
            Page<MemoryEvent> forward = stores.memory().read(EventQuery.run(log).types(type).after(after).limit(READ_PAGE));
            for (MemoryEvent e : forward.items()) {
                if (e.sequence() > upTo) {
                    return last;
                }
                last = e;
                after = e.sequence();
            }
            if (!forward.hasNext()) {
                return last;
            }
        }
    }

    /**
     * Appends messages at the end of the window, without comparing (a native chat memory's
     * {@code add}): concurrent appends all land.
     *
     * @param messages the messages, oldest first
     * @throws SessionEndedException if the conversation's session was ended
     */
    public void append(List<Message> messages) {
        Objects.requireNonNull(messages, "messages");
        messages.forEach(m -> Objects.requireNonNull(m, "messages[]"));
        if (messages.isEmpty()) {
            return;
        }
        String generation = ensure(true);
        List<Event> batch = new ArrayList<>();
        for (Message m : messages) {
            batch.addAll(labelled(m));
        }
        Window known = remembered;
        List<MemoryEvent> stored = new ArrayList<>();
        for (List<Event> chunk : chunks(batch)) {
            stored.addAll(stores.memory().append(log, chunk));
        }
        // extend what this object knows only if nothing else was appended in between
        remembered = null;
        if (known != null && generation != null && generation.equals(known.generation())
                && stored.get(0).sequence() == known.last() + 1 && stored.get(stored.size() - 1).sequence() == known.last() + stored.size()) {
            List<Stored> now = new ArrayList<>(known.messages());
            now.addAll(group(stored));
            MemoryEvent end = stored.get(stored.size() - 1);
            remember(new Window(now, known.kept(), known.from(), end.sequence(), end.key(), known.generation()));
        }
    }

    /**
     * Makes the window the given list (a framework store's "replace all messages"), writing only
     * what changed (see the class comment). A list that shares nothing with the window replaces
     * it: its messages are appended and the window starts at them. An empty list empties the
     * window ({@link #clearWindow()}). Nothing is ever deleted.
     *
     * @param messages the framework's current list, oldest first
     * @throws SessionEndedException if the conversation's session was ended
     */
    public void replaceWindow(List<Message> messages) {
        Objects.requireNonNull(messages, "messages");
        messages.forEach(m -> Objects.requireNonNull(m, "messages[]"));
        if (messages.isEmpty()) {
            clearWindow();
            return;
        }
        String generation = ensure(true);
        Retries.onConflict(() -> {
            // within one generation a log only grows: a window read at its last sequence is current
            // for a compare-and-append at that sequence, so it needs no read to check
            Window known = remembered;
            Window window = known != null && generation != null && generation.equals(known.generation()) ? known
                    : remember(readWindow(generation));
            Plan plan = plan(window, messages);
            if (!plan.batch().isEmpty()) {
                try {
                    remember(plan.after(window, appendAfter(window.last(), plan.batch())));
                } catch (dev.memoria.ConflictException moved) {
                    remembered = null; // another writer got in: compare again with what it stored
                    throw moved;
                }
            }
            return null;
        });
    }

    /**
     * Empties the window and keeps the history: one marker, and the session labelled
     * {@value #EMPTY_LABEL}. Does nothing to a conversation that was never written.
     *
     * <p>The label is written before the marker and checked again after it, so that a conversation
     * whose window is empty always ends up labelled; a write racing the clear can still leave a
     * filled window labelled, which is why the label is a hint that listings confirm with
     * {@link #isWindowEmpty()}.
     *
     * @throws SessionEndedException if the conversation's session was ended
     */
    public void clearWindow() {
        Optional<Session> session = stores.sessions().get(sessionId);
        if (session.isEmpty()) {
            return;
        }
        if (!session.get().isActive()) {
            throw ended();
        }
        labelEmpty(session.get());
        remembered = null;
        Retries.onConflict(() -> {
            Window window = readWindow();
            if (!window.messages().isEmpty()) {
                appendAfter(window.last(), List.of(marker(window.last() + 1, List.of())));
            }
            return null;
        });
        // a writer that filled the window meanwhile took the label off before its write: put it back
        // only if that write came before the marker, which is when the window is empty now
        stores.sessions().get(sessionId).ifPresent(this::labelEmpty);
    }

    private void labelEmpty(Session session) {
        if (!session.labels().containsKey(EMPTY_LABEL) && session.isActive()) {
            stores.sessions().update(sessionId, s -> s.labels().containsKey(EMPTY_LABEL) ? s : s.withLabel(EMPTY_LABEL, "true"));
        }
    }

    /** Removes the conversation: its session, the log's run and every event (X1). */
    public void delete() {
        remembered = null;
        knownMarks = null;
        stores.purgeSession(sessionId);
        runSeen = false;
    }

    /** @return whether the conversation's session exists */
    public boolean exists() {
        return stores.sessions().get(sessionId).isPresent();
    }

    /**
     * What to append to turn {@code window} into {@code wanted}: the new messages at the end and,
     * if the window's start moved, a marker. The wanted list is read as some of the dropped
     * messages kept in front (a system message, say), then the rest of the window unchanged, then
     * new messages; the reading that writes the fewest messages wins, found in one pass over the
     * window in the usual cases (messages appended, the oldest dropped). A list that matches no
     * such reading is written whole: correct, only dearer.
     */
    static Plan plan(Window window, List<Message> wanted) {
        List<Stored> stored = window.messages();
        List<Fingerprint> old = stored.stream().map(st -> st.message().fingerprint()).toList();
        List<Fingerprint> now = wanted.stream().map(Message::fingerprint).toList();
        Alignment best = align(old, now);
        int unchanged = old.size() - best.dropped();
        List<Event> batch = new ArrayList<>();
        for (Message m : wanted.subList(best.pinned() + unchanged, wanted.size())) {
            batch.addAll(labelled(m));
        }
        if (best.dropped() > 0) {
            List<Long> keep = new ArrayList<>();
            best.keep().forEach(i -> keep.add(stored.get(i).first()));
            long from;
            if (best.dropped() < window.kept()) {
                // the unchanged part begins among the kept messages: those stay kept, the rest follows as before
                for (int i = best.dropped(); i < window.kept(); i++) {
                    keep.add(stored.get(i).first());
                }
                from = window.from();
            } else {
                // the window starts with what stayed of the old one, or else with the first event
                // appended now (a new message, or the marker itself, which a window never shows)
                from = best.dropped() < stored.size() ? stored.get(best.dropped()).first() : window.last() + 1;
            }
            batch.add(marker(from, keep));
            return new Plan(batch, best, keep.size(), from);
        }
        return new Plan(batch, best, window.kept(), window.from());
    }

    /**
     * What a write appends, and the window it makes.
     *
     * @param batch the events to append: new messages, then a marker if the window's start moved
     * @param alignment how the wanted list reads against the window
     * @param kept how many messages the new window keeps from before {@code from}
     * @param from where the new window's rest starts
     */
    record Plan(List<Event> batch, Alignment alignment, int kept, long from) {
        /** The window after the batch was stored: the kept and unchanged messages as they were, then the new ones. */
        Window after(Window before, List<MemoryEvent> stored) {
            List<Stored> messages = new ArrayList<>();
            alignment.keep().forEach(i -> messages.add(before.messages().get(i)));
            messages.addAll(before.messages().subList(alignment.dropped(), before.messages().size()));
            messages.addAll(group(stored.stream().filter(e -> e.type() != EventType.WINDOW).toList()));
            MemoryEvent end = stored.get(stored.size() - 1);
            return new Window(messages, kept, from, end.sequence(), end.key(), before.generation());
        }
    }

    /**
     * @param dropped how many of the window's first messages leave it
     * @param pinned how many of those stay in front of the rest
     * @param keep the window indexes of the pinned ones
     */
    record Alignment(int dropped, int pinned, List<Integer> keep) {
    }

    /**
     * Finds the reading of {@link #plan} that keeps the most stored messages. A reading that keeps
     * {@code e} messages puts the window's last message at index {@code e - 1} of the list, so the
     * candidates are the places where it occurs there (latest first). For one such place, the
     * unchanged block is the longest common end of the list's first {@code e} messages and the
     * window, and the rest in front must be a subsequence of the messages the block leaves
     * before it; a shorter block does not change that answer (both sides gain the same message),
     * so one check per candidate decides it.
     */
    static Alignment align(List<Fingerprint> old, List<Fingerprint> now) {
        int n = old.size();
        int m = now.size();
        Alignment best = keptInFront(old, now);
        if (n == 0) {
            return best;
        }
        Fingerprint lastStored = old.get(n - 1);
        for (int e = Math.min(n, m); e >= Math.max(1, best.pinned()); e--) { // on a tie, a block beats pinning alone
            if (!now.get(e - 1).equals(lastStored)) {
                continue;
            }
            int block = 1;
            while (block < e && now.get(e - 1 - block).equals(old.get(n - 1 - block))) {
                block++;
            }
            int pinned = e - block;
            int dropped = n - block;
            List<Integer> keep = subsequence(old.subList(0, dropped), now.subList(0, pinned));
            if (keep != null) {
                return new Alignment(dropped, pinned, keep);
            }
        }
        return best;
    }

    /** The whole window leaves; the longest start of the list that it holds, in order, stays in front. */
    private static Alignment keptInFront(List<Fingerprint> old, List<Fingerprint> now) {
        List<Integer> keep = new ArrayList<>();
        for (int i = 0; i < old.size() && keep.size() < now.size(); i++) {
            if (old.get(i).equals(now.get(keep.size()))) {
                keep.add(i);
            }
        }
        return new Alignment(old.size(), keep.size(), keep);
    }

    /** The indexes in {@code within} of {@code wanted}'s elements, in order, or null if it is not a subsequence. */
    private static List<Integer> subsequence(List<Fingerprint> within, List<Fingerprint> wanted) {
        List<Integer> at = new ArrayList<>(wanted.size());
        int i = 0;
        for (Fingerprint f : wanted) {
            while (i < within.size() && !within.get(i).equals(f)) {
                i++;
            }
            if (i == within.size()) {
                return null;
            }
            at.add(i++);
        }
        return at;
    }

    private static Event marker(long from, List<Long> keep) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put(FROM, from);
        data.put(KEEP, keep);
        return Event.of(EventType.WINDOW, data);
    }

    /**
     * The message's events as written: grouped by a fresh message key, each with a fresh event key
     * (a message read from the window and written again, after it left it, is a new occurrence).
     */
    private static List<Event> labelled(Message m) {
        String key = Ids.next();
        List<Event> out = new ArrayList<>(m.events().size());
        for (Event e : m.events()) {
            out.add(new Event(null, e.typeName(), e.timestamp(), e.data(), withLabel(e.labels(), key)));
        }
        return out;
    }

    private static Map<String, String> withLabel(Map<String, String> labels, String key) {
        Map<String, String> out = new LinkedHashMap<>(labels);
        out.put(MESSAGE_LABEL, key);
        return out;
    }

    private List<MemoryEvent> appendAfter(long last, List<Event> batch) {
        long expected = last;
        List<MemoryEvent> all = new ArrayList<>();
        for (List<Event> chunk : chunks(batch)) {
            List<MemoryEvent> stored = stores.memory().appendAfter(log, expected, chunk);
            expected = stored.get(stored.size() - 1).sequence();
            all.addAll(stored);
        }
        return all;
    }

    /** Splits a batch into appends within the limits of one append. */
    private static List<List<Event>> chunks(List<Event> batch) {
        List<List<Event>> out = new ArrayList<>();
        List<Event> chunk = new ArrayList<>();
        long bytes = 0;
        for (Event e : batch) {
            long size = Json.encodedSize(e.data()) + Json.encodedSize(e.labels());
            if (!chunk.isEmpty() && (chunk.size() == Limits.MAX_EVENTS_PER_APPEND || bytes + size > Limits.MAX_APPEND_DATA_BYTES)) {
                out.add(chunk);
                chunk = new ArrayList<>();
                bytes = 0;
            }
            chunk.add(e);
            bytes += size;
        }
        if (!chunk.isEmpty()) {
            out.add(chunk);
        }
        return out;
    }

    /**
     * Makes sure the session and the log's run exist, the session is active and, for a write that
     * fills the window, not labelled empty.
     */
    private String ensure(boolean filling) {
        Optional<Session> found = stores.sessions().get(sessionId);
        String generation = null;
        if (found.isEmpty()) {
            generation = Ids.next();
            try {
                stores.sessions().create(NewSession.builder().id(sessionId).label(CONVERSATION_LABEL, log.agentId())
                        .label(GENERATION_LABEL, generation).build());
            } catch (AlreadyExistsException raced) {
                generation = null; // another writer created it a moment ago, with its own generation
            }
            runSeen = false;
        } else if (!found.get().isActive()) {
            throw ended();
        } else if (filling && found.get().labels().containsKey(EMPTY_LABEL)) {
            stores.sessions().update(sessionId, s -> {
                Map<String, String> labels = new LinkedHashMap<>(s.labels());
                labels.remove(EMPTY_LABEL);
                return s.withLabels(labels);
            });
        }
        if (found.isPresent()) {
            generation = found.get().labels().get(GENERATION_LABEL);
            if (generation == null || !generation.equals(lastGeneration)) {
                runSeen = false; // a session created again (after a purge, elsewhere) may lack its run
            }
        }
        lastGeneration = generation;
        if (!runSeen) {
            if (stores.runs().get(log.runId()).isEmpty()) {
                try {
                    stores.runs().create(NewRun.builder(sessionId, log.agentId()).id(log.runId()).build());
                } catch (AlreadyExistsException raced) {
                    // another writer created it a moment ago
                }
            }
            runSeen = true;
        }
        return generation;
    }

    private SessionEndedException ended() {
        return new SessionEndedException(sessionId);
    }

    private long lastSequence() {
        List<MemoryEvent> last = stores.memory().read(EventQuery.run(log).latest(1)).items();
        return last.isEmpty() ? 0 : last.get(0).sequence();
    }

    /**
     * The window as of one moment: the latest marker, then the log from its start to the end. A
     * marker found past the one read (another writer's) means the two reads straddled a write:
     * read again.
     */
    private Window readWindow() {
        return readWindow(lastGeneration);
    }

    private Window readWindow(String generation) {
        while (true) {
            Start at = position();
            List<Stored> messages = new ArrayList<>();
            for (long first : at.keep()) {
                messages.addAll(group(messageAt(first)));
            }
            int kept = messages.size();
            Range range = messageEvents(at.from() - 1, Long.MAX_VALUE);
            if (range.latestMarker() > at.marker()) {
                continue;
            }
            messages.addAll(group(range.events()));
            return range.last() >= at.marker() ? new Window(messages, kept, at.from(), range.last(), range.lastKey(), generation)
                    : new Window(messages, kept, at.from(), at.marker(), at.markerKey(), generation);
        }
    }

    /** Where the window starts, as the latest WINDOW marker says. */
    private Start position() {
        List<MemoryEvent> markers = stores.memory().read(EventQuery.run(log).types(EventType.WINDOW).latest(1)).items();
        return markers.isEmpty() ? Start.START : position(markers.get(0));
    }

    private static Start position(MemoryEvent marker) {
        Map<String, Object> data = marker.data();
        long from = data.get(FROM) instanceof Long l ? l : marker.sequence() + 1;
        List<Long> keep = new ArrayList<>();
        if (data.get(KEEP) instanceof List<?> list) {
            for (Object v : list) {
                if (v instanceof Long l && l < from) {
                    keep.add(l);
                }
            }
        }
        return new Start(marker.sequence(), marker.key(), from, keep);
    }

    /**
     * @param events the message events read, in order
     * @param last the highest sequence read, markers included (0 if none)
     * @param latestMarker the sequence of the latest WINDOW marker read (0 if none)
     */
    private record Range(List<MemoryEvent> events, long last, String lastKey, long latestMarker) {
    }

    /** The log's message events (markers left out) with sequences in {@code (after, upTo]}. */
    private Range messageEvents(long after, long upTo) {
        List<MemoryEvent> events = new ArrayList<>();
        long at = after;
        long last = 0;
        String lastKey = null;
        long latestMarker = 0;
        while (at < upTo) {
            Page<MemoryEvent> page = stores.memory().read(EventQuery.run(log).after(at).limit(READ_PAGE));
            for (MemoryEvent e : page.items()) {
                if (e.sequence() > upTo) {
                    return new Range(events, last, lastKey, latestMarker);
                }
                if (e.type() == EventType.WINDOW) {
                    latestMarker = e.sequence();
                } else {
                    events.add(e);
                }
                at = e.sequence();
                last = e.sequence();
                lastKey = e.key();
            }
            if (!page.hasNext()) {
                break;
            }
        }
        return new Range(events, last, lastKey, latestMarker);
    }

    /** The events of the message whose first event is at {@code first}: consecutive, with its key. */
    private List<MemoryEvent> messageAt(long first) {
        List<MemoryEvent> out = new ArrayList<>();
        String key = null;
        long after = first - 1;
        while (true) {
            Page<MemoryEvent> page = stores.memory().read(EventQuery.run(log).after(after).limit(GROUP_PAGE));
            for (MemoryEvent e : page.items()) {
                String k = e.labels().get(MESSAGE_LABEL);
                if (e.type() == EventType.WINDOW || (key != null && !key.equals(k))) {
                    return out;
                }
                out.add(e);
                if (k == null) {
                    return out; // an event without a key is a message of its own
                }
                key = k;
                after = e.sequence();
            }
            if (!page.hasNext()) {
                return out;
            }
        }
    }

    /** The whole message an event belongs to: its group's events around it. */
    private Message messageAround(MemoryEvent event) {
        String key = event.labels().get(MESSAGE_LABEL);
        long first = event.sequence();
        if (key != null) {
            List<MemoryEvent> before = messageEvents(Math.max(0, first - 1 - GROUP_PAGE), first - 1).events();
            for (int i = before.size() - 1; i >= 0 && key.equals(before.get(i).labels().get(MESSAGE_LABEL)); i--) {
                first = before.get(i).sequence();
            }
        }
        return group(messageAt(first)).get(0).message();
    }

    /** Groups events into messages by their {@value #MESSAGE_LABEL} label; an event without one is a message of its own. */
    static List<Stored> group(List<MemoryEvent> events) {
        List<Stored> out = new ArrayList<>();
        List<Event> current = new ArrayList<>();
        String key = null;
        long first = 0;
        for (MemoryEvent e : events) {
            String k = e.labels().get(MESSAGE_LABEL);
            if (current.isEmpty() || k == null || !k.equals(key)) {
                if (!current.isEmpty()) {
                    out.add(new Stored(first, new Message(current)));
                }
                current = new ArrayList<>();
                first = e.sequence();
                key = k;
            }
            current.add(unlabelled(e));
        }
        if (!current.isEmpty()) {
            out.add(new Stored(first, new Message(current)));
        }
        return out;
    }

    /** The event as the adapter gave it: without the grouping label, with its stored key and timestamp. */
    private static Event unlabelled(MemoryEvent e) {
        Map<String, String> labels = e.labels();
        if (labels.containsKey(MESSAGE_LABEL)) {
            labels = new LinkedHashMap<>(labels);
            labels.remove(MESSAGE_LABEL);
        }
        return new Event(e.key(), e.typeName(), e.timestamp(), e.data(), labels);
    }

    /**
     * The conversations an adapter works with, each kept between calls so that it remembers its
     * window (a write then reads one event, not the window), at most {@code capacity} of them,
     * least recently used first out. Thread-safe.
     */
    public static final class Cache {
        private final Stores stores;
        private final String agentId;
        private final Map<String, Conversation> conversations;

        /**
         * @param stores where the conversations live
         * @param agentId the agent id of their logs
         * @param capacity how many to keep, at least 1
         */
        public Cache(Stores stores, String agentId, int capacity) {
            this.stores = Objects.requireNonNull(stores, "stores");
            this.agentId = Checks.id(agentId, "agentId");
            if (capacity < 1) {
                throw new IllegalArgumentException("capacity: at least 1, got " + capacity);
            }
            this.conversations = java.util.Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Conversation> eldest) {
                    return size() > capacity;
                }
            });
        }

        /**
         * @param sessionId a conversation's session id
         * @return its conversation, the same object while it stays in the cache
         */
        public Conversation get(String sessionId) {
            Checks.id(sessionId, "sessionId");
            return conversations.computeIfAbsent(sessionId, id -> Conversation.of(stores, id, agentId));
        }

        @Override
        public String toString() {
            return "Conversation.Cache[agent " + Checks.shorten(agentId) + ", " + conversations.size() + " kept]";
        }
    }

    @Override
    public String toString() {
        return "Conversation[session " + Checks.shorten(sessionId) + ", log " + log.runId() + "]";
    }
}
