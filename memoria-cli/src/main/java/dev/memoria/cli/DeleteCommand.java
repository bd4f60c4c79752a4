package dev.memoria.cli;

import dev.memoria.Stores;
import dev.memoria.context.Context;
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
    "--dry-run only says what would be removed. Interrupted, it finishes when run again.",
    "A session with forks is refused: their views read its events; delete the forks first.",
    "Facts learned in the session stay (long-term memory, their source names a run that is gone): forget them with"
        + " memoria facts forget --namespace NS."})
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
            List<String> forks = Context.of(stores).forks(session.id()).stream().map(Session::id).toList();
            if (!forks.isEmpty()) {
                // the core refuses it too (C7), before removing anything: said here with what to do instead
                throw new CliException((dryRun ? "would not remove" : "not removing") + " session " + session.id() + ": "
                        + forksRead(forks) + "; delete " + (forks.size() == 1 ? "it" : "them") + " first (memoria delete "
                        + Usage.quote(forks.get(0)) + main.store.option() + "), then this one; nothing was removed");
            }
            if (dryRun) {
                out.println("Would remove " + what + ".");
                return 0;
            }
            stores.purgeSession(session.id());
            out.println("Removed " + what + ".");
        }
        return 0;
    }

    /** "its fork b reads its events", "its 3 forks a, b, c read its events" (the views of forks start with their parent's). */
    static String forksRead(List<String> forks) {
        String names = forks.stream().limit(5).collect(java.util.stream.Collectors.joining(", ")) + (forks.size() > 5 ? ", \u2026" : "");
        return forks.size() == 1 ? "its fork " + names + " reads its events (the fork's view starts with it)"
                : "its " + forks.size() + " forks " + names + " read its events (their views start with it)";
    }
}
