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
@Command(name = "copy", description = "Copy everything between two stores (any backends); safe to re-run after an interruption.")
final class CopyCommand implements Callable<Integer> {
    @Option(names = "--from", required = true, paramLabel = "URI",
            description = "the source store (a SQLite file must exist: it is only read)")
    String from;

    @Option(names = "--to", required = true, paramLabel = "URI",
            description = "the target store (a SQLite file is created if missing)")
    String to;


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
            Transfer.Replay replay = new Transfer.Replay(target, clock, "record",
                    problem -> err.println(Uris.redactIn(Uris.redactIn(problem, from), to)));
            Progress progress = new Progress(err, "records", -1, Progress.onTerminal());
            Iterator<Map<String, Object>> records = Transfer.records(source, null);
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
