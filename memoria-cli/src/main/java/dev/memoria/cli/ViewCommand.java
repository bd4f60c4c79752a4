package dev.memoria.cli;

import dev.memoria.Stores;
import dev.memoria.context.Context;
import dev.memoria.context.Fork;
import dev.memoria.context.Position;
import dev.memoria.context.Summary;
import dev.memoria.context.View;
import dev.memoria.memory.EventQuery;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.session.Session;
import dev.memoria.spi.Json;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * Prints a session's context view (C2): what a model is given, the summary in effect first, then
 * the messages after what it covers, without the rewound ones, a fork's inherited prefix included;
 * with a header that says which summary, rewinds and fork shape it.
 */
@Command(name = "view", description = {"Print what a model sees of a session: the summary in effect, then the messages after it,"
        + " without rewound ones (a fork's inherited prefix included).",
    "The number in front of each line is what rewind --to and fork --at take."})
final class ViewCommand implements Callable<Integer> {
    /** The shared options (--store, --verbose), given before or after the command's name. */
    @ParentCommand
    Main main;

    @Parameters(paramLabel = "SESSION", description = "the session's id")
    String sessionId;

    @Option(names = "--window", paramLabel = "N", defaultValue = "50",
            description = "at most this many events after the summary, 1 to 1000 (default: ${DEFAULT-VALUE})")
    int window;

    @Option(names = "--tools", description = "tool calls and results too, as a model with tools sees them")
    boolean tools;

