package dev.memoria.cli;

import dev.memoria.Stores;
import dev.memoria.spi.Uris;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Copies everything from one store to another; idempotent and resumable. */
@Command(name = "copy", description = {"Copy everything between two stores (any backends); safe to re-run after an interruption.",
    "Facts are copied with their history, ids and versions (expired facts are never read, so never copied); a target that"
        + " keeps no facts is refused before anything is written when the source has some, unless --no-facts."})
final class CopyCommand implements Callable<Integer> {
    @Option(names = "--from", required = true, paramLabel = "URI",
            description = "the source store (a SQLite file must exist: it is only read)")
    String from;

    @Option(names = "--to", required = true, paramLabel = "URI",
            description = "the target store (a SQLite file is created if missing)")
    String to;

    @Option(names = "--no-facts", description = "leave the facts out (for a target that keeps none)")
    boolean noFacts;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (from.equals(to)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--from and --to name the same store: " + Uris.redact(from));
        }
        SettableClock clock = new SettableClock();
        Transfer.Counts counts;
        try (Stores source = StoreOption.open(from, Clock.systemUTC(), true); Stores target = StoreOption.open(to, clock, false)) {
            // a store's refusal may quote either URI
            dev.memoria.fact.FactStore sourceFacts = Transfer.factStore(source);
            if (!noFacts && sourceFacts != null && Transfer.factStore(target) == null
                    && !sourceFacts.search(dev.memoria.fact.FactQuery.all().allVersions().limit(1)).items().isEmpty()) {
                throw new CliException("not copying to " + Uris.redact(to) + ": it keeps no facts and " + Uris.redact(from)
                        + " has some; copy to a store that keeps facts (SQLite, PostgreSQL), or re-run with --no-facts to copy the rest"
                        + " without them; nothing was written");
            }
            Transfer.Replay replay = new Transfer.Replay(target, clock, "record",
                    problem -> err.println(Uris.redactIn(Uris.redactIn(problem, from), to)));
            Progress progress = new Progress(err, "records", -1, Progress.onTerminal());
            Iterator<Map<String, Object>> records = Transfer.records(source, null, !noFacts);
            long n = 0;
            while (records.hasNext()) {
                replay.accept(++n, records.next());
                progress.advance(1);
            }
            replay.close();
            progress.finish();
            counts = replay.counts;
        }
        out.println("Copied " + Uris.redact(from) + " to " + Uris.redact(to) + ": " + counts + ".");
        return counts.invalid == 0 ? 0 : Main.FAILED;
    }
}
