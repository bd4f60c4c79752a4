package dev.memoria.cli;

import dev.memoria.Page;
import dev.memoria.Stores;
import dev.memoria.run.Run;
import dev.memoria.run.RunFilter;
import dev.memoria.run.RunOrder;
import dev.memoria.run.RunStatus;
import dev.memoria.runtime.AgentRuntime;
import dev.memoria.runtime.Suspension;
import dev.memoria.spi.Json;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * Lists runs, one page at a time, with the command line for the next page: by default the PAUSED
 * ones (A5), each with what it waits for (for an approval, the tool and its arguments), its
 * session, its agent and when it paused, read from the stores, so a run paused by any process
 * shows up.
 */
@Command(name = "runs", description = {"List paused runs and what each waits for; other statuses with --status.",
    "Each shows what it waits for (for an approval, the tool and its arguments), its",
    "session, agent and when it paused; newest first unless --order says otherwise.",
    "Continue one with: memoria resume RUN --approve | --deny REASON | --input TEXT",
    "End one with: memoria cancel RUN"})
final class RunsCommand implements Callable<Integer> {
    private static final Set<RunStatus> DEFAULT_STATUSES = EnumSet.of(RunStatus.PAUSED);

    /** The shared options (--store, --verbose), given before or after the command's name. */
    @ParentCommand
    Main main;

    @Option(names = "--session", paramLabel = "ID", description = "only this session's runs")
    String session;

    @Option(names = "--status", split = ",", paramLabel = "STATUS",
            description = "only runs in these statuses, repeatable or comma-separated: ${COMPLETION-CANDIDATES}"
                    + " (default: PAUSED)")
    Set<RunStatus> statuses = EnumSet.noneOf(RunStatus.class);

    @Option(names = "--agent", paramLabel = "ID", description = "only this agent's runs")
    String agent;

    @Option(names = "--order", paramLabel = "ORDER", defaultValue = "NEWEST_FIRST",
            description = "by start: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
    RunOrder order;

    @Option(names = "--limit", description = "at most this many per page (default: ${DEFAULT-VALUE})", defaultValue = "20")
    int limit;

    @Option(names = "--cursor", description = "continue a listing from the cursor it printed")
    String cursor;

    @Option(names = "--all", description = "every page, not just one")
    boolean all;

    @Option(names = "--json", description = "print JSON Lines instead of a table, a PAUSED run with its suspension"
            + " (the next page's command goes to stderr)")
    boolean json;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Set<RunStatus> listed = statuses.isEmpty() ? DEFAULT_STATUSES : statuses;
        boolean onlyPaused = listed.equals(DEFAULT_STATUSES);
        RunFilter filter = RunFilter.all().limit(Usage.limit(spec, "--limit", limit)).orderBy(order).statuses(listed);
        if (session != null) {
            filter = filter.sessionId(session);
        }
        if (agent != null) {
            filter = filter.agentId(agent);
        }
        try (Stores stores = main.store.openExisting()) {
            AgentRuntime runtime = AgentRuntime.create(stores);
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"RUN", "SESSION", "AGENT", "STATUS", onlyPaused ? "PAUSED (UTC)" : "SINCE (UTC)",
                onlyPaused ? "WAITING FOR" : "DETAIL"});
            String next = cursor;
            int count = 0;
            boolean anyPaused = false;
            do {
                RunFilter pageFilter = filter.cursor(next);
                Page<Run> page = Usage.cursor(spec, () -> stores.runs().list(pageFilter));
                for (Run r : page.items()) {
                    // read now: a run resumed since the page was read waits for nothing any more
                    Optional<Suspension> suspension = r.status() == RunStatus.PAUSED ? runtime.suspension(r.id())
                            : Optional.empty();
                    anyPaused |= suspension.isPresent();
                    if (json) {
                        out.println(Json.write(record(r, suspension)));
                    } else {
                        rows.add(new String[] {r.id(), Render.id(r.sessionId()), Render.shorten(r.agentId(), 20),
                            r.status().name(), Render.when(since(r, suspension)), Render.shorten(detail(r, suspension), 60)});
                    }
                }
                count += page.items().size();
                next = page.nextCursor();
            } while (all && next != null);
            if (!json) {
                if (count == 0) {
                    out.println("No " + describe(listed) + " runs" + (session == null ? "" : " of session " + session)
                            + (agent == null ? "" : " of agent " + agent) + " in " + main.store.shown()
                            + (cursor == null ? "." : " after this cursor."));
                } else {
                    out.print(Render.table(rows));
                    if (anyPaused) {
                        out.println("Continue one with: memoria resume RUN --approve | --deny REASON | --input TEXT"
                                + main.store.option());
                    }
                }
            }
            if (next != null) {
                // the same listing, on: every option kept, so the next page is the next page of this one
                Usage.more(spec, json, nextPage(next));
            }
        }
        return 0;
    }

    /** When the run entered its status: when it paused, ended, or last changed. */
    private static Instant since(Run r, Optional<Suspension> suspension) {
        if (suspension.isPresent()) {
            return suspension.get().at();
        }
        return r.endedAt() != null ? r.endedAt() : r.updatedAt();
    }

    private static String detail(Run r, Optional<Suspension> suspension) {
        if (suspension.isPresent()) {
            return Render.waitingFor(suspension.get());
        }
        if (r.status() == RunStatus.PAUSED) {
            return "(no suspension in its log)";
        }
        if (r.error() != null) {
            return "error: " + r.error();
        }
        if (r.metadata().get(AgentRuntime.CANCEL_REASON) instanceof String reason) {
            return "canceled: " + reason;
        }
        return r.parentRunId() == null ? "-" : "child of " + r.parentRunId();
    }

    private static Map<String, Object> record(Run r, Optional<Suspension> suspension) {
        Map<String, Object> record = Transfer.run(r);
        record.remove("kind");
        if (r.status() == RunStatus.PAUSED) {
            record.put("suspension", suspension.map(s -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("id", s.id());
                m.put("reason", s.reason());
                m.put("data", s.data());
                m.put("at", s.at().toString());
                return m;
            }).orElse(null));
        }
        return record;
    }

    private static String describe(Set<RunStatus> statuses) {
        return statuses.stream().map(s -> s.name().toLowerCase(java.util.Locale.ROOT)).collect(Collectors.joining(" or "));
    }

    private String nextPage(String next) {
        StringBuilder line = new StringBuilder("memoria runs");
        if (session != null) {
            line.append(" --session ").append(Usage.quote(session));
        }
        if (!statuses.isEmpty() && !statuses.equals(DEFAULT_STATUSES)) {
            line.append(" --status ").append(statuses.stream().map(Enum::name).collect(Collectors.joining(",")));
        }
        if (agent != null) {
            line.append(" --agent ").append(Usage.quote(agent));
        }
        if (order != RunOrder.NEWEST_FIRST) {
            line.append(" --order ").append(order);
        }
        if (limit != 20) {
            line.append(" --limit ").append(limit);
        }
        if (json) {
            line.append(" --json");
        }
        return line.append(main.store.option()).append(" --cursor ").append(next).toString();
    }
}
