package dev.memoria.cli;

import dev.memoria.Limits;
import dev.memoria.Stores;
import dev.memoria.context.Context;
import dev.memoria.context.Summary;
import dev.memoria.context.View;
import dev.memoria.memory.EventType;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.session.Session;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * Compacts a session now with the demo's deterministic summarizer ({@link DemoSummarizer}): a
 * SUMMARY marker then stands for the view's events but the last {@code --keep}; nothing is changed
 * or removed (C1). The cut moves back before a tool call whose result it would leave out (C3).
 */
@Command(name = "compact", description = {"Compact a session: a summary (by the demo's deterministic summarizer) then stands"
        + " for its view's messages and tool events but the last N.",
    "Nothing is removed: memoria show marks what the summary covers. Your application compacts with its own summarizer."})
final class CompactCommand implements Callable<Integer> {
    /** The shared options (--store, --verbose), given before or after the command's name. */
    @ParentCommand
    Main main;

    @Parameters(paramLabel = "SESSION", description = "the session's id")
    String sessionId;

    @Option(names = "--keep", required = true, paramLabel = "N",
            description = "how many of the view's last messages and tool events stay as they are, 1 to 1000")
    int keep;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (keep < 1 || keep > 1000) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--keep: " + (keep < 1
                    ? "at least 1 event must stay as it is (the model needs the last message), got " + keep
                    : "at most 1000 (a compaction reads the newest " + Context.MAX_COMPACTION_INPUT + " events), got " + keep));
        }
        PrintWriter out = spec.commandLine().getOut();
        try (Stores stores = main.store.openExisting()) {
            Session session = Sessions.existing(stores, sessionId, main.store);
            Context context = Context.of(stores);
            View view = context.view(session.id(), Limits.MAX_PAGE_SIZE, Context.CONVERSATION);
            List<MemoryEvent> events = view.unsummarized();
            int last = cut(events, events.size() - keep - 1);
            if (last < 0) {
                out.println("Nothing to compact in session " + session.id() + ": " + (events.size() <= keep
                        ? "its view holds " + conversation(events.size()) + " after "
                                + (view.summary().isPresent() ? "its summary" : "its start") + ", and --keep " + keep + " keeps them all"
                        : "every event before the last " + keep + " is inside a tool call whose result comes later") + ".");
                return 0;
            }
            DemoSummarizer summarizer = new DemoSummarizer();
            List<MemoryEvent> input = events.subList(0, last + 1);
            String text = summarizer.summarize(view.summary().map(Summary::text), input);
            Summary summary = context.compact(view, events.get(last), text, summarizer.id(), summarizer.model(), input.size());
            int kept = events.size() - input.size();
            out.println(Render.wrap("", "Compacted session " + session.id() + ": a summary by " + summary.summarizer()
                    + " now stands for " + Render.count(input.size(), "event") + (view.summary().isPresent() ? " and the previous summary" : "")
                    + ", up to " + Render.ref(events.get(last)) + " (" + Render.text(events.get(last), 40) + "). The last "
                    + Render.count(kept, "event") + (kept == 1 ? " stays" : " stay") + " as "  + (kept == 1 ? "it is" : "they are")
                    + (kept > keep ? " (the cut moved back before a tool call, to keep the call with its result)" : "")
                    + "; nothing was removed from the log.", 79));
            out.println(Render.wrap("Summary: ", summary.text(), 79));
            out.println("See what the model sees with: ./memoria view " + Usage.quote(session.id()) + main.store.option());
        }
        return 0;
    }

    /** "1 message or tool event", "3 messages and tool events". */
    static String conversation(long n) {
        return String.format(java.util.Locale.ROOT, "%,d %s", n, n == 1 ? "message or tool event" : "messages and tool events");
    }

    /**
     * Where a cut at index {@code at} lands: moved back before every tool call whose result comes
     * after it, as the core moves it (C3); -1 when nothing before it is left.
     */
    static int cut(List<MemoryEvent> events, int at) {
        while (at >= 0) {
            Map<String, Integer> open = new HashMap<>();
            for (int i = 0; i <= at; i++) {
                MemoryEvent e = events.get(i);
                if (e.type() == EventType.TOOL_CALL && e.data().get("callId") instanceof String id) {
                    open.put(id, i);
                } else if (e.type() == EventType.TOOL_RESULT && e.data().get("callId") instanceof String id) {
                    open.remove(id);
                }
            }
            if (open.isEmpty()) {
                return at;
            }
            at = open.values().stream().mapToInt(Integer::intValue).min().getAsInt() - 1;
        }
        return -1;
    }
}
