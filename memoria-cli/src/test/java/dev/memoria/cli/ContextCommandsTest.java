package dev.memoria.cli;

import static dev.memoria.cli.CliTest.memoria;
import static org.assertj.core.api.Assertions.assertThat;

import dev.memoria.Stores;
import dev.memoria.context.Context;
import dev.memoria.memory.Event;
import dev.memoria.memory.EventQuery;
import dev.memoria.memory.EventType;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.run.Run;
import dev.memoria.runtime.Agent;
import dev.memoria.runtime.AgentRuntime;
import dev.memoria.session.Session;
import dev.memoria.spi.Json;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code view}, {@code compact}, {@code rewind} and {@code fork}, and how {@code show} marks what they did, on SQLite files. */
class ContextCommandsTest {
    @TempDir
    Path dir;

    private String sqlite(String name) {
        return "sqlite:" + dir.resolve(name);
    }

    private static CliTest.Result ok(String... args) {
        CliTest.Result r = memoria(args);
        assertThat(r.code()).as(String.join(" ", args) + ": " + r.err()).isZero();
        return r;
    }

    /** The lines of a view after its header, summary and explanations: "   3 user: …". */
    private static List<String> numberedLines(CliTest.Result view) {
        return view.out().lines().filter(l -> l.matches(" {0,3}(\\d+|-) .*")).toList();
    }

    /** Every line the context commands add fits 80 columns (show's "  user …, created …, updated …" line is older, and longer). */
    private static void fitsEightyColumns(CliTest.Result r) {
        assertThat(r.out().lines().filter(l -> !l.contains("--store") && !l.startsWith("  user "))).allMatch(l -> l.length() <= 80, "fits 80 columns");
    }

