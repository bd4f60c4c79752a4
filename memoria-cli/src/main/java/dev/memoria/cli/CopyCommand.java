package dev.memoria.cli;

import dev.memoria.Stores;
import java.io.PrintWriter;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Copies everything from one store to another; idempotent and resumable. */
@Command(name = "copy", description = "Copy everything between two stores (any backends); safe to re-run after an interruption.")
final class CopyCommand implements Callable<Integer> {
    @Option(names = "--from", required = true, paramLabel = "URI", description = "the source store")
    String from;

    @Option(names = "--to", required = true, paramLabel = "URI", description = "the target store")
    String to;

    @Option(names = "--verbose", description = "show stack traces on failure")
    boolean verbose;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (from.equals(to)) {
            throw new IllegalArgumentException("--from and --to name the same store: " + from);
        }
        SettableClock clock = new SettableClock();
        Transfer.Counts counts;
        try (Stores source = Stores.open(from); Stores target = Stores.open(to, clock)) {
            Transfer.Replay replay = new Transfer.Replay(target, clock, err::println);
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
        out.println("Copied " + from + " to " + to + ": " + counts + ".");
        return counts.invalid == 0 ? 0 : Main.FAILED;
    }
}
