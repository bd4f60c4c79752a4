package dev.memoria.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.memoria.ConflictException;
import dev.memoria.Limits;
import dev.memoria.context.CompactionPolicy;
import dev.memoria.context.Context;
import dev.memoria.context.Fork;
import dev.memoria.context.Position;
import dev.memoria.context.Summarizer;
import dev.memoria.context.Summary;
import dev.memoria.context.View;
import dev.memoria.memory.Event;
import dev.memoria.memory.EventQuery;
import dev.memoria.memory.EventType;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.run.NewRun;
import dev.memoria.run.Run;
import dev.memoria.run.RunStatus;
import dev.memoria.runtime.Agent;
import dev.memoria.runtime.AgentRuntime;
import dev.memoria.session.NewSession;
import dev.memoria.session.Session;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Contracts C1–C9 of the context view (compaction, rewind, fork) on a backend's stores. The view
 * is computed in core over the store interfaces, so these check that a backend's reads (session
 * order, time bounds, latest) give it what it needs. Extend it and implement
 * {@link #newStores(java.time.Clock)} and {@link #workMeter()}.
 */
public abstract class ContextContract extends ContractSupport {
    private Context context;

    /**
     * @return a meter of the work the backend does for a read, as for M7
     */
    protected abstract WorkMeter workMeter();

    @BeforeEach
    final void createContext() {
        context = Context.of(stores);
    }

    /** A summarizer whose text lists what it read: deterministic, and it shows the pairing of calls. */
    private static final Summarizer LISTING = new Summarizer() {
        @Override
        public String id() {
            return "listing";
        }

        @Override
        public String summarize(Optional<String> previous, List<MemoryEvent> events) {
            return previous.map(p -> p + " | ").orElse("") + events.stream().map(ContextContract::brief).collect(Collectors.joining(", "));
        }
    };

    private static String brief(MemoryEvent e) {
        return switch (e.type()) {
            case TOOL_CALL -> "call " + e.data().get("callId");
            case TOOL_RESULT -> "result " + e.data().get("callId") + (Boolean.TRUE.equals(e.data().get("synthetic")) ? " (synthetic)" : "");
            default -> e.textIfAny().orElse(e.typeName());
        };
    }

    /** One finished run of the session: a user message and the reply, a second later than the previous one. */
    private Run turn(String sessionId, String user, String reply) {
        clock.advance(Duration.ofSeconds(1));
        Run run = stores.runs().create(NewRun.of(sessionId, "agent"));
        stores.memory().append(run.ref(), List.of(Event.userMessage(user), Event.assistantMessage(reply)));
        return stores.runs().update(stores.runs().update(run.withStatus(RunStatus.RUNNING)).withStatus(RunStatus.COMPLETED));
    }

    private Session session(String id) {
        return stores.sessions().create(NewSession.builder().id(id).userId("ada").build());
    }

    /** A session of {@code turns} turns: "u1"/"a1", "u2"/"a2", … */
    private Session conversation(String id, int turns) {
        Session s = session(id);
        for (int i = 1; i <= turns; i++) {
            turn(id, "u" + i, "a" + i);
        }
        return s;
    }

    private static List<String> texts(View view) {
        return view.events().stream().map(ContextContract::brief).toList();
    }

    private MemoryEvent message(View view, String text) {
        return view.events().stream().filter(e -> e.textIfAny().orElse("").equals(text)).findFirst().orElseThrow();
    }

    private long sessionEvents(String sessionId) {
        long n = 0;
        EventQuery q = EventQuery.session(sessionId).limit(Limits.MAX_PAGE_SIZE);
        var page = stores.memory().read(q);
        n += page.items().size();
        while (page.hasNext()) {
            page = stores.memory().read(q.cursor(page.nextCursor()));
            n += page.items().size();
        }
        return n;
    }

    @Test
    @DisplayName("C1: compact appends a SUMMARY recording the range, the summarizer and the text; every original stays")
    void c1_compactAppendsASummaryAndKeepsEveryOriginal() {
        conversation("long", 6);
        View before = context.view("long", 50);
        assertThat(texts(before)).containsExactly("u1", "a1", "u2", "a2", "u3", "a3", "u4", "a4", "u5", "a5", "u6", "a6");
        long stored = sessionEvents("long");
        clock.advance(Duration.ofSeconds(1));
        Summary summary = context.compact("long", message(before, "a4"), "ada asked four things", "by-hand");
        assertThat(summary.text()).isEqualTo("ada asked four things");
        assertThat(summary.summarizer()).isEqualTo("by-hand");
        assertThat(summary.upTo()).isEqualTo(Position.of(message(before, "a4")));
        assertThat(summary.covered()).isEqualTo(8);
        assertThat(summary.marker().type()).isEqualTo(EventType.SUMMARY);
        assertThat(summary.marker().timestamp()).isEqualTo(clock.instant());
        assertThat(summary.marker().run().runId()).isEqualTo(Context.logRunId("long"));
        assertThat(sessionEvents("long")).as("every original, and the marker").isEqualTo(stored + 1);
        List<MemoryEvent> messages = stores.memory().read(EventQuery.session("long")
                .types(EventType.USER_MESSAGE, EventType.ASSISTANT_MESSAGE).limit(100)).items();
        assertThat(messages).extracting(MemoryEvent::text).containsExactly("u1", "a1", "u2", "a2", "u3", "a3", "u4", "a4",
                "u5", "a5", "u6", "a6");
        assertThat(stores.memory().load(summary.marker().run()).events()).containsExactly(summary.marker());
        assertThatThrownBy(() -> AgentRuntime.create(stores).cancel(summary.marker().run().runId(), "x"))
                .as("the context log is no agent's run").isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is the context log of session long");
    }

    @Test
    @DisplayName("C2: the view is the newest summary, then the events after it, at most window of them; the runtime's history is this view")
    void c2_theViewIsTheSummaryThenTheEventsAfterIt() {
        conversation("chat", 6);
        View first = context.view("chat", 50);
        context.compact("chat", message(first, "a2"), "first summary", "by-hand");
        View second = context.view("chat", 50);
        assertThat(texts(second)).containsExactly("first summary", "u3", "a3", "u4", "a4", "u5", "a5", "u6", "a6");
        context.compact("chat", message(second, "a4"), "second summary", "by-hand");
        View view = context.view("chat", 50);
        assertThat(texts(view)).containsExactly("second summary", "u5", "a5", "u6", "a6");
        assertThat(view.summary().map(Summary::text)).contains("second summary");
        assertThat(view.unsummarized()).extracting(MemoryEvent::text).containsExactly("u5", "a5", "u6", "a6");
        assertThat(texts(context.view("chat", 3))).as("at most window events after the summary")
                .containsExactly("second summary", "a5", "u6", "a6");
        AgentRuntime runtime = AgentRuntime.builder(stores).clock(clock).build();
        assertThat(runtime.history("chat", 50)).isEqualTo(view.events());
        List<String> seen = new ArrayList<>();
        clock.advance(Duration.ofSeconds(1));
        runtime.run("chat", Agent.of("agent", t -> seen.addAll(t.history().stream().map(ContextContract::brief).toList())), "u7");
        assertThat(seen).as("what an agent's turn sees").containsExactly("second summary", "u5", "a5", "u6", "a6");
        assertThat(context.view("nobody", 10).events()).as("an unknown session's view").isEmpty();
        assertThatThrownBy(() -> context.view("chat", 10, java.util.Set.of(EventType.SUMMARY)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("markers shape the view");
        assertThatThrownBy(() -> context.view("chat", 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("window:");
    }

    @Test
    @DisplayName("C3: a cut never separates a call from its result, and a crashed run's call gets a synthetic result in the view and the summarizer's input")
    void c3_callsAndResultsAreNeverSeparated() {
        Session s = session("tools");
        turn(s.id(), "u1", "a1");
        clock.advance(Duration.ofSeconds(1));
        Run crashed = stores.runs().update(stores.runs().create(NewRun.of(s.id(), "agent")).withStatus(RunStatus.RUNNING));
        stores.memory().append(crashed.ref(), List.of(Event.userMessage("u2"), Event.toolCall("lost", "search", Map.of("q", "x"))));
        stores.runs().update(crashed.id(), r -> r.failed("the process died"));
        clock.advance(Duration.ofSeconds(1));
        Run ok = stores.runs().create(NewRun.of(s.id(), "agent"));
        stores.memory().append(ok.ref(), List.of(Event.userMessage("u3"), Event.toolCall("found", "search", Map.of("q", "y")),
                Event.toolResult("found", "search", "42", false), Event.assistantMessage("a3")));
        turn(s.id(), "u4", "a4");

        View view = context.view(s.id(), 50, Context.CONVERSATION);
        assertThat(texts(view)).containsExactly("u1", "a1", "u2", "call lost", "result lost (synthetic)", "u3", "call found",
                "result found", "a3", "u4", "a4");
        MemoryEvent synthetic = view.events().get(4);
        assertThat(synthetic.toolResult().isError()).isTrue();
        assertThat(String.valueOf(synthetic.toolResult().result())).contains("ended FAILED");
        assertThat(stores.memory().load(crashed.ref()).events()).as("never stored").hasSize(2);
        assertThat(texts(context.view(s.id(), 50))).as("messages only, by default").containsExactly("u1", "a1", "u2", "u3", "a3", "u4", "a4");

        // a cut at a call moves back before it
        Summary moved = context.compact(s.id(), view.events().get(6), "up to u3", "by-hand"); // "call found"
        assertThat(moved.upTo()).isEqualTo(Position.of(message(view, "u3")));
        assertThat(texts(context.view(s.id(), 50, Context.CONVERSATION))).containsExactly("up to u3", "call found", "result found",
                "a3", "u4", "a4");
        // the window's first event is never a result without its call
        assertThat(texts(context.view(s.id(), 4, Context.CONVERSATION))).containsExactly("up to u3", "a3", "u4", "a4");
        assertThatThrownBy(() -> context.compact(s.id(), context.view(s.id(), 50, Context.CONVERSATION).events().get(1), "x", "by-hand"))
                .as("nothing before the open call to cover").isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("inside an open tool call");
    }

    @Test
    @DisplayName("C3/C9: a run that crashed between call and result never blocks compaction, and the summarizer reads the pair")
    void c3_aCrashedCallNeverBlocksCompaction() {
        Session s = session("crash");
        turn(s.id(), "u1", "a1");
        clock.advance(Duration.ofSeconds(1));
        Run crashed = stores.runs().update(stores.runs().create(NewRun.of(s.id(), "agent")).withStatus(RunStatus.RUNNING));
        stores.memory().append(crashed.ref(), List.of(Event.userMessage("u2"), Event.toolCall("lost", "search", Map.of())));
        // nobody recovered it: it is still RUNNING, and the session goes on
        turn(s.id(), "u3", "a3");
        turn(s.id(), "u4", "a4");
        Optional<Summary> summary = context.compact(s.id(), LISTING, CompactionPolicy.afterTurns(2, 2));
        assertThat(summary).isPresent();
        assertThat(summary.get().text()).isEqualTo("u1, a1, u2, call lost, result lost (synthetic), u3, a3");
        View view = context.view(s.id(), 50, Context.CONVERSATION);
        assertThat(texts(view)).containsExactly(summary.get().text(), "u4", "a4");
        assertPaired(view);
    }

    private static void assertPaired(View view) {
        List<Object> calls = view.events().stream().filter(e -> e.type() == EventType.TOOL_CALL).map(e -> e.data().get("callId")).toList();
        List<Object> results = view.events().stream().filter(e -> e.type() == EventType.TOOL_RESULT).map(e -> e.data().get("callId")).toList();
        assertThat(results).as("every call has a result, every result its call").containsExactlyElementsOf(calls);
    }

    @Test
    @DisplayName("C4: of compactors working from the same view exactly one records a summary; the others get ConflictException and write nothing")
    void c4_compareAndCompact() {
        conversation("contended", 4);
        CyclicBarrier allRead = new CyclicBarrier(THREADS);
        AtomicInteger conflicts = new AtomicInteger();
        List<Optional<Summary>> outcomes = onThreads(i -> {
            View view = context.view("contended", 50);
            allRead.await(30, TimeUnit.SECONDS); // every compactor has its view before any writes
            try {
                return Optional.of(context.compact(view, view.events().get(1 + i % 3), "summary " + i, "c" + i, null, 2));
            } catch (ConflictException lost) {
                conflicts.incrementAndGet();
                return Optional.<Summary>empty();
            }
        });
        assertThat(outcomes).filteredOn(Optional::isPresent).hasSize(1);
        assertThat(conflicts).hasValue(THREADS - 1);
        List<MemoryEvent> markers = stores.memory().read(EventQuery.run(Context.logRunId("contended"))).items();
        assertThat(markers).hasSize(1);
        Summary winner = outcomes.stream().flatMap(Optional::stream).findFirst().orElseThrow();
        assertThat(markers.get(0)).isEqualTo(winner.marker());
        assertThat(context.view("contended", 50).summary()).contains(winner);
        View stale = context.view("contended", 50);
        context.rewind("contended", message(stale, "a4"));
        assertThatThrownBy(() -> context.compact(stale, stale.events().get(2), "late", "c", null, 1))
                .as("a rewind moved the markers too").isInstanceOf(ConflictException.class);
    }

    @Test
    @DisplayName("C5: rewind hides the events after its point that precede the marker; they stay in the log, and later events show")
    void c5_rewindHidesWhatCameAfterItsPoint() {
        conversation("undo", 5);
        View before = context.view("undo", 50);
        long stored = sessionEvents("undo");
        clock.advance(Duration.ofSeconds(1));
        MemoryEvent marker = context.rewind("undo", message(before, "a2"));
        assertThat(marker.type()).isEqualTo(EventType.REWIND);
        assertThat(texts(context.view("undo", 50))).containsExactly("u1", "a1", "u2", "a2");
        turn("undo", "u3'", "a3'");
        assertThat(texts(context.view("undo", 50))).containsExactly("u1", "a1", "u2", "a2", "u3'", "a3'");
        assertThat(texts(context.view("undo", 3))).containsExactly("a2", "u3'", "a3'");
        assertThat(sessionEvents("undo")).as("the rewound events stay, readable and exportable").isEqualTo(stored + 1 + 2);
        assertThatThrownBy(() -> context.rewind("undo", message(before, "a4"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was rewound away");
        // a summary, then a rewind to before what it covers: the summary is void with the events
        View now = context.view("undo", 50);
        context.compact("undo", message(now, "u3'"), "up to u3'", "by-hand");
        assertThat(texts(context.view("undo", 50))).containsExactly("up to u3'", "a3'");
        context.rewind("undo", message(now, "a1"));
        assertThat(texts(context.view("undo", 50))).containsExactly("u1", "a1");
        assertThatThrownBy(() -> context.rewind("undo", marker)).as("a marker is no point to rewind to")
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("C6: fork starts from the parent's view up to a point, writes O(1) records, and the two sides never see each other's writes")
    void c6_forkSharesThePrefixWithoutCopying() {
        conversation("parent", 4);
        View parentView = context.view("parent", 50);
        context.compact("parent", message(parentView, "a1"), "turn one", "by-hand");
        long runsBefore = stores.runs().list(dev.memoria.run.RunFilter.all().limit(1000)).items().size();
        long parentEvents = sessionEvents("parent");
        clock.advance(Duration.ofSeconds(1));
        Session fork = context.fork("parent", message(parentView, "a3"), "fork");
        assertThat(fork.isActive()).isTrue();
        assertThat(fork.userId()).isEqualTo("ada");
        assertThat(sessionEvents("fork")).as("nothing copied").isZero();
        assertThat(stores.runs().list(dev.memoria.run.RunFilter.all().limit(1000)).items()).hasSize((int) runsBefore);
        assertThat(texts(context.view("fork", 50))).containsExactly("turn one", "u2", "a2", "u3", "a3");

        turn("fork", "f1", "fa1");
        turn("parent", "u5", "a5");
        assertThat(texts(context.view("fork", 50))).containsExactly("turn one", "u2", "a2", "u3", "a3", "f1", "fa1");
        assertThat(texts(context.view("parent", 50))).containsExactly("turn one", "u2", "a2", "u3", "a3", "u4", "a4", "u5", "a5");
        // markers the parent records after the fork do not reach it
        context.compact("parent", message(context.view("parent", 50), "a4"), "parent later", "by-hand");
        assertThat(texts(context.view("fork", 50))).containsExactly("turn one", "u2", "a2", "u3", "a3", "f1", "fa1");
        assertThat(sessionEvents("parent")).isEqualTo(parentEvents + 2 + 1);
        // the fork's own markers may reach into what it inherited
        context.rewind("fork", message(context.view("fork", 50), "a2"));
        assertThat(texts(context.view("fork", 50))).containsExactly("turn one", "u2", "a2");
        turn("fork", "f2", "fa2");
        context.compact("fork", message(context.view("fork", 50), "u2"), "fork summary", "by-hand");
        assertThat(texts(context.view("fork", 50))).containsExactly("fork summary", "a2", "f2", "fa2");

        assertThat(context.forks("parent")).extracting(Session::id).containsExactly("fork");
        Fork lineage = context.forkedFrom("fork").orElseThrow();
        assertThat(lineage.parentId()).isEqualTo("parent");
        assertThat(lineage.at()).isEqualTo(Position.of(message(parentView, "a3")));
        assertThat(context.forkedFrom("parent")).isEmpty();
        // a fork of a fork
        Session grandchild = context.fork("fork", message(context.view("fork", 50), "f2"), "grandchild");
        assertThat(texts(context.view(grandchild.id(), 50))).containsExactly("fork summary", "a2", "f2");
        assertThat(context.forks("fork")).extracting(Session::id).containsExactly("grandchild");
        assertThatThrownBy(() -> context.fork("parent", message(parentView, "a3"), "fork"))
                .isInstanceOf(dev.memoria.AlreadyExistsException.class);
        assertThatThrownBy(() -> context.fork("parent", context.view("fork", 50).events().get(2), "elsewhere"))
                .as("a point of another session").isInstanceOf(IllegalArgumentException.class);
        // a fork from a point the parent's summary covers inherits the originals, not that summary
        context.fork("parent", message(parentView, "u1"), "early");
        assertThat(texts(context.view("early", 50))).containsExactly("u1");
    }

    @Test
    @DisplayName("C7: purging a session that has forks is refused, naming them, and removes nothing; purge the forks first")
    void c7_purgingAParentWithForksIsRefused() {
        conversation("base", 3);
        context.fork("base", message(context.view("base", 50), "a2"), "branch");
        long stored = sessionEvents("base");
        assertThatThrownBy(() -> stores.purgeSession("base")).isInstanceOf(ConflictException.class)
                .hasMessageContaining("branch").hasMessageContaining("nothing was removed");
        assertThat(sessionEvents("base")).isEqualTo(stored);
        assertThat(stores.sessions().get("base")).isPresent();
        assertThat(texts(context.view("branch", 50))).containsExactly("u1", "a1", "u2", "a2");
        stores.purgeSession("branch");
        stores.purgeSession("base");
        assertThat(stores.sessions().get("base")).isEmpty();
        assertThat(sessionEvents("base")).isZero();
    }

    @Test
    @DisplayName("C8: the view costs O(window + markers since the newest summary), not O(session length)")
    void c8_theViewDoesNotReadTheWholeSession() {
        Session small = session("small");
        Session large = session("large");
        // the small one is one full batch: a backend that stores batches (MongoDB) reads the newest
        // batch and the one before it whatever the session's length, which is what this compares
        fillSession(small.id(), 1_000);
        fillSession(large.id(), 100_000);
        for (Session s : List.of(small, large)) {
            View all = context.view(s.id(), 100);
            context.compact(s.id(), all.events().get(40), "the story so far", "by-hand");
            context.rewind(s.id(), context.view(s.id(), 100).events().get(50));
            fillSession(s.id(), 60);
        }
        WorkMeter meter = workMeter();
        long smallWork = meter.workOf(() -> context.view(small.id(), 50));
        long largeWork = meter.workOf(() -> context.view(large.id(), 50));
        long fullRead = meter.workOf(() -> stores.memory().read(EventQuery.session(large.id()).types(EventType.USER_MESSAGE).limit(1000)));
        assertThat(smallWork).as("work of a view of a 1,060-event session").isPositive();
        assertThat(largeWork).as("work of a view of a 100,060-event session vs %d for a 1,060-event one", smallWork)
                .isLessThanOrEqualTo(2 * smallWork + 10);
        assertThat(fullRead).as("the meter sees reads: a 1,000-event page costs more than the view (%d)", largeWork)
                .isGreaterThan(largeWork);
        View view = context.view(large.id(), 50);
        assertThat(view.events()).hasSize(51);
        assertThat(view.events().get(0).type()).isEqualTo(EventType.SUMMARY);
    }

    /** Appends user and assistant messages in runs of 1,000, a second apart. */
    private void fillSession(String sessionId, int count) {
        for (int from = 0; from < count; from += Limits.MAX_EVENTS_PER_APPEND) {
            clock.advance(Duration.ofSeconds(1));
            Run run = stores.runs().create(NewRun.of(sessionId, "agent"));
            List<Event> batch = new ArrayList<>();
            for (int i = from; i < Math.min(count, from + Limits.MAX_EVENTS_PER_APPEND); i++) {
                batch.add(i % 2 == 0 ? Event.userMessage("q" + i) : Event.assistantMessage("r" + i));
            }
            stores.memory().append(run.ref(), batch);
        }
    }

    @Test
    @DisplayName("C9: a runtime with a summarizer and a policy compacts on its own, deterministically")
    void c9_theRuntimeCompactsOnItsOwnDeterministically() {
        AgentRuntime runtime = AgentRuntime.builder(stores).clock(clock).compaction(LISTING, CompactionPolicy.afterTurns(3, 2)).build();
        Agent echo = Agent.of("echo", t -> t.say("re: " + t.input()));
        for (String id : List.of("one", "two")) {
            runtime.startSession(id, "ada");
            for (int i = 1; i <= 7; i++) {
                clock.advance(Duration.ofSeconds(1));
                runtime.run(id, echo, "q" + i);
            }
        }
        View one = context.view("one", 50);
        View two = context.view("two", 50);
        assertThat(texts(one)).containsExactly("q1, re: q1, q2, re: q2 | q3, re: q3, q4, re: q4 | q5, re: q5, q6, re: q6", "q7", "re: q7")
                .isEqualTo(texts(two));
        assertThat(one.summary().orElseThrow().summarizer()).isEqualTo("listing");
        assertThat(stores.memory().read(EventQuery.run(Context.logRunId("one")).types(EventType.SUMMARY)).items()).hasSize(3);
        assertThatThrownBy(() -> CompactionPolicy.afterTurns(1, 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("turns:");
        assertThatThrownBy(() -> CompactionPolicy.overTokens(10, 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("budget:");
        assertThat(context.compact("one", LISTING, CompactionPolicy.afterTurns(50, 2))).as("not due").isEmpty();
        assertThat(context.compact("one", LISTING, CompactionPolicy.overTokens(100, 1))).as("not over the budget").isEmpty();
    }
}
