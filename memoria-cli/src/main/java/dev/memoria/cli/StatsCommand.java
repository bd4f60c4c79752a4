package dev.memoria.cli;

import dev.memoria.Limits;
import dev.memoria.Page;
import dev.memoria.Stores;
import dev.memoria.memory.EventQuery;
import dev.memoria.memory.EventType;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.run.Run;
import dev.memoria.run.RunFilter;
import dev.memoria.run.RunStatus;
import dev.memoria.session.SessionFilter;
import dev.memoria.session.SessionStatus;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Counts by status and type, and the largest runs. */
@Command(name = "stats", description = {"Count sessions, runs and events by status and type; list the largest runs.",
    "Facts are counted current and superseded, by the first segment of their namespace (expired ones are never read)."})
final class StatsCommand implements Callable<Integer> {
    /** The shared options (--store, --verbose), given before or after the command's name. */
    @ParentCommand
    Main main;

    @Option(names = "--top", description = "how many of the largest runs to list (default: ${DEFAULT-VALUE})", defaultValue = "5")
    int top;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Map<SessionStatus, Long> sessions = new EnumMap<>(SessionStatus.class);
        Map<RunStatus, Long> runs = new EnumMap<>(RunStatus.class);
        // by stored name, so that types this version does not know are counted apart, not as UNKNOWN
        Map<String, Long> events = new TreeMap<>(StatsCommand::knownTypesFirst);
        List<long[]> sizes = new ArrayList<>();
        List<Run> allRuns = new ArrayList<>();
        String facts;
        try (Stores stores = main.store.openExisting()) {
            facts = facts(stores);
            Listings.sessions(stores, SessionFilter.all()).forEach(s -> sessions.merge(s.status(), 1L, Long::sum));
            allRuns.addAll(Listings.runs(stores, RunFilter.all()));
            Progress progress = new Progress(err, "runs", allRuns.size(), Progress.onTerminal());
            for (int i = 0; i < allRuns.size(); i++) {
                Run r = allRuns.get(i);
                runs.merge(r.status(), 1L, Long::sum);
                long count = 0;
                long after = 0;
                while (true) {
                    Page<MemoryEvent> page = stores.memory().read(EventQuery.run(r.ref()).after(after).limit(Limits.MAX_PAGE_SIZE));
                    for (MemoryEvent e : page.items()) {
                        events.merge(e.typeName(), 1L, Long::sum);
                        count++;
                        after = e.sequence();
                    }
                    if (!page.hasNext()) {
                        break;
                    }
                }
                sizes.add(new long[] {i, count});
                progress.advance(1);
            }
            if (allRuns.size() > 100) {
                progress.finish();
            }
        }
        out.println("Store: " + main.store.shown());
        out.println("Sessions: " + total(sessions) + "  " + sessions);
        out.println("Runs:     " + total(runs) + "  " + runs);
        out.println("Events:   " + total(events) + "  " + events);
        out.println("Facts:    " + facts);
        sizes.sort(Comparator.comparingLong((long[] s) -> s[1]).reversed());
        if (!sizes.isEmpty()) {
            out.println("Largest runs:");
            for (long[] s : sizes.subList(0, Math.min(top, sizes.size()))) {
                Run r = allRuns.get((int) s[0]);
                out.printf("  %8d events  run %s (%s, session %s)%n", s[1], r.id(), r.agentId(), Render.shorten(r.sessionId(), 20));
            }
        }
        return 0;
    }

    /** "7  {current=5, superseded=2}  by namespace {users=7}", or why there are none. */
    private static String facts(Stores stores) {
        dev.memoria.fact.FactStore factStore = Transfer.factStore(stores);
        if (factStore == null) {
            return "none: this store keeps no facts";
        }
        Map<String, Long> validity = new java.util.LinkedHashMap<>();
        validity.put("current", 0L);
        validity.put("superseded", 0L);
        Map<String, Long> namespaces = new TreeMap<>();
        dev.memoria.fact.FactQuery query = dev.memoria.fact.FactQuery.all().allVersions().limit(Limits.MAX_PAGE_SIZE);
        String cursor = null;
        do {
            Page<dev.memoria.fact.FactMatch> page = factStore.search(query.cursor(cursor));
            for (dev.memoria.fact.FactMatch m : page.items()) {
                validity.merge(m.fact().isCurrent() ? "current" : "superseded", 1L, Long::sum);
                namespaces.merge(m.fact().namespace().segments().get(0), 1L, Long::sum);
            }
            cursor = page.nextCursor();
        } while (cursor != null);
        return total(validity) + "  " + validity + (namespaces.isEmpty() ? "" : "  by namespace " + namespaces);
    }

    private static int knownTypesFirst(String a, String b) {
        EventType ta = EventType.ofName(a);
        EventType tb = EventType.ofName(b);
        return ta != tb ? ta.compareTo(tb) : a.compareTo(b);
    }

    private static long total(Map<?, Long> counts) {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }
}
