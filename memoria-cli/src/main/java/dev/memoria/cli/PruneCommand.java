package dev.memoria.cli;

import dev.memoria.Stores;
import dev.memoria.memory.EventQuery;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.run.Run;
import dev.memoria.session.Session;
import dev.memoria.session.SessionFilter;
import dev.memoria.session.SessionStatus;
import java.io.Console;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Purges whole sessions (X1) for retention policies. A prune that would remove more than
 * {@value #CONFIRM_ABOVE} sessions lists them first and asks, or with nobody to ask refuses
 * unless {@code --yes} is given: a wrong rule must not empty a store unseen.
 */
@Command(name = "prune", description = "Purge whole sessions (with their runs and events) for retention.")
final class PruneCommand implements Callable<Integer> {
    /** Removing more sessions than this needs a confirmation or --yes. */
    static final int CONFIRM_ABOVE = 3;

    /** Asks the person at the terminal; returns the answer, or null at the end of input. */
    interface Asker {
        String ask(String question);
    }

    /** The person at the terminal, or null when there is none (a pipe, a script, a test); tests replace it. */
    static Supplier<Asker> interactive = () -> {
        Console console = System.console();
        return console == null ? null : question -> console.readLine("%s", question);
    };

    /** The shared options (--store, --verbose), given before or after the command's name. */
    @ParentCommand
    Main main;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Rule rule;

    static final class Rule {
        @Option(names = "--ended-before", paramLabel = "AGE", converter = Age.Converter.class,
                description = "sessions that ENDED more than this long ago: " + Age.ACCEPTED
                        + "; months and years follow the UTC calendar, and m is refused (write min or mo)")
        Age endedBefore;

        @Option(names = "--inactive-for", paramLabel = "AGE", converter = Age.Converter.class,
                description = "sessions with no change, run or event for this long (at least 1min), e.g. 90d or P3M")
        Age inactiveFor;
    }

    @Option(names = "--dry-run", description = "only list what would be removed")
    boolean dryRun;

    @Option(names = "--yes", description = "remove without asking, even more than " + CONFIRM_ABOVE + " sessions")
    boolean yes;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    private record Doomed(Session session, long runs, long events) {
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        boolean ended = rule.endedBefore != null;
        Instant cutoff = (ended ? rule.endedBefore : rule.inactiveFor).before(Instant.now());
        // a store that does not exist holds nothing to prune: a mistyped path must not create one
        try (Stores stores = main.store.openExisting()) {
            // inactive: neither the record changed nor a run started nor an event came since the cutoff
            SessionFilter filter = ended ? SessionFilter.all().statuses(SessionStatus.ENDED).updatedBefore(cutoff)
                    : SessionFilter.all().updatedBefore(cutoff).lastActivityBefore(cutoff);
            List<Doomed> doomed = new ArrayList<>();
            long runs = 0;
            long events = 0;
            for (Session s : Listings.sessions(stores, filter)) {
                if (ended || inactiveSince(stores, s, cutoff)) {
                    List<Run> sessionRuns = stores.runs().listBySession(s.id());
                    long sessionEvents = sessionRuns.stream().mapToLong(r -> Listings.eventCount(stores, r)).sum();
                    doomed.add(new Doomed(s, sessionRuns.size(), sessionEvents));
                    runs += sessionRuns.size();
                    events += sessionEvents;
                }
            }
            String totals = Render.count(doomed.size(), "session") + ", " + Render.count(runs, "run") + ", "
                    + Render.count(events, "event");
            boolean ask = !dryRun && !yes && doomed.size() > CONFIRM_ABOVE;
            if (dryRun || ask) {
                doomed.forEach(d -> out.println(line("would remove", d)));
                out.println("Would remove " + totals + ".");
                if (dryRun) {
                    return 0;
                }
                out.flush();
                confirm(doomed.size());
            }
            Progress progress = new Progress(err, "sessions", doomed.size(), Progress.onTerminal());
            for (Doomed d : doomed) {
                if (!ask) {
                    out.println(line("removing", d));
                }
                stores.purgeSession(d.session().id());
                progress.advance(1);
            }
            if (!doomed.isEmpty()) {
                progress.finish();
            }
            out.println("Removed " + totals + ".");
        }
        return 0;
    }

    private static String line(String verb, Doomed d) {
        return String.format("%s %s (%s, last change %s, %s, %s)", verb, d.session().id(), d.session().status(),
                Render.when(d.session().updatedAt()), Render.count(d.runs(), "run"), Render.count(d.events(), "event"));
    }

    private static void confirm(int sessions) {
        Asker asker = interactive.get();
        if (asker == null) {
            throw new CliException("not removing " + Render.count(sessions, "session") + " without confirmation: re-run with"
                    + " --yes to remove them, or with --dry-run to only list them");
        }
        String answer = asker.ask("Remove these " + Render.count(sessions, "session") + " with their runs and events? [y/N] ");
        if (answer == null || !(answer.strip().equalsIgnoreCase("y") || answer.strip().equalsIgnoreCase("yes"))) {
            throw new CliException("nothing removed (not confirmed)");
        }
    }

    private static boolean inactiveSince(Stores stores, Session s, Instant cutoff) {
        for (Run r : stores.runs().listBySession(s.id())) {
            if (!r.updatedAt().isBefore(cutoff)) {
                return false;
            }
        }
        List<MemoryEvent> latest = stores.memory().read(EventQuery.session(s.id()).latest(1)).items();
        return latest.isEmpty() || latest.get(0).timestamp().isBefore(cutoff);
    }
}
