package dev.memoria.cli;

import dev.memoria.Page;
import dev.memoria.Stores;
import dev.memoria.run.Run;
import dev.memoria.session.Session;
import dev.memoria.session.SessionFilter;
import dev.memoria.session.SessionOrder;
import dev.memoria.session.SessionStatus;
import dev.memoria.spi.Json;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** Lists sessions, one page at a time, with the command line for the next page. */
@Command(name = "sessions", description = "List sessions, newest first unless --order says otherwise.")
final class SessionsCommand implements Callable<Integer> {
    /** The shared options (--store, --verbose), given before or after the command's name. */
    @ParentCommand
    Main main;

    @Option(names = "--status", description = "only sessions in this status: ${COMPLETION-CANDIDATES}")
    SessionStatus status;

    @Option(names = "--user", paramLabel = "ID", description = "only this user's sessions")
    String user;

    @Option(names = "--label", paramLabel = "KEY=VALUE", description = "only sessions with this label (repeatable)")
    Map<String, String> labels = new TreeMap<>();

    @Option(names = "--order", paramLabel = "ORDER", defaultValue = "NEWEST_FIRST",
            description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}); RECENTLY_ACTIVE_FIRST lists conversations"
                    + " by their last message")
    SessionOrder order;

    @Option(names = "--limit", description = "at most this many per page (default: ${DEFAULT-VALUE})", defaultValue = "20")
    int limit;

    @Option(names = "--cursor", description = "continue a listing from the cursor it printed")
    String cursor;

    @Option(names = "--all", description = "every page, not just one")
    boolean all;

    @Option(names = "--json", description = "print JSON Lines instead of a table (the next page's command goes to stderr)")
    boolean json;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        SessionFilter filter = SessionFilter.all().limit(Usage.limit(spec, "--limit", limit)).orderBy(order).labels(labels);
        if (status != null) {
            filter = filter.statuses(status);
        }
        if (user != null) {
            filter = filter.userId(user);
        }
        try (Stores stores = main.store.openExisting()) {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"ID", "USER", "STATUS", "CREATED (UTC)", "LAST ACTIVE (UTC)", "RUNS", "EVENTS"});
            String next = cursor;
            int listed = 0;
            do {
                SessionFilter pageFilter = filter.cursor(next);
                Page<Session> page = Usage.cursor(spec, () -> stores.sessions().list(pageFilter));
                for (Session s : page.items()) {
                    List<Run> runs = stores.runs().listBySession(s.id());
                    long events = runs.stream().mapToLong(r -> Listings.eventCount(stores, r)).sum();
                    if (json) {
                        Map<String, Object> record = Transfer.session(s);
                        record.remove("kind");
                        out.println(Json.write(record));
                    } else {
                        rows.add(new String[] {Render.id(s.id()), s.userId() == null ? "-" : Render.shorten(s.userId(), 12),
                            s.status().name(), Render.when(s.createdAt()), Render.when(s.lastActivityAt()),
                            Integer.toString(runs.size()), Long.toString(events)});
                    }
                }
                listed += page.items().size();
                next = page.nextCursor();
            } while (all && next != null);
            if (!json) {
                if (listed == 0) {
                    out.println("No sessions in " + main.store.shown() + (cursor == null ? "." : " after this cursor."));
                } else {
                    out.print(Render.table(rows));
                }
            }
            if (next != null) {
                // the same listing, on: every option kept, so the next page is the next page of this one
                Usage.more(spec, json, nextPage(next));
            }
        }
        return 0;
    }

    private String nextPage(String next) {
        StringBuilder line = new StringBuilder("memoria sessions");
        if (status != null) {
            line.append(" --status ").append(status);
        }
        if (user != null) {
            line.append(" --user ").append(Usage.quote(user));
        }
        labels.forEach((k, v) -> line.append(" --label ").append(Usage.quote(k + "=" + v)));
        if (order != SessionOrder.NEWEST_FIRST) {
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
