package dev.memoria.cli;

import dev.memoria.Stores;
import dev.memoria.spi.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Replays an export; importing the same file twice writes nothing the second time. */
@Command(name = "import", description = "Import an export file; idempotent (a second import writes nothing).")
final class ImportCommand implements Callable<Integer> {
    @Mixin
    StoreOption store;

    @Parameters(paramLabel = "FILE", description = "a file written by memoria export")
    Path file;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!Files.isRegularFile(file)) {
            throw new CliException("cannot read " + file + ": no such file");
        }
        SettableClock clock = new SettableClock();
        long lines = 0;
        Transfer.Counts counts;
        try (Stores stores = store.open(clock); BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            Transfer.Replay replay = new Transfer.Replay(stores, clock, problem -> err.println("line " + problem.substring("record ".length())));
            Progress progress = new Progress(err, "records", -1, Progress.onTerminal());
            String line;
            while ((line = in.readLine()) != null) {
                lines++;
                if (line.isBlank()) {
                    continue;
                }
                Map<String, Object> record;
                try {
                    record = Json.parseObject(line);
                } catch (IllegalArgumentException e) {
                    replay.counts.invalid++;
                    err.println("line " + lines + ": " + e.getMessage() + " (nothing of it was written)");
                    continue;
                }
                if (lines == 1 && "export".equals(record.get("memoria"))) {
                    Object version = record.get("version");
                    if (!(version instanceof Long v) || v != Transfer.FORMAT_VERSION) {
                        throw new CliException(file + " is export format version " + version
                                + ", this memoria reads version " + Transfer.FORMAT_VERSION);
                    }
                    continue;
                }
                replay.accept(lines, record);
                progress.advance(1);
            }
            replay.close();
            progress.finish();
            counts = replay.counts;
        }
        if (counts.written() == 0 && counts.invalid == 0) {
            out.println("Nothing new to import: everything in " + file + " is already in " + store.uri()
                    + " (" + counts + ").");
        } else {
            out.println("Imported " + file + " into " + store.uri() + ": " + counts + ".");
        }
        return counts.invalid == 0 ? 0 : Main.FAILED;
    }
}
