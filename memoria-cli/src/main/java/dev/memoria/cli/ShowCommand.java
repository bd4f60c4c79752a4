package dev.memoria.cli;

import dev.memoria.Stores;
import dev.memoria.context.Context;
import dev.memoria.memory.EventType;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.run.Run;
import dev.memoria.session.Session;
import dev.memoria.spi.Json;
import java.io.PrintWriter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Shows a session, its runs and their events as a tree, child runs (A8) under their parent run. */
@Command(name = "show", description = "Show a session, its runs and their events as a tree, child runs under their parent.")
final class ShowCommand implements Callable<Integer> {
    /** The shared options (--store, --verbose), given before or after the command's name. */
    @ParentCommand
    Main main;

    @Parameters(paramLabel = "SESSION", description = "the session's id")
    String sessionId;

    @Option(names = "--json", description = "print the whole session as JSON Lines (the export format)")
    boolean json;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Stores stores = main.store.openExisting()) {
            if (json) {
                Transfer.records(stores, sessionId).forEachRemaining(r -> out.println(Json.write(r)));
                return 0;
            }
            Session s = Sessions.existing(stores, sessionId, main.store);
            out.printf("session %s%n  user %s, %s, created %s, updated %s%n", s.id(), s.userId() == null ? "-" : s.userId(),
                    s.status(), Render.when(s.createdAt()), Render.when(s.updatedAt()));
            if (!s.labels().isEmpty()) {
                out.println("  labels " + Render.shorten(Json.write(s.labels()), 70));
            }
            ContextMarks marks = ContextMarks.of(stores, s);
            List<String> forks = Context.of(stores).forks(s.id()).stream().map(Session::id).toList();
            printContext(out, stores, marks, forks);
            // a fork's inherited prefix first, oldest ancestor first, each line marked with a dotted bar
            for (int i = marks.newestFirst.size() - 1; i >= 1; i--) {
                ContextMarks.Segment ancestor = marks.newestFirst.get(i);
                ContextMarks.Segment heir = marks.newestFirst.get(i - 1);
                out.println(Render.wrap(INHERITED, "inherited from session " + ancestor.id() + " (the view of "
                        + heir.id() + " starts with it), up to " + ViewCommand.at(stores, heir.fork().at()) + ":", 79)
                        .replace("\n" + " ".repeat(INHERITED.length()), "\n" + INHERITED + "  "));
                List<Run> runs = stores.runs().listBySession(ancestor.id());
                drawRuns(out, stores, runs, INHERITED, e -> ContextMarks.inherited(ancestor, e), marks);
            }
            if (marks.missingAncestor != null) {
                out.println(INHERITED + "(session " + marks.missingAncestor + ", which this one inherits from, is not in "
                        + main.store.shown() + ")");
            }
            List<Run> runs = stores.runs().listBySession(s.id());
            drawRuns(out, stores, runs, "", e -> true, marks);
            if (runs.isEmpty()) {
                out.println(marks.isFork() ? "  (no runs of its own yet)" : "  (no runs)");
            }
        }
        return 0;
    }

    /** What starts each line of an inherited prefix. */
    static final String INHERITED = "\u250a ";

    /**
     * The lines that say what shapes the session's view, for a session that has markers, is a
     * fork or has forks; nothing for one without (most sessions).
     */
    private void printContext(PrintWriter out, Stores stores, ContextMarks marks, List<String> forks) {
        if (marks.missingAncestor != null) {
            out.println(Render.wrap("  context: ", ViewCommand.missingAncestor(marks, main.store), 79));
        } else if (marks.summary != null || !marks.rewound.isEmpty() || marks.isFork()) {
            ViewCommand.explanation(stores, marks).forEach(out::println);
        }
        if (!forks.isEmpty()) {
            out.println(Render.wrap("  forks: ", String.join(", ", forks) + " (their views start with this session's)", 79));
        }
        List<String> legend = new ArrayList<>();
        if (marks.summary != null) {
            legend.add("(summarized) the summary stands for it");
        }
        if (!marks.rewound.isEmpty()) {
            legend.add("(rewound) a rewind hides it");
        }
        if (marks.isFork()) {
            legend.add(INHERITED.strip() + " inherited");
        }
        if (!legend.isEmpty()) {
            out.println(Render.wrap("  marks: ", String.join("; ", legend) + ". The view shows the rest; the log keeps all.", 79));
        }
    }

    /**
     * Draws runs as a tree: child runs (A8) under their parent, in start order; a run whose parent
     * is not among them stands at the top, saying whose child it is. Only the events {@code include}
     * takes are drawn, and only the runs with some.
     */
    private static void drawRuns(PrintWriter out, Stores stores, List<Run> all, String lead, Predicate<MemoryEvent> include,
            ContextMarks marks) {
        Map<String, List<MemoryEvent>> eventsOf = new HashMap<>();
        List<Run> runs = new ArrayList<>();
        for (Run r : all) {
            List<MemoryEvent> events = stores.memory().load(r.ref()).events().stream().filter(include).toList();
            if (!events.isEmpty() || lead.isEmpty()) {
                runs.add(r);
                eventsOf.put(r.id(), events);
            }
        }
        Set<String> ids = new HashSet<>();
        runs.forEach(r -> ids.add(r.id()));
        Map<String, List<Run>> children = new HashMap<>();
        List<Run> top = new ArrayList<>();
        for (Run r : runs) {
            if (r.parentRunId() != null && ids.contains(r.parentRunId()) && !r.parentRunId().equals(r.id())) {
                children.computeIfAbsent(r.parentRunId(), p -> new ArrayList<>()).add(r);
            } else {
                top.add(r);
            }
        }
        Set<String> drawn = new HashSet<>();
        Drawing drawing = new Drawing(out, eventsOf, children, drawn, marks, lead);
        for (int i = 0; i < top.size(); i++) {
            drawing.draw(top.get(i), "", i == top.size() - 1);
        }
        // parents that are each other's descendants (no runtime makes them): drawn all the same
        List<Run> left = runs.stream().filter(r -> !drawn.contains(r.id())).toList();
        for (int i = 0; i < left.size(); i++) {
            drawing.draw(left.get(i), "", i == left.size() - 1);
        }
    }

    private record Drawing(PrintWriter out, Map<String, List<MemoryEvent>> eventsOf, Map<String, List<Run>> children,
            Set<String> drawn, ContextMarks marks, String lead) {
        /**
         * Draws a run, its events, then its child runs one level deeper, joined to it by a line down
         * the left of its events. At the top level each event line fits 80 columns; each level down
         * takes three columns from the event's text.
         */
        void draw(Run r, String prefix, boolean last) {
            if (!drawn.add(r.id())) {
                return;
            }
            boolean log = ContextMarks.isLog(r.agentId());
            out.printf("%s%s%s run %s%s%n", lead, prefix, last ? "\u2514\u2500" : "\u251c\u2500", r.id(), log ? ": the context log" : "");
            String bar = prefix + (last ? "   " : "\u2502  ");
            List<Run> mine = children.getOrDefault(r.id(), List.of()).stream().filter(c -> !drawn.contains(c.id())).toList();
            // with child runs below the events, a line joins them to the run, down the events' left
            String inner = lead + bar + (mine.isEmpty() ? " " : "\u2502");
            String childOf = r.parentRunId() != null && prefix.isEmpty() ? ", child of run " + Render.shorten(r.parentRunId(), 40) : "";
            String head = lead + (mine.isEmpty() ? bar : bar + "\u2502");
            if (log) {
                out.printf("%s agent %s, since %s: summaries and rewinds%n", head, r.agentId(), Render.when(r.startedAt()));
            } else {
                out.printf("%s agent %s, %s, started %s%s%s%n", head, Render.shorten(r.agentId(), 20), r.status(),
                        Render.when(r.startedAt()), r.error() == null ? "" : ", error: " + Render.shorten(r.error(), 30), childOf);
            }
            int width = Math.max(30, 74 - prefix.length() - lead.length());
            List<MemoryEvent> events = eventsOf.getOrDefault(r.id(), List.of());
            Map<Long, MemoryEvent> resultOfCall = pairs(events);
            // a call and a result the markers treat apply differently (a rewind between them) each get a line
            Set<Long> split = new HashSet<>();
            if (!marks.rewound.isEmpty() || marks.summary != null) {
                Map<Long, MemoryEvent> bySequence = new HashMap<>();
                events.forEach(e -> bySequence.put(e.sequence(), e));
                resultOfCall.entrySet().removeIf(pair -> marks.mark(pair.getValue()) != marks.mark(bySequence.get(pair.getKey()))
                        && split.add(pair.getKey()));
            }
            Set<Long> shownWithCall = new HashSet<>();
            resultOfCall.values().forEach(result -> shownWithCall.add(result.sequence()));
            for (MemoryEvent e : events) {
                if (shownWithCall.contains(e.sequence())) {
                    continue;
                }
                String tag = switch (marks.mark(e)) {
                    case SUMMARIZED -> "(summarized) ";
                    case REWOUND -> "(rewound) ";
                    case VISIBLE -> "";
                };
                String line = pairable(e) && !split.contains(e.sequence()) ? Render.call(e, resultOfCall.get(e.sequence()), width - tag.length())
                        : Render.event(e, width - tag.length());
                int space = line.indexOf(' ');
                out.println(inner + " " + (tag.isEmpty() || space < 0 ? line : line.substring(0, space + 1) + tag + line.substring(space + 1)));
            }
            for (int i = 0; i < mine.size(); i++) {
                draw(mine.get(i), bar, i == mine.size() - 1);
            }
        }
    }

    /** A tool call or result with its usual shape and a callId: one of a pair, if the other is there. */
    private static boolean pairable(MemoryEvent e) {
        return (Render.isToolCall(e) || Render.isToolResult(e)) && e.data().get("callId") instanceof String;
    }

    /**
     * Pairs each tool result with the earliest open call of the same callId, in one pass. Only a
     * present callId pairs: a call or result without one, or of an unexpected shape, stands alone.
     *
     * @return the result of each answered call, by the call's sequence
     */
    static Map<Long, MemoryEvent> pairs(List<MemoryEvent> events) {
        Map<String, ArrayDeque<MemoryEvent>> open = new HashMap<>();
        Map<Long, MemoryEvent> resultOfCall = new HashMap<>();
        for (MemoryEvent e : events) {
            if (!pairable(e)) {
                continue;
            }
            String callId = (String) e.data().get("callId");
            if (e.type() == EventType.TOOL_CALL) {
                open.computeIfAbsent(callId, id -> new ArrayDeque<>()).add(e);
            } else if (e.type() == EventType.TOOL_RESULT) {
                ArrayDeque<MemoryEvent> calls = open.get(callId);
                if (calls != null && !calls.isEmpty()) {
                    resultOfCall.put(calls.poll().sequence(), e);
                }
            }
        }
        return resultOfCall;
    }
}
