package dev.memoria.cli;

import dev.memoria.Stores;
import dev.memoria.memory.EventQuery;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.run.Run;
import dev.memoria.session.Session;
import dev.memoria.session.SessionFilter;
import dev.memoria.session.SessionStatus;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Purges whole sessions (X1) for retention policies. */
@Command(name = "prune", description = "Purge whole sessions (with their runs and events) for retention.")
final class PruneCommand implements Callable<Integer> {
    @Mixin
    StoreOption store;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Rule rule;

    static final class Rule {
        @Option(names = "--ended-before", paramLabel = "DURATION",
                description = "sessions that ENDED more than this long ago, e.g. 30d, 12h, P30D")
        String endedBefore;

        @Option(names = "--inactive-for", paramLabel = "DURATION",
                description = "sessions with no change, run or event for this long, e.g. 90d")
        String inactiveFor;
    }

    @Option(names = "--dry-run", description = "only list what would be removed")
    boolean dryRun;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    static Duration parse(String text) {
        String t = text.trim();
        try {
            if (t.matches("\\d+[dhms]")) {
                long n = Long.parseLong(t.substring(0, t.length() - 1));
                return switch (t.charAt(t.length() - 1)) {
                    case 'd' -> Duration.ofDays(n);
                    case 'h' -> Duration.ofHours(n);
                    case 'm' -> Duration.ofMinutes(n);
                    default -> Duration.ofSeconds(n);
                };
            }
            return Duration.parse(t.startsWith("P") ? t : "P" + t);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a duration: '" + text + "' (use 30d, 12h, 45m, 10s or ISO-8601 like P30D)");
        }
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        boolean ended = rule.endedBefore != null;
        Instant cutoff = Instant.now().minus(parse(ended ? rule.endedBefore : rule.inactiveFor));
        try (Stores stores = store.open()) {
            SessionFilter filter = SessionFilter.all().updatedBefore(cutoff);
            if (ended) {
                filter = filter.status(SessionStatus.ENDED);
            }
            List<Session> doomed = new ArrayList<>();
            for (Session s : Listings.sessions(stores, filter)) {
                if (ended || inactiveSince(stores, s, cutoff)) {
                    doomed.add(s);
                }
            }
            Progress progress = new Progress(err, "sessions", doomed.size(), Progress.onTerminal());
            long runs = 0;
            long events = 0;
            for (Session s : doomed) {
                List<Run> sessionRuns = stores.runs().listBySession(s.id());
                runs += sessionRuns.size();
                events += sessionRuns.stream().mapToLong(r -> Listings.eventCount(stores, r)).sum();
                out.printf("%s %s (%s, last change %s)%n", dryRun ? "would remove" : "removing", s.id(), s.status(),
                        Render.when(s.updatedAt()));
                if (!dryRun) {
                    stores.purgeSession(s.id());
                }
                progress.advance(1);
            }
            if (!doomed.isEmpty()) {
                progress.finish();
            }
            out.printf("%s %s, %s, %s.%n", dryRun ? "Would remove" : "Removed", Render.count(doomed.size(), "session"),
                    Render.count(runs, "run"), Render.count(events, "event"));
        }
        return 0;
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
