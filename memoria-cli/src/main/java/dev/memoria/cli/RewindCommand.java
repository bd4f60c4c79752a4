package dev.memoria.cli;

import dev.memoria.Limits;
import dev.memoria.Page;
import dev.memoria.Stores;
import dev.memoria.context.Context;
import dev.memoria.context.Position;
import dev.memoria.context.Summary;
import dev.memoria.context.View;
import dev.memoria.memory.EventQuery;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.session.Session;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** Rewinds a session (C5): a REWIND marker hides from its view what came after an event; the log keeps it. */
@Command(name = "rewind", description = {"Rewind a session to an event: its view hides what came after it (the log keeps it all).",
    "EVENT is " + EventRef.SYNTAX + "."})
final class RewindCommand implements Callable<Integer> {
    /** The shared options (--store, --verbose), given before or after the command's name. */
    @ParentCommand
    Main main;

    @Parameters(paramLabel = "SESSION", description = "the session's id")
    String sessionId;

    @Option(names = "--to", required = true, paramLabel = "EVENT", description = "the last event to keep: " + EventRef.SYNTAX)
    String to;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Stores stores = main.store.openExisting()) {
            Session session = Sessions.existing(stores, sessionId, main.store);
            ContextMarks before = ContextMarks.of(stores, session);
            if (before.missingAncestor != null) {
                throw new CliException(ViewCommand.missingAncestor(before, main.store));
            }
            MemoryEvent event = EventRef.resolve(stores, before, to, "--to", spec);
            Context context = Context.of(stores);
            MemoryEvent marker;
            try {
                marker = context.rewind(session.id(), event);
            } catch (IllegalArgumentException refused) {
                throw EventRef.refused(spec, refused, Map.of("to", "--to"));
            }
            View after = context.view(session.id(), 1, Context.CONVERSATION);
            long hidden = newlyHidden(stores, before, Position.of(event), Position.of(marker));
            out.println(Render.wrap("", "Rewound session " + session.id() + " to " + ViewCommand.at(stores, Position.of(event))
                    + ": its view now hides " + (hidden == 0 ? "nothing more (nothing visible came after it)" : "the "
                    + CompactCommand.conversation(hidden) + " that came after it") + ". The log keeps everything (memoria show marks what is rewound); events written from now on show again.", 79));
            EventRef.noteOpenCall(out, event, "the view now");
            Summary old = before.summary;
            Summary now = after.summary().orElse(null);
            if (old != null && (now == null || !ContextMarks.key(now.marker()).equals(ContextMarks.key(old.marker())))) {
                out.println(Render.wrap("", "The summary by " + old.summarizer() + " covered what was rewound, so it no longer"
                        + " applies: " + (now == null ? "the view starts with the session's first message again."
                        : "the one before it, by " + now.summarizer() + ", does."), 79));
            }
            out.println("See what the model sees with: ./memoria view " + Usage.quote(session.id()) + main.store.option());
        }
        return 0;
    }

    /**
     * How many messages and tool events of the lineage a new rewind hides that no earlier one did:
     * those after {@code to} up to the marker, in to's session and every newer one of the lineage.
     * Reads only them.
     */
    static long newlyHidden(Stores stores, ContextMarks before, Position to, Position marker) {
        long hidden = 0;
        boolean reached = false; // the sessions older than to's hold nothing after it
        for (int i = before.newestFirst.size() - 1; i >= 0; i--) {
            ContextMarks.Segment segment = before.newestFirst.get(i);
            boolean toHere = segment.id().equals(to.sessionId());
            reached |= toHere;
            if (!reached) {
                continue;
            }
            Position high = segment.upper() == null ? marker : segment.upper();
            EventQuery q = EventQuery.session(segment.id()).types(Context.CONVERSATION).timestampBefore(high.timestamp().plusMillis(1))
                    .limit(Limits.MAX_PAGE_SIZE);
            if (toHere) {
                q = q.timestampAfter(to.timestamp().minusMillis(1));
            }
            Page<MemoryEvent> page = stores.memory().read(q);
            while (true) {
                for (MemoryEvent e : page.items()) {
                    Position p = Position.of(e);
                    if ((!toHere || ContextMarks.compareInSession(to, p) < 0) && ContextMarks.compareInSession(p, high) <= 0
                            && before.mark(e) != ContextMarks.Mark.REWOUND) {
                        hidden++;
                    }
                }
                if (!page.hasNext()) {
                    break;
                }
                page = stores.memory().read(q.cursor(page.nextCursor()));
            }
        }
        return hidden;
    }
}
