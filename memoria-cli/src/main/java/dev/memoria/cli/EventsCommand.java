package dev.memoria.cli;

import dev.memoria.Page;
import dev.memoria.Stores;
import dev.memoria.memory.EventQuery;
import dev.memoria.memory.EventType;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.run.Run;
import dev.memoria.session.Session;
import dev.memoria.spi.Json;
import java.io.PrintWriter;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * Prints a run's events, or a whole conversation's (every run of a session, by time); with
 * --follow keeps printing new ones as they are appended.
 */
@Command(name = "events", description = {"Print a run's events, or with --session a whole conversation's across its runs.",
    "--follow keeps printing new ones until interrupted, or until the run or session has ended."})
final class EventsCommand implements Callable<Integer> {
    /** The shared options (--store, --verbose), given before or after the command's name. */
    @ParentCommand
    Main main;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @Parameters(paramLabel = "RUN", description = "the run's id")
        String runId;

        @Option(names = "--session", paramLabel = "ID", description = "every run of this session, by time: each turn is a run")
        String sessionId;
    }

    @Option(names = "--follow", description = "keep printing events as they are appended (Ctrl-C stops)")
    boolean follow;

    @Option(names = "--type", split = ",", description = "only these types: ${COMPLETION-CANDIDATES} (UNKNOWN: types"
            + " this version does not know)")
    Set<EventType> types = EnumSet.noneOf(EventType.class);

    @Option(names = "--count", description = "stop after this many events")
    long count = Long.MAX_VALUE;

    @Option(names = "--json", description = "print JSON Lines")
    boolean json;

    @Option(names = "--poll-millis", hidden = true, defaultValue = "200")
    long pollMillis;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    private long printed;

    @Override
    public Integer call() throws InterruptedException {
        try (Stores stores = main.store.openExisting()) {
            if (source.sessionId != null) {
                followSession(stores);
            } else {
                followRun(stores);
            }
        }
        return 0;
    }

    private void print(MemoryEvent e) {
        spec.commandLine().getOut().println(json ? Json.write(Transfer.event(e)) : Render.event(e, 79));
        printed++;
    }

    private void followRun(Stores stores) throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        Run run = stores.runs().get(source.runId).orElseThrow(() -> new CliException("no run '" + source.runId + "' in "
                + main.store.shown() + " (see a session's runs with: memoria show SESSION)"));
        EventQuery query = EventQuery.run(run.ref()).limit(1000).types(types);
        long lastSeen = 0;
        while (printed < count) {
            // read the status before the events: events stored before it ended are all in this read
            Run now = stores.runs().get(run.id()).orElse(run);
            Page<MemoryEvent> page = stores.memory().read(query.after(lastSeen));
            for (MemoryEvent e : page.items()) {
                if (printed == count) {
                    break;
                }
                print(e);
                lastSeen = e.sequence();
            }
            out.flush();
            if (page.hasNext()) {
                continue;
            }
            if (!follow) {
                break;
            }
            if (now.status().isTerminal()) {
                spec.commandLine().getErr().println("run " + run.id() + " is " + now.status()
                        + ": no more events will come");
                break;
            }
            Thread.sleep(pollMillis);
        }
    }

    /**
     * A conversation's events by time, across its runs. A page is re-read from its start until it
     * is full (events already printed are skipped by run and sequence), then the walk moves on:
     * an event stored later with a timestamp older than a page already left behind is not shown.
     */
    private void followSession(Stores stores) throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        String id = source.sessionId;
        Session session = stores.sessions().get(id).orElseThrow(() -> new CliException("no session '" + id + "' in "
                + main.store.shown() + " (list them with: memoria sessions" + main.store.option() + ")"));
        EventQuery query = EventQuery.session(session.id()).limit(1000).types(types);
        String pageStart = null;
        Set<String> seenInPage = new HashSet<>();
        while (printed < count) {
            boolean ended = !stores.sessions().get(id).map(Session::isActive).orElse(false);
            Page<MemoryEvent> page = stores.memory().read(query.cursor(pageStart));
            for (MemoryEvent e : page.items()) {
                if (printed < count && seenInPage.add(e.run().runId() + "#" + e.sequence())) {
                    print(e);
                }
            }
            out.flush();
            if (page.hasNext()) {
                pageStart = page.nextCursor();
                seenInPage.clear();
                continue;
            }
            if (!follow) {
                break;
            }
            if (ended) {
                spec.commandLine().getErr().println("session " + id + " has ended: no more events will come");
                break;
            }
            Thread.sleep(pollMillis);
        }
    }
}