    @Test
    void theDemoCompactedViewedRewoundForkedAndShown() {
        String store = sqlite("demo.db");
        ok("demo", "--store", store);

        CliTest.Result compact = ok("compact", "demo", "--keep", "4", "--store", store);
        String notes; // the run of "Save the answer to my notes.", where the summary ends
        try (Stores stores = Stores.open(store)) {
            notes = stores.runs().listBySession("demo").get(3).id();
        }
        assertThat(compact.out()).startsWith("Compacted session demo: a summary by memoria-demo-summarizer now stands for 11\n"
                + "events, up to " + Render.run(notes) + "#1 (user: Save the answer to my notes.). The last 5")
                .contains("(the cut moved back before a tool call, to keep the\ncall with its result); nothing was removed from the log.")
                .contains("Summary: User: \"Hello! My name is Ada and I prefer green tea. What can you \u2026\"\n"
                        + "         Agent: \"Hello! I am a calculator")
                .contains("See what the model sees with: ./memoria view demo --store " + store);
        fitsEightyColumns(compact);

        CliTest.Result view = ok("view", "demo", "--store", store);
        assertThat(view.out()).startsWith("Session demo as the model sees it: a summary, then 3 messages (--window 50;\n"
                + "--tools adds tool calls and results).\n"
                + "  summary: by memoria-demo-summarizer, made from 11 events, stands for\n"
                + "           everything up to " + Render.run(notes) + "#1 (user: Save the answer to my\n"
                + "           notes.)\n"
                + "   S summary: User: \"Hello! My name is Ada and I prefer green tea. What can you\n"
                + "              \u2026\" Agent: \"Hello! I am a calculator agent: ask me 'what is 12 *\n");
        assertThat(numberedLines(view)).containsExactly(
                "   3 assistant: I saved \"2 ^ 10 / 8 = 128\" to your notes.",
                "   4 user: What have I asked you so far?",
                "   5 assistant: You have asked me 4 things in this session so far; the last wa\u2026");
        fitsEightyColumns(view);
        assertThat(numberedLines(ok("view", "demo", "--tools", "--store", store))).as("the same numbers, tool events between")
                .containsExactly(
                        "   1 tool call notes {\"text\":\"2 ^ 10 / 8 = 128\"}",
                        "   2 tool result notes \"saved\"",
                        "   3 assistant: I saved \"2 ^ 10 / 8 = 128\" to your notes.",
                        "   4 user: What have I asked you so far?",
                        "   5 assistant: You have asked me 4 things in this session so far; the last wa\u2026");
        assertThat(numberedLines(ok("view", "demo", "--window", "1", "--store", store)))
                .containsExactly("   5 assistant: You have asked me 4 things in this session so far; the last wa\u2026");

        CliTest.Result rewind = ok("rewind", "demo", "--to", "3", "--store", store);
        assertThat(rewind.out()).startsWith("Rewound session demo to " + Render.run(notes) + "#8 (assistant: I saved \"2 ^ 10 / 8 = 128\"\n"
                + "t\u2026): its view now hides the 2 messages and tool events that came after it.");
        fitsEightyColumns(rewind);
        CliTest.Result rewound = ok("view", "demo", "--store", store);
        assertThat(rewound.out()).contains("  rewound: the events after " + Render.run(notes) + "#8 (assistant: I saved \"2 ^ 10 / 8 =\n"
                + "           128\" t\u2026), up to the rewind of ");
        assertThat(numberedLines(rewound)).containsExactly("   3 assistant: I saved \"2 ^ 10 / 8 = 128\" to your notes.");

        CliTest.Result fork = ok("fork", "demo", "--at", "3", "--as", "demo-b", "--store", store);
        assertThat(fork.out()).contains(" as demo-b: its view starts with demo's view up to there (a summary and 1\nmessage)",
                "See it with: ./memoria view demo-b --store " + store, "Continue it with: ./memoria demo --session demo-b --store " + store);
        CliTest.Result forked = ok("view", "demo-b", "--tools", "--store", store);
        assertThat(forked.out()).contains("  forked: this session was forked from session demo at ",
                "inherited from\n           session demo, stands for everything up to " + Render.run(notes) + "#1");
        assertThat(forked.out()).as("the parent's rewind lies after the fork: it hides nothing here").doesNotContain("rewound:");
        assertThat(numberedLines(forked)).containsExactly(
                "   1 [demo] tool call notes {\"text\":\"2 ^ 10 / 8 = 128\"}",
                "   2 [demo] tool result notes \"saved\"",
                "   3 [demo] assistant: I saved \"2 ^ 10 / 8 = 128\" to your notes.");

        CliTest.Result show = ok("show", "demo", "--store", store);
        List<String> events = show.out().lines().filter(l -> l.matches("[\u2502 ]+#.*")).map(l -> l.replaceFirst("^[\u2502 ]+", ""))
                .toList();
        assertThat(events.stream().filter(l -> l.contains("(summarized)"))).hasSize(12);
        assertThat(events).contains("#1 (summarized) user: What is 12 * (3 + 4)?", "#1 (summarized) user: Save the answer to my notes.",
                "#2 planner: Save \"2 ^ 10 / 8 = 128\" to the notes: ask for approval.",
                "#8 assistant: I saved \"2 ^ 10 / 8 = 128\" to your notes.",
                "#1 (rewound) user: What have I asked you so far?",
                "#1 summary by memoria-demo-summarizer of 11 events up to " + Render.run(notes) + "#1\u2026",
                "#2 rewind to " + Render.run(notes) + "#8: the view hides what came after it, up to h\u2026");
        assertThat(show.out()).contains("  forks: demo-b (their views start with this session's)",
                "  marks: (summarized) the summary stands for it; (rewound) a rewind hides it.",
                ": the context log\n", " agent memoria.context, since ");
        fitsEightyColumns(show);

        CliTest.Result showFork = ok("show", "demo-b", "--store", store);
        assertThat(showFork.out()).contains("  labels {\"memoria.forkedFrom\":\"demo\"}",
                "\u250a inherited from session demo (the view of demo-b starts with it), up to\n\u250a   " + Render.run(notes) + "#8",
                "\u250a \u2502    #1 (summarized) user: Hello! My name is Ada and I prefer green tea.",
                "\u250a \u2502    #8 assistant: I saved \"2 ^ 10 / 8 = 128\" to your notes.",
                "  (no runs of its own yet)");
        assertThat(showFork.out()).as("what came after the fork point is not inherited")
                .doesNotContain("What have I asked you so far?");
        assertThat(showFork.out()).as("the parent's markers up to the fork are").contains("\u250a      #2 rewind to ");
        fitsEightyColumns(showFork);

        // the fork goes its own way: the demo continues it, with the inherited summary as its history
        CliTest.Result more = ok("demo", "--session", "demo-b", "--store", store);
        assertThat(more.out()).startsWith("Resuming session demo-b with a summary and 1 earlier message");
        assertThat(numberedLines(ok("view", "demo", "--store", store))).as("the parent does not see the fork's events")
                .containsExactly("   3 assistant: I saved \"2 ^ 10 / 8 = 128\" to your notes.");
        assertThat(ok("stats", "--store", store).out()).as("nothing was removed: 2 sessions of demo runs, and 2 markers")
                .contains("Events:   50", "SUMMARY=1", "REWIND=1");
        ok("rewind", "demo", "--to", "1", "--store", store);
        assertThat(ok("show", "demo-b", "--store", store).out()).as("the parent's markers after the fork do not apply to it")
                .contains("\u250a      #2 rewind to ").doesNotContain("#3 rewind to");
        assertThat(ok("show", "demo", "--store", store).out()).contains("     #3 rewind to ");
    }

