package dev.memoria.cli;

import dev.memoria.Limits;
import dev.memoria.Page;
import dev.memoria.Stores;
import dev.memoria.memory.EventQuery;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.run.Run;
import dev.memoria.run.RunFilter;
import dev.memoria.session.Session;
import dev.memoria.session.SessionFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Whole listings, walked page by page with the stores' cursors, for the commands that need all of one. */
final class Listings {
    private Listings() {
    }

    static List<Session> sessions(Stores stores, SessionFilter filter) {
        SessionFilter paged = filter.limit(Limits.MAX_PAGE_SIZE);
        return all(cursor -> stores.sessions().list(paged.cursor(cursor)));
    }

    static List<Run> runs(Stores stores, RunFilter filter) {
        RunFilter paged = filter.limit(Limits.MAX_PAGE_SIZE);
        return all(cursor -> stores.runs().list(paged.cursor(cursor)));
    }

    private static <T> List<T> all(Function<String, Page<T>> pageAfter) {
        List<T> items = new ArrayList<>();
        Page<T> page = pageAfter.apply(null);
        items.addAll(page.items());
        while (page.hasNext()) {
            page = pageAfter.apply(page.nextCursor());
            items.addAll(page.items());
        }
        return items;
    }

    /** A run's number of events: its last sequence, since sequences have no gaps. */
    static long eventCount(Stores stores, Run run) {
        List<MemoryEvent> last = stores.memory().read(EventQuery.run(run.ref()).latest(1)).items();
        return last.isEmpty() ? 0 : last.get(0).sequence();
    }
}
