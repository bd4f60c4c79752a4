package dev.memoria.cli;

import dev.memoria.Limits;
import dev.memoria.Stores;
import dev.memoria.run.Run;
import dev.memoria.run.RunFilter;
import dev.memoria.run.RunStatus;
import dev.memoria.runtime.AgentRuntime;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * Cancels a run of any agent (A9), from any process: a PENDING or PAUSED run becomes CANCELED at
 * once, a RUNNING one as soon as its agent next emits or checks; its open child runs are canceled
 * with it, and its events stay. A run that has already ended is left as it is.
 */
@Command(name = "cancel", description = {"Cancel a run, in whatever process it runs; its events stay.",
    "A PENDING or PAUSED run ends at once, a RUNNING one at its agent's next step;",
    "its open child runs are canceled with it. A run that has ended is left alone."})
final class CancelCommand implements Callable<Integer> {
    /** The shared options (--store, --verbose), given before or after the command's name. */
    @ParentCommand
    Main main;

    @Parameters(paramLabel = "RUN", description = "the run's id")
    String runId;

    @Option(names = "--reason", paramLabel = "TEXT", description = "why, kept in the run's metadata"
            + " (default: \"by USER, with memoria cancel\", USER your OS user name)")
    String reason;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        String why = reason != null ? reason : "by " + System.getProperty("user.name", "?") + ", with memoria cancel";
        if (why.length() > Limits.MAX_ERROR_LENGTH) {
            throw new ParameterException(spec.commandLine(), "--reason: at most " + Limits.MAX_ERROR_LENGTH
                    + " characters, got " + why.length());
        }
        try (Stores stores = main.store.openExisting()) {
            Run before = Runs.existing(stores, runId, main.store);
            if (ContextMarks.isLog(before.agentId())) {
                throw new ParameterException(spec.commandLine(), "run " + before.id() + " is the context log of session "
                        + before.sessionId() + " (its summaries and rewinds), not an agent's run: there is nothing to cancel"
                        + " (memoria rewind undoes a turn; memoria show " + before.sessionId() + " shows the markers)");
            }
            if (before.status().isTerminal()) {
                out.println("Run " + before.id() + " had already ended: " + before.status() + " at "
                        + Render.when(before.endedAt()) + "; nothing changed.");
                return 0;
            }
            List<Run> openChildren = Listings.runs(stores, RunFilter.all().parentRunId(before.id())
                    .statuses(RunStatus.PENDING, RunStatus.RUNNING, RunStatus.PAUSED));
            Run after = AgentRuntime.create(stores).cancel(before.id(), why);
            if (after.status() != RunStatus.CANCELED) { // it ended on its own meanwhile
                out.println("Run " + after.id() + " ended " + after.status() + " before it could be canceled; nothing changed.");
                return 0;
            }
            out.println("Canceled run " + after.id() + " (was " + before.status() + ") of session " + after.sessionId()
                    + ": " + Render.shorten(why, 200) + ".");
            if (before.status() == RunStatus.RUNNING) {
                out.println("Its agent stops at its next step; the events it stored stay.");
            }
            if (!openChildren.isEmpty()) {
                out.println("Canceled with it: " + Render.count(openChildren.size(), "open child run") + ".");
            }
        }
        return 0;
    }
}