    @Test
    void compactRefusesToKeepNothingAndSaysWhenNothingIsDue() {
        String store = sqlite("compact.db");
        ok("demo", "--store", store);
        for (String keep : List.of("0", "-3")) {
            CliTest.Result r = memoria("compact", "demo", "--keep", keep, "--store", store);
            assertThat(r.code()).isEqualTo(Main.BAD_USAGE);
            assertThat(r.err()).startsWith("memoria: --keep: at least 1 event must stay as it is (the model needs the last message), got "
                    + keep);
        }
        assertThat(memoria("compact", "demo", "--keep", "1001", "--store", store).err()).startsWith("memoria: --keep: at most 1000");
        assertThat(memoria("compact", "demo", "--store", store).code()).as("--keep is required").isEqualTo(Main.BAD_USAGE);
        assertThat(ok("compact", "demo", "--keep", "16", "--store", store).out()).isEqualTo("Nothing to compact in session demo: its"
                + " view holds 16 messages and tool events after its start, and --keep 16 keeps them all.\n");
        assertThat(ok("compact", "demo", "--keep", "15", "--store", store).out())
                .startsWith("Compacted session demo: a summary by memoria-demo-summarizer now stands for 1\nevent, ");
        CliTest.Result again = ok("compact", "demo", "--keep", "2", "--store", store);
        assertThat(again.out()).contains("now stands for 13\nevents and the previous summary", "The last 2 events stay as they are;");
        assertThat(again.out()).as("the new summary goes on from the previous one").contains("Summary: User: \"Hello! My name is Ada");
        assertThat(ok("compact", "demo", "--keep", "2", "--store", store).out()).startsWith("Nothing to compact");
        CliTest.Result unknown = memoria("compact", "nope", "--keep", "2", "--store", store);
        assertThat(unknown.code()).isEqualTo(Main.FAILED);
        assertThat(unknown.err()).startsWith("memoria: no session 'nope' in ");
        CliTest.endOneSessionWithAFailedRun(store);
        CliTest.Result ended = memoria("compact", "closed", "--keep", "1", "--store", store);
        assertThat(ended.code()).isEqualTo(Main.FAILED);
        assertThat(ended.err()).contains("closed").contains("ended");
    }

