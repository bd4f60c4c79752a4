package dev.memoria.cli;

import dev.memoria.Stores;
import dev.memoria.run.Run;
import dev.memoria.session.Session;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** Removes one session with its runs and their events (X1); resumable if interrupted. */
@Command(name = "delete", description = {"Remove a session with its runs and their events, for good.",
    "--dry-run only says what would be removed. Interrupted, it finishes when run again."})
final class DeleteCommand implements Callable<Integer> {
    /** The shared options (--store, --verbose), given before or after the command's name. */
    @ParentCommand
    Main main;

    @Parameters(paramLabel = "SESSION", description = "the session's id")
    String sessionId;

    @Option(names = "--dry-run", description = "only say what would be removed")
    boolean dryRun;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Stores stores = main.store.openExisting()) {
            Session session = Sessions.existing(stores, sessionId, main.store);
            List<Run> runs = stores.runs().listBySession(session.id());
            long events = runs.stream().mapToLong(r -> Listings.eventCount(stores, r)).sum();
            String what = "session " + session.id() + " (" + session.status() + ", last active "
                    + Render.when(session.lastActivityAt()) + "), " + Render.count(runs.size(), "run") + ", "
                    + Render.count(events, "event");
            if (dryRun) {
                out.println("Would remove " + what + ".");
                return 0;
            }
            stores.purgeSession(session.id());
            out.println("Removed " + what + ".");
        }
        return 0;
    }
}
