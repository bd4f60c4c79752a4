package dev.memoria.cli;

import dev.memoria.Stores;
import dev.memoria.runtime.AgentRuntime;
import dev.memoria.session.Session;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** Ends a session: it becomes read-only and takes no new runs; nothing is removed. */
@Command(name = "end", description = {"End a session: it stays, read-only, and takes no new runs.",
    "To remove it with its runs and events, use: memoria delete SESSION"})
final class EndCommand implements Callable<Integer> {
    /** The shared options (--store, --verbose), given before or after the command's name. */
    @ParentCommand
    Main main;

    @Parameters(paramLabel = "SESSION", description = "the session's id")
    String sessionId;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Stores stores = main.store.openExisting()) {
            Session before = Sessions.existing(stores, sessionId, main.store);
            if (!before.isActive()) {
                out.println("Session " + before.id() + " had already ended at " + Render.when(before.endedAt()) + ".");
                return 0;
            }
            Session ended = AgentRuntime.create(stores).endSession(sessionId);
            out.println("Ended session " + ended.id() + " at " + Render.when(ended.endedAt()) + "; it stays in "
                    + main.store.shown() + ", read-only.");
        }
        return 0;
    }
}