    @Test
    void rewindAndForkTakeAViewNumberOrRunAndSequenceAndRefuseWhatTheCoreRefuses() {
        String store = sqlite("refs.db");
        ok("demo", "--store", store);
        List<Run> runs;
        try (Stores stores = Stores.open(store)) {
            runs = stores.runs().listBySession("demo");
        }
        String second = runs.get(1).id();
        String last = runs.get(4).id();
        // pasted from show or view, ellipsis and all; or typed as a short prefix; or in full
        CliTest.Result pasted = ok("rewind", "demo", "--to", Render.run(last) + "#1", "--store", store);
        assertThat(pasted.out()).startsWith("Rewound session demo to " + Render.run(last) + "#1 (user: What have I asked you so far?):");
        assertThat(pasted.out()).contains("hides the 1 message or tool event that came after it");
        CliTest.Result hidden = memoria("rewind", "demo", "--to", last + "#3", "--store", store);
        assertThat(hidden.code()).isEqualTo(Main.BAD_USAGE);
        assertThat(hidden.err()).startsWith("memoria: --to: event 3 of run " + last + " was rewound away; choose a visible event");
        assertThat(ok("rewind", "demo", "--to", Render.run(last).replace("\u2026", "...") + "#1", "--store", store).out())
                .contains("hides nothing more (nothing visible came after it)");

        CliTest.Result ambiguous = memoria("fork", "demo", "--at", "01#1", "--as", "x", "--store", store);
        assertThat(ambiguous.code()).isEqualTo(Main.BAD_USAGE);
        assertThat(ambiguous.err()).startsWith("memoria: --at: '01' starts the ids of 5 runs of session demo (");
        assertThat(memoria("fork", "demo", "--at", "zz#1", "--as", "x", "--store", store).err())
                .startsWith("memoria: --at: no run of session demo has an id starting with 'zz' (memoria show demo lists them)");
        assertThat(memoria("fork", "demo", "--at", second + "#9", "--as", "x", "--store", store).err())
                .startsWith("memoria: --at: run " + second + " has no event #9 (its events are #1 to #5)");
        assertThat(memoria("fork", "demo", "--at", "99", "--as", "x", "--store", store).err())
                .startsWith("memoria: --at: 99 is not a number memoria view demo prints: its events are numbered 1 to 15");
        assertThat(memoria("fork", "demo", "--at", "first", "--as", "x", "--store", store).err())
                .startsWith("memoria: --at: expected N (the number memoria view prints in front of the event) or RUN#SEQ");
        assertThat(memoria("fork", "demo", "--at", Context.logRunId("demo") + "#1", "--as", "x", "--store", store).err())
                .as("a marker is no event of the conversation")
                .startsWith("memoria: --at: event 1 of run " + Context.logRunId("demo") + " is not an event of session demo");
        assertThat(memoria("fork", "demo", "--at", "3", "--as", " ", "--store", store).err()).startsWith("memoria: --as: ");

        CliTest.Result fork = ok("fork", "demo", "--at", second.substring(0, Render.RUN_PREFIX) + "#5", "--as", "b", "--store", store);
        assertThat(fork.out()).startsWith("Forked session demo at " + Render.run(second) + "#5 (assistant: 12 * (3 + 4) = 84) as b:");
        CliTest.Result again = memoria("fork", "demo", "--at", "3", "--as", "b", "--store", store);
        assertThat(again.code()).isEqualTo(Main.FAILED);
        assertThat(again.err()).startsWith("memoria: ").contains("b").contains("exists");
        assertThat(memoria("rewind", "b", "--to", last + "#1", "--store", store).err()).as("after the fork point: not b's")
                .startsWith("memoria: --to: event 1 of run " + last + " is not an event of session b or of the prefix it inherits");
        assertThat(ok("rewind", "b", "--to", "3", "--store", store).out()).as("an inherited event, by its number in b's view")
                .startsWith("Rewound session b to " + Render.run(second) + "#1 (user: What is 12 * (3 + 4)?): its view\nnow hides the 3");
        assertThat(numberedLines(ok("view", "b", "--tools", "--store", store))).containsExactly(
                "   1 [demo] user: Hello! My name is Ada and I prefer green tea. What can you d\u2026",
                "   2 [demo] assistant: Hello! I am a calculator agent: ask me 'what is 12 * (3\u2026",
                "   3 [demo] user: What is 12 * (3 + 4)?");
        assertThat(numberedLines(ok("view", "demo", "--store", store))).as("b's rewind is b's alone").hasSize(9);
        assertThat(memoria("rewind", "nope", "--to", "1", "--store", store).err()).startsWith("memoria: no session 'nope'");
        CliTest.Result atACall = ok("fork", "demo", "--at", "4", "--as", "c", "--store", store);
        assertThat(atACall.out()).contains("Note: that is a tool call, so its result, if any, came after it: the fork's\nview pairs");
        assertThat(numberedLines(ok("view", "c", "--tools", "--store", store))).last().asString()
                .startsWith("   - [demo] tool result calculator (error) \"no result in this view").endsWith("(synthetic)");
    }

