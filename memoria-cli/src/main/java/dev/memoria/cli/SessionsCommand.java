package dev.memoria.cli;

import dev.memoria.Page;
import dev.memoria.Stores;
import dev.memoria.run.Run;
import dev.memoria.session.Session;
import dev.memoria.session.SessionFilter;
import dev.memoria.session.SessionStatus;
import dev.memoria.spi.Json;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Lists sessions, newest first. */
@Command(name = "sessions", description = "List sessions, newest first.")
final class SessionsCommand implements Callable<Integer> {
    @Mixin
    StoreOption store;

    @Option(names = "--status", description = "ACTIVE or ENDED")
    SessionStatus status;

    @Option(names = "--user", paramLabel = "ID", description = "only this user's sessions")
    String user;

    @Option(names = "--label", paramLabel = "KEY=VALUE", description = "only sessions with this label (repeatable)")
    Map<String, String> labels = Map.of();

    @Option(names = "--limit", description = "at most this many (default: ${DEFAULT-VALUE})", defaultValue = "20")
    int limit;

    @Option(names = "--cursor", description = "continue a listing from the cursor it printed")
    String cursor;

    @Option(names = "--json", description = "print JSON Lines instead of a table")
    boolean json;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        SessionFilter filter = SessionFilter.all().limit(limit);
        if (status != null) {
            filter = filter.status(status);
        }
        if (user != null) {
            filter = filter.userId(user);
        }
        for (Map.Entry<String, String> e : labels.entrySet()) {
            filter = filter.label(e.getKey(), e.getValue());
        }
        try (Stores stores = store.openExisting()) {
            Page<Session> page = stores.sessions().list(filter.cursor(cursor));
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"ID", "USER", "STATUS", "CREATED (UTC)", "RUNS", "EVENTS"});
            for (Session s : page.items()) {
                List<Run> runs = stores.runs().listBySession(s.id());
                long events = runs.stream().mapToLong(r -> Listings.eventCount(stores, r)).sum();
                if (json) {
                    Map<String, Object> record = Transfer.session(s);
                    record.remove("kind");
                    out.println(Json.write(record));
                } else {
                    rows.add(new String[] {Render.id(s.id()), s.userId() == null ? "-" : Render.shorten(s.userId(), 12),
                        s.status().name(), Render.when(s.createdAt()), Integer.toString(runs.size()), Long.toString(events)});
                }
            }
            if (!json) {
                if (page.items().isEmpty()) {
                    out.println("No sessions in " + store.shown() + (cursor == null ? "." : " after this cursor."));
                } else {
                    out.print(Render.table(rows));
                }
                if (page.hasNext()) {
                    out.println("More: memoria sessions --cursor " + page.nextCursor());
                }
            }
        }
        return 0;
    }
}
