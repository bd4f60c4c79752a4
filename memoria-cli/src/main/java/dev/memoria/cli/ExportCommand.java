package dev.memoria.cli;

import dev.memoria.Stores;
import dev.memoria.spi.Json;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Writes sessions, runs and events as JSON Lines (see {@link Transfer} for the format). */
@Command(name = "export", description = {"Export sessions, runs, events and facts as JSON Lines (format version 2).",
    "Facts: every version of every fact, superseded ones included; expired facts are never returned by a store,"
        + " so never exported. With --session, only the facts learned in the session's runs (their source run)."})
final class ExportCommand implements Callable<Integer> {
    /** The shared options (--store, --verbose), given before or after the command's name. */
    @ParentCommand
    Main main;

    @Option(names = "--session", paramLabel = "ID", description = "only this session, and the facts whose source run is"
            + " one of its runs")
    String session;

    @Option(names = "--out", paramLabel = "FILE", description = "write here instead of standard output")
    Path outFile;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        try (Stores stores = main.store.openExisting()) {
            Iterator<Map<String, Object>> records = Transfer.records(stores, session);
            String parent = session == null ? null : stores.sessions().get(session).map(Transfer::parentOf).orElse(null);
            if (parent != null) {
                err.println("note: session " + session + " is a fork of session " + parent + ": its view reads " + parent
                        + "'s events, which this export does not hold; export " + parent + " too (memoria export --session "
                        + Usage.quote(parent) + "), or an import of this file alone warns");
            }
            if (outFile == null) {
                PrintWriter out = spec.commandLine().getOut();
                long n = write(records, out, new Progress(err, "records", -1, false), false);
                out.flush();
                return n >= 0 ? 0 : 1;
            }
            // written beside the target and moved into place: a failed export leaves no half file
            Path absolute = outFile.toAbsolutePath();
            if (absolute.getParent() != null && !Files.isDirectory(absolute.getParent())) {
                throw new CliException("cannot write " + outFile + ": there is no folder " + absolute.getParent());
            }
            Path temp = Files.createTempFile(absolute.getParent(), ".memoria-export", ".tmp");
            try (Writer w = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(temp), StandardCharsets.UTF_8))) {
                long n = write(records, new PrintWriter(w), new Progress(err, "records", -1, Progress.onTerminal()), true);
                w.flush();
                Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                err.printf("Exported %,d records to %s%n", n, outFile);
            } finally {
                Files.deleteIfExists(temp);
            }
        }
        return 0;
    }

    private static long write(Iterator<Map<String, Object>> records, PrintWriter out, Progress progress, boolean report) {
        out.println(Json.write(Transfer.header()));
        long n = 0;
        while (records.hasNext()) {
            out.println(Json.write(records.next()));
            n++;
            if (report) {
                progress.advance(1);
            }
        }
        if (report) {
            progress.finish();
        }
        return n;
    }
}
