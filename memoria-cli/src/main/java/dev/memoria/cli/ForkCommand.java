package dev.memoria.cli;

import dev.memoria.Limits;
import dev.memoria.Stores;
import dev.memoria.context.Context;
import dev.memoria.context.Position;
import dev.memoria.context.View;
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

/** Forks a session (C6): a new session whose view starts with this one's up to an event; nothing is copied. */
@Command(name = "fork", description = {"Fork a session at an event: a new session whose view starts with this one's up to there,"
        + " then goes its own way. Nothing is copied.",
    "EVENT is " + EventRef.SYNTAX + "."})
final class ForkCommand implements Callable<Integer> {
    /** The shared options (--store, --verbose), given before or after the command's name. */
    @ParentCommand
    Main main;

    @Parameters(paramLabel = "SESSION", description = "the session to fork")
    String sessionId;

    @Option(names = "--at", required = true, paramLabel = "EVENT", description = "the last event the fork inherits: " + EventRef.SYNTAX)
    String at;

    @Option(names = "--as", required = true, paramLabel = "NEW", description = "the new session's id")
    String newSessionId;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Stores stores = main.store.openExisting()) {
            Session session = Sessions.existing(stores, sessionId, main.store);
            ContextMarks marks = ContextMarks.of(stores, session);
            if (marks.missingAncestor != null) {
                throw new CliException(ViewCommand.missingAncestor(marks, main.store));
            }
            MemoryEvent event = EventRef.resolve(stores, marks, at, "--at", spec);
            Context context = Context.of(stores);
            Session fork;
            try {
                fork = context.fork(session.id(), event, newSessionId);
            } catch (IllegalArgumentException refused) {
                throw EventRef.refused(spec, refused, Map.of("at", "--at", "newSessionId", "--as"));
            }
            View view = context.view(fork.id(), Limits.MAX_PAGE_SIZE, Context.MESSAGES);
            String inherits = (view.summary().isPresent() ? "a summary and " : "") + Render.count(view.unsummarized().size(), "message");
            out.println(Render.wrap("", "Forked session " + session.id() + " at " + ViewCommand.at(stores, Position.of(event)) + " as "
                    + fork.id() + ": its view starts with " + session.id() + "'s view up to there (" + inherits
                    + "), then goes its own way. Nothing was copied.", 79));
            EventRef.noteOpenCall(out, event, "the fork's view");
            String store = main.store.option();
            out.println("See it with: ./memoria view " + Usage.quote(fork.id()) + store);
            if (DemoCommand.USER.equals(fork.userId())) {
                out.println("Continue it with: ./memoria demo --session " + Usage.quote(fork.id()) + store);
            }
        }
        return 0;
    }
}
