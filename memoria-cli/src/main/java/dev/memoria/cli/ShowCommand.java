package dev.memoria.cli;

import dev.memoria.Stores;
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
            List<Run> runs = stores.runs().listBySession(s.id());
            // child runs (A8) under their parent, in start order; a run whose parent is not in
            // this session's list stands at the top, saying whose child it is
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
            for (int i = 0; i < top.size(); i++) {
                draw(out, stores, top.get(i), "", i == top.size() - 1, children, drawn);
            }
            // parents that are each other's descendants (no runtime makes them): drawn all the same
            List<Run> left = runs.stream().filter(r -> !drawn.contains(r.id())).toList();
            for (int i = 0; i < left.size(); i++) {
                draw(out, stores, left.get(i), "", i == left.size() - 1, children, drawn);
            }
            if (runs.isEmpty()) {
                out.println("  (no runs)");
            }
        }
        return 0;
    }

    /**
     * Draws a run, its events, then its child runs one level deeper, joined to it by a line down
     * the left of its events. At the top level each event line fits 80 columns; each level down
     * takes three columns from the event's text.
     */
    private static void draw(PrintWriter out, Stores stores, Run r, String prefix, boolean last,
            Map<String, List<Run>> children, Set<String> drawn) {
        if (!drawn.add(r.id())) {
            return;
        }
        out.printf("%s%s run %s%n", prefix, last ? "\u2514\u2500" : "\u251c\u2500", r.id());
        String bar = prefix + (last ? "   " : "\u2502  ");
        List<Run> mine = children.getOrDefault(r.id(), List.of()).stream().filter(c -> !drawn.contains(c.id())).toList();
        // with child runs below the events, a line joins them to the run, down the events' left
        String inner = bar + (mine.isEmpty() ? " " : "\u2502");
        String childOf = r.parentRunId() != null && prefix.isEmpty() ? ", child of run " + Render.shorten(r.parentRunId(), 40) : "";
        out.printf("%s agent %s, %s, started %s%s%s%n", mine.isEmpty() ? bar : bar + "\u2502", Render.shorten(r.agentId(), 20), r.status(),
                Render.when(r.startedAt()), r.error() == null ? "" : ", error: " + Render.shorten(r.error(), 30), childOf);
        int width = Math.max(30, 74 - prefix.length());
        List<MemoryEvent> events = stores.memory().load(r.ref()).events();
        Map<Long, MemoryEvent> resultOfCall = pairs(events);
        Set<Long> shownWithCall = new HashSet<>();
        resultOfCall.values().forEach(result -> shownWithCall.add(result.sequence()));
        for (MemoryEvent e : events) {
            if (shownWithCall.contains(e.sequence())) {
                continue;
            }
            String line = pairable(e) ? Render.call(e, resultOfCall.get(e.sequence()), width) : Render.event(e, width);
            out.println(inner + " " + line);
        }
        for (int i = 0; i < mine.size(); i++) {
            draw(out, stores, mine.get(i), bar, i == mine.size() - 1, children, drawn);
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