    @Option(names = "--json", description = "print JSON Lines: a view record, then each event as export writes it, with its number")
    boolean json;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Usage.limit(spec, "--window", window);
        PrintWriter out = spec.commandLine().getOut();
        try (Stores stores = main.store.openExisting()) {
            Session session = Sessions.existing(stores, sessionId, main.store);
            ContextMarks marks = ContextMarks.of(stores, session);
            if (marks.missingAncestor != null) {
                throw new CliException(missingAncestor(marks, main.store));
            }
            View view = Context.of(stores).view(session.id(), window, tools ? Context.CONVERSATION : Context.MESSAGES);
            if (json) {
                out.println(Json.write(header(marks, view)));
                for (MemoryEvent e : view.events()) {
                    Map<String, Object> record = Transfer.event(e);
                    int n = marks.number(e);
                    record.put("n", n == 0 || ContextMarks.isSynthetic(e) ? null : (long) n);
                    out.println(Json.write(record));
                }
                return 0;
            }
            print(out, stores, marks, view);
        }
        return 0;
    }

    /** What a view of a fork whose parent is not in the store says instead. */
    static String missingAncestor(ContextMarks marks, StoreOption store) {
        ContextMarks.Segment last = marks.newestFirst.get(marks.newestFirst.size() - 1);
        return "session " + marks.sessionId + (last.id().equals(marks.sessionId) ? "" : ", through session " + last.id() + ",")
                + " is a fork of session " + marks.missingAncestor + ", which is not in " + store.shown()
                + ": its view reads that session's events; import or copy " + marks.missingAncestor + " too";
    }

    private void print(PrintWriter out, Stores stores, ContextMarks marks, View view) {
        int shown = view.unsummarized().size();
        out.println(Render.wrap("", "Session " + marks.sessionId + " as the model sees it: " + (view.summary().isPresent()
                ? "a summary, then " : "") + (tools ? CompactCommand.conversation(shown) : Render.count(shown, "message"))
                + " (--window " + window + (tools ? "" : "; --tools adds tool calls and results") + ").", 79));
        for (String line : explanation(stores, marks)) {
            out.println(line);
        }
        if (view.events().stream().anyMatch(ContextMarks::isSynthetic)) {
            out.println(Render.wrap("  synthetic: ", "a tool call without a result in the view comes with an error result,"
                    + " never stored, so that a model accepts the list; its line has no number", 79));
        }
        for (int i = 0; i < view.events().size(); i++) {
            MemoryEvent e = view.events().get(i);
            if (i == 0 && view.summary().isPresent()) {
                out.println(Render.wrap("   S summary: ", view.summary().get().text(), 79));
                continue;
            }
            int n = ContextMarks.isSynthetic(e) ? 0 : marks.number(e);
            String tag = e.run().sessionId().equals(marks.sessionId) ? "" : "[" + Render.shorten(e.run().sessionId(), 20) + "] ";
            String synthetic = ContextMarks.isSynthetic(e) ? " (synthetic)" : "";
            String head = String.format("%4s ", n == 0 ? "-" : Integer.toString(n)) + tag;
            out.println(head + Render.text(e, Math.max(20, 79 - head.length() - synthetic.length())) + synthetic);
        }
        if (view.events().isEmpty()) {
            out.println("   (nothing yet)");
        }
    }

    /**
     * The lines that say what shapes a view: the summary in effect, the rewound ranges, where a fork
     * comes from; each event named as rewind and fork take it, with what it says.
     */
    static List<String> explanation(Stores stores, ContextMarks marks) {
        List<String> lines = new ArrayList<>();
        Summary summary = marks.summary;
        if (summary == null) {
            lines.add("  summary: none in effect: the view starts with the session's first message");
        } else {
            String where = summary.marker().run().sessionId().equals(marks.sessionId) ? ""
                    : ", inherited from session " + summary.marker().run().sessionId();
            lines.add(Render.wrap("  summary: ", "by " + summary.summarizer() + (summary.model() == null ? "" : " (" + summary.model() + ")")
                    + ", made from " + Render.count(summary.covered(), "event") + where + ", stands for everything up to "
                    + at(stores, summary.upTo()), 79));
        }
        for (ContextMarks.Range r : marks.rewound) {
            lines.add(Render.wrap("  rewound: ", "the events after " + at(stores, r.after()) + ", up to the rewind of "
                    + Render.when(r.through().timestamp()) + (r.marker().run().sessionId().equals(marks.sessionId) ? ""
                    : " in session " + r.marker().run().sessionId()) + ", are hidden", 79));
        }
        for (ContextMarks.Segment s : marks.newestFirst) {
            Fork fork = s.fork();
            if (fork != null) {
                lines.add(Render.wrap("  forked: ", (s.id().equals(marks.sessionId) ? "this session" : "session " + s.id())
                        + " was forked from session " + fork.parentId() + " at " + Render.when(fork.forkedAt())
                        + ": it inherits that session's view up to " + at(stores, fork.at()), 79));
            }
        }
        return lines;
    }

    /** An event as rewind and fork take it, and what it says: "01a2379a-2784…#5 (assistant: 12 * (3 + 4) = 84)". */
    static String at(Stores stores, Position p) {
        String ref = Render.run(p.runId()) + "#" + p.sequence();
        List<MemoryEvent> found = stores.memory().read(EventQuery.run(p.runId()).after(p.sequence() - 1).limit(1)).items();
        if (found.isEmpty() || found.get(0).sequence() != p.sequence()) {
            return ref;
        }
        return ref + " (" + Render.text(found.get(0), 40) + ")";
    }

    private Map<String, Object> header(ContextMarks marks, View view) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("kind", "view");
        h.put("sessionId", marks.sessionId);
        h.put("window", (long) window);
        h.put("types", (tools ? Context.CONVERSATION : Context.MESSAGES).stream().map(Enum::name).sorted().toList());
        Summary summary = marks.summary;
        if (summary == null) {
            h.put("summary", null);
        } else {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("summarizer", summary.summarizer());
            s.put("model", summary.model());
            s.put("covered", summary.covered());
            s.put("upTo", position(summary.upTo()));
            s.put("marker", marker(summary.marker()));
            h.put("summary", s);
        }
        List<Object> rewound = new ArrayList<>();
        for (ContextMarks.Range r : marks.rewound) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("after", position(r.after()));
            m.put("through", position(r.through()));
            m.put("marker", marker(r.marker()));
            rewound.add(m);
        }
        h.put("rewound", rewound);
        List<Object> lineage = new ArrayList<>();
        for (ContextMarks.Segment s : marks.newestFirst) {
            if (s.fork() != null) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("sessionId", s.id());
                m.put("parentId", s.fork().parentId());
                m.put("at", position(s.fork().at()));
                m.put("forkedAt", s.fork().forkedAt().toString());
                lineage.add(m);
            }
        }
        h.put("forkedFrom", lineage);
        h.put("events", (long) view.events().size());
        return h;
    }

    static Map<String, Object> position(Position p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sessionId", p.sessionId());
        m.put("runId", p.runId());
        m.put("sequence", p.sequence());
        m.put("timestamp", p.timestamp().toString());
        return m;
    }

    private static Map<String, Object> marker(MemoryEvent e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("runId", e.run().runId());
        m.put("sequence", e.sequence());
        return m;
    }
}
