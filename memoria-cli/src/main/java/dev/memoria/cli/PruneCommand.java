package dev.memoria.cli;

import dev.memoria.ConflictException;
import dev.memoria.Stores;
import dev.memoria.context.Context;
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
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
@Command(name = "prune", description = {"Purge whole sessions (with their runs and events) for retention.",
    "A session whose forks stay is skipped, and said so (their views read its events); exit code 1 when one was."})
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
            // a session with forks goes only with all of them, after them (C7: their views read its events)
            Map<String, String> skipped = new LinkedHashMap<>();
            List<Doomed> removable = order(stores, doomed, skipped);
            for (Doomed d : doomed) {
                if (skipped.containsKey(d.session().id())) {
                    runs -= d.runs();
                    events -= d.events();
                }
            }
            String totals = Render.count(removable.size(), "session") + ", " + Render.count(runs, "run") + ", "
                    + Render.count(events, "event");
            String skips = skipped.isEmpty() ? "" : "; skipped " + Render.count(skipped.size(), "session") + " with forks that stay";
            boolean ask = !dryRun && !yes && removable.size() > CONFIRM_ABOVE;
            if (dryRun || ask) {
                for (Doomed d : doomed) {
                    String why = skipped.get(d.session().id());
                    out.println(why == null ? line("would remove", d) : line("would skip", d) + ": " + why);
                }
                out.println("Would remove " + totals + skips.replace("skipped", "would skip") + ".");
                if (dryRun) {
                    return skipped.isEmpty() ? 0 : Main.FAILED;
                }
                out.flush();
                confirm(removable.size());
            }
            if (!ask) {
                for (Doomed d : doomed) {
                    if (skipped.containsKey(d.session().id())) {
                        out.println(line("skipping", d) + ": " + skipped.get(d.session().id()));
                    }
                }
            }
            Progress progress = new Progress(err, "sessions", removable.size(), Progress.onTerminal());
            long removed = 0;
            for (Doomed d : removable) {
                if (!ask) {
                    out.println(line("removing", d));
                }
                try {
                    stores.purgeSession(d.session().id());
                    removed++;
                } catch (ConflictException forkedMeanwhile) {
                    // forked since the listing: the core removed nothing of it; the prune goes on
                    out.println("skipped " + d.session().id() + ": " + forkedMeanwhile.getMessage());
                    skipped.put(d.session().id(), forkedMeanwhile.getMessage());
                    runs -= d.runs();
                    events -= d.events();
                }
                progress.advance(1);
            }
            if (!removable.isEmpty()) {
                progress.finish();
            }
            out.println("Removed " + Render.count(removed, "session") + ", " + Render.count(runs, "run") + ", "
                    + Render.count(events, "event") + (skipped.isEmpty() ? "" : "; skipped " + Render.count(skipped.size(), "session")
                    + " with forks that stay (delete or prune the forks first)") + ".");
            return skipped.isEmpty() ? 0 : Main.FAILED;
        }
    }

    /**
     * The sessions to remove, each after its forks; those with a fork that is not removed (not
     * selected, or itself skipped) are left out, with why, in {@code skipped}.
     */
    private static List<Doomed> order(Stores stores, List<Doomed> doomed, Map<String, String> skipped) {
        Context context = Context.of(stores);
        Map<String, List<String>> forksOf = new LinkedHashMap<>();
        for (Doomed d : doomed) {
            forksOf.put(d.session().id(), context.forks(d.session().id()).stream().map(Session::id).toList());
        }
        for (boolean changed = true; changed; ) {
            changed = false;
            for (Map.Entry<String, List<String>> e : forksOf.entrySet()) {
                if (skipped.containsKey(e.getKey())) {
                    continue;
                }
                List<String> staying = e.getValue().stream().filter(f -> !forksOf.containsKey(f) || skipped.containsKey(f)).toList();
                if (!staying.isEmpty()) {
                    skipped.put(e.getKey(), DeleteCommand.forksRead(staying) + (staying.size() == 1 ? " and stays" : " and stay"));
                    changed = true;
                }
            }
        }
        List<Doomed> ordered = new ArrayList<>();
        Set<String> done = new HashSet<>();
        List<Doomed> left = new ArrayList<>(doomed.stream().filter(d -> !skipped.containsKey(d.session().id())).toList());
        while (!left.isEmpty()) {
            int before = left.size();
            for (Iterator<Doomed> it = left.iterator(); it.hasNext(); ) {
                Doomed d = it.next();
                if (done.containsAll(forksOf.get(d.session().id()))) {
                    ordered.add(d);
                    done.add(d.session().id());
                    it.remove();
                }
            }
            if (left.size() == before) {
                ordered.addAll(left); // a lineage that loops (no core makes one): the core says what it refuses
                break;
            }
        }
        return ordered;
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