    @Test
    void viewMarksSyntheticResultsAndPrintsJsonLines() {
        String store = sqlite("synthetic.db");
        CliTest.endOneSessionWithAFailedRun(store); // a FAILED run whose tool call never got a result
        CliTest.Result view = ok("view", "closed", "--tools", "--store", store);
        List<String> lines = numberedLines(view);
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).isEqualTo("   1 user: go");
        assertThat(lines.get(1)).isEqualTo("   2 tool call t {\"a\":[1]}");
        assertThat(lines.get(2)).startsWith("   - tool result t (error) \"no result in this view: run ").endsWith(" (synthetic)");
        assertThat(view.out()).contains("  synthetic: a tool call without a result in the view comes with an error\n");
        assertThat(view.out()).contains("  summary: none in effect: the view starts with the session's first message");
        fitsEightyColumns(view);

        List<String> json = ok("view", "closed", "--tools", "--json", "--store", store).out().lines().toList();
        assertThat(json).hasSize(4);
        Map<String, Object> header = Json.parseObject(json.get(0));
        assertThat(header).containsEntry("kind", "view").containsEntry("sessionId", "closed").containsEntry("summary", null)
                .containsEntry("events", 3L).containsEntry("rewound", List.of()).containsEntry("forkedFrom", List.of());
        Map<String, Object> synthetic = Json.parseObject(json.get(3));
        assertThat(synthetic).containsEntry("type", "TOOL_RESULT").containsEntry("n", null);
        @SuppressWarnings("unchecked") Map<String, Object> syntheticData = (Map<String, Object>) synthetic.get("data");
        assertThat(syntheticData).containsEntry("synthetic", true).containsEntry("isError", true);
        assertThat(Json.parseObject(json.get(1))).containsEntry("n", 1L).containsEntry("type", "USER_MESSAGE");
        assertThat(numberedLines(ok("view", "closed", "--store", store))).containsExactly("   1 user: go");
        CliTest.Result bad = memoria("view", "closed", "--window", "0", "--store", store);
        assertThat(bad.code()).isEqualTo(Main.BAD_USAGE);
        assertThat(bad.err()).startsWith("memoria: --window: must be between 1 and 1000, got 0");
    }

    /**
     * What show marks visible is what the core's view shows, after compactions, rewinds (one that
     * voids a summary, one from a fork into what it inherits, one of the parent after the fork),
     * and forks of forks.
     */
    @Test
    void theMarksAgreeWithTheCoresViewEventByEvent() {
        String store = sqlite("marks.db");
        Agent echo = Agent.of("echo", turn -> {
            String callId = "c-" + turn.run().id();
            turn.emit(Event.toolCall(callId, "calc", Map.of("q", turn.input())));
            turn.emit(Event.toolResult(callId, "calc", turn.input().length(), false));
            turn.say("Echo: " + turn.input());
        });
        try (Stores stores = Stores.open(store)) {
            AgentRuntime rt = AgentRuntime.builder(stores).build();
            rt.startSession("a", "u");
            for (int i = 1; i <= 6; i++) {
                rt.run("a", echo, "a" + i);
            }
        }
        ok("compact", "a", "--keep", "5", "--store", store);
        ok("rewind", "a", "--to", "2", "--store", store);
        turns(store, echo, "a", "a7", "a8", "a9");
        ok("compact", "a", "--keep", "3", "--store", store);
        String early;
        try (Stores stores = Stores.open(store)) {
            early = stores.runs().listBySession("a").stream().filter(r -> r.agentId().equals("echo")).toList().get(6).id() + "#1"; // a7: after the first summary, inside the second
        }
        CliTest.Result voiding = ok("rewind", "a", "--to", early, "--store", store);
        assertThat(voiding.out()).contains("so it no\nlonger applies: the one before it, by memoria-demo-summarizer, does.");
        turns(store, echo, "a", "a10", "a11");
        ok("fork", "a", "--at", "4", "--as", "b", "--store", store);
        turns(store, echo, "b", "b1", "b2");
        ok("rewind", "b", "--to", "2", "--store", store);
        turns(store, echo, "b", "b3");
        ok("compact", "b", "--keep", "2", "--store", store);
        ok("fork", "b", "--at", "1", "--as", "c", "--store", store);
        turns(store, echo, "c", "c1");
        String a1;
        try (Stores stores = Stores.open(store)) {
            a1 = stores.runs().listBySession("a").get(0).id() + "#1";
        }
        ok("fork", "a", "--at", a1, "--as", "d", "--store", store); // a point a's summary covers: d gets the originals
        assertThat(numberedLines(ok("view", "d", "--store", store))).containsExactly("   1 [a] user: a1");
        ok("rewind", "a", "--to", "1", "--store", store);
        turns(store, echo, "a", "a12");

        Map<ContextMarks.Mark, Integer> seen = new EnumMap<>(ContextMarks.Mark.class);
        try (Stores stores = Stores.open(store)) {
            for (String id : List.of("a", "b", "c", "d")) {
                Session session = stores.sessions().get(id).orElseThrow();
                ContextMarks marks = ContextMarks.of(stores, session);
                Set<String> visible = new HashSet<>();
                Context.of(stores).view(id, 1000, Context.CONVERSATION).unsummarized().forEach(e -> visible.add(ContextMarks.key(e)));
                int checked = 0;
                for (ContextMarks.Segment segment : marks.newestFirst) {
                    for (MemoryEvent e : stores.memory().read(EventQuery.session(segment.id()).types(Context.CONVERSATION).limit(1000))
                            .items()) {
                        if (!ContextMarks.inherited(segment, e)) {
                            continue;
                        }
                        ContextMarks.Mark mark = marks.mark(e);
                        seen.merge(mark, 1, Integer::sum);
                        assertThat(mark == ContextMarks.Mark.VISIBLE).as(id + ": " + e).isEqualTo(visible.contains(ContextMarks.key(e)));
                        checked++;
                    }
                }
                assertThat(checked).isGreaterThanOrEqualTo(visible.size());
            }
        }
        assertThat(seen).containsKeys(ContextMarks.Mark.VISIBLE, ContextMarks.Mark.SUMMARIZED, ContextMarks.Mark.REWOUND);
        CliTest.Result show = ok("show", "c", "--store", store);
        assertThat(show.out()).contains("\u250a inherited from session a (the view of b starts with it)",
                "\u250a inherited from session b (the view of c starts with it)", "(rewound)", "(summarized)");
        fitsEightyColumns(show);
    }

    private static void turns(String store, Agent agent, String session, String... inputs) {
        try (Stores stores = Stores.open(store)) {
            AgentRuntime rt = AgentRuntime.builder(stores).build();
            for (String input : inputs) {
                rt.run(session, agent, input);
            }
        }
    }

    @Test
    void eventsPrintsTheMarkersReadably() {
        String store = sqlite("events.db");
        ok("demo", "--store", store);
        ok("compact", "demo", "--keep", "4", "--store", store);
        ok("rewind", "demo", "--to", "3", "--store", store);
        List<String> lines = ok("events", Context.logRunId("demo"), "--store", store).out().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).startsWith("#1 summary by memoria-demo-summarizer of 11 events up to ").endsWith("#1: Use\u2026");
        assertThat(lines.get(1)).startsWith("#2 rewind to ").endsWith("#8: the view hides what came after it, up to here");
        assertThat(ok("events", "--session", "demo", "--type", "SUMMARY,REWIND", "--store", store).out().lines()).hasSize(2);
        CliTest.Result cancel = memoria("cancel", Context.logRunId("demo"), "--store", store);
        assertThat(cancel.code()).isEqualTo(Main.BAD_USAGE);
        assertThat(cancel.err()).startsWith("memoria: run " + Context.logRunId("demo") + " is the context log of session demo");
        assertThat(EventType.SUMMARY.isText()).isTrue();
    }
}
