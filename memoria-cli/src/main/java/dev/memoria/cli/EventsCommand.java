package dev.memoria.cli;

import dev.memoria.Page;
import dev.memoria.Stores;
import dev.memoria.memory.EventQuery;
import dev.memoria.memory.EventType;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.run.Run;
import dev.memoria.spi.Json;
import java.io.PrintWriter;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Prints a run's events; with --follow keeps printing new ones as they are appended. */
@Command(name = "events", description = "Print a run's events; --follow keeps tailing new ones until interrupted.")
final class EventsCommand implements Callable<Integer> {
    @Mixin
    StoreOption store;

    @Parameters(paramLabel = "RUN", description = "the run's id")
    String runId;

    @Option(names = "--follow", description = "keep printing events as they are appended (Ctrl-C stops)")
    boolean follow;

    @Option(names = "--type", split = ",", description = "only these types: ${COMPLETION-CANDIDATES}")
    Set<EventType> types = EnumSet.noneOf(EventType.class);

    @Option(names = "--count", description = "stop after this many events")
    long count = Long.MAX_VALUE;

    @Option(names = "--json", description = "print JSON Lines")
    boolean json;

    @Option(names = "--poll-millis", hidden = true, defaultValue = "200")
    long pollMillis;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        try (Stores stores = store.openExisting()) {
            Run run = stores.runs().get(runId).orElseThrow(() -> new CliException("no run '" + runId + "' in "
                    + store.shown() + " (see a session's runs with: memoria show SESSION)"));
            EventQuery query = EventQuery.run(run.ref()).limit(1000);
            if (!types.isEmpty()) {
                query = query.types(types);
            }
            long lastSeen = 0;
            long printed = 0;
            while (printed < count) {
                Page<MemoryEvent> page = stores.memory().read(query.after(lastSeen));
                for (MemoryEvent e : page.items()) {
                    if (printed == count) {
                        break;
                    }
                    out.println(json ? Json.write(Transfer.event(e)) : Render.event(e, 79));
                    lastSeen = e.sequence();
                    printed++;
                }
                out.flush();
                if (page.hasNext()) {
                    continue;
                }
                if (!follow) {
                    break;
                }
                Thread.sleep(pollMillis);
            }
        }
        return 0;
    }
}
