package dev.memoria.cli;

import dev.memoria.Stores;
import dev.memoria.spi.Json;
import dev.memoria.spi.Uris;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Replays an export; importing the same file twice writes nothing the second time. A damaged
 * file loses only its damaged lines: each is reported by its number and skipped, the others are
 * written (see {@link Transfer.Replay}).
 */
@Command(name = "import", description = {"Import an export file; idempotent (a second import writes nothing).",
    "Every intact line is written, in any order of the records; each bad line is reported by its number and skipped.",
    "Reads export format versions 1 and 2; facts are restored as exported (ids, versions, history), so a second"
        + " import adds none.",
    "A store that keeps no facts refuses a file with facts before anything is written, unless --no-facts.",
    "Exit code 0 when every line was imported or already present, 1 when some were not."})
final class ImportCommand implements Callable<Integer> {
    /** The shared options (--store, --verbose), given before or after the command's name. */
    @ParentCommand
    Main main;

    @Parameters(paramLabel = "FILE", description = "a file written by memoria export")
    Path file;

    @picocli.CommandLine.Option(names = "--no-facts", description = "leave the file's facts out (for a store that keeps none)")
    boolean noFacts;

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
        long lineNumber = 0;
        long records = 0;
        Transfer.Replay replay = null;
        try (Stores stores = main.store.open(clock); InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            // a refusal may quote the store's URI
            if (!noFacts && Transfer.factStore(stores) == null) {
                long facts = countFacts(file);
                if (facts > 0) {
                    throw new CliException("not importing " + file + ": it holds " + Render.count(facts, "fact") + " and "
                            + main.store.shown() + " keeps no facts; import into a store that keeps facts (SQLite, PostgreSQL), or re-run with"
                            + " --no-facts to import the rest without them; nothing was written");
                }
            }
            replay = new Transfer.Replay(stores, clock, "line", problem -> err.println(Uris.redactIn(problem, main.store.uri())));
            replay.skipFacts = noFacts;
            Progress progress = new Progress(err, "records", -1, Progress.onTerminal());
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            while (readLine(in, bytes)) {
                lineNumber++;
                String line = decode(bytes.toByteArray(), lineNumber == 1);
                if (line == null) {
                    replay.counts.invalid++;
                    err.println("line " + lineNumber + ": not valid UTF-8: " + firstBadByte(bytes.toByteArray())
                            + " (nothing of it was written)");
                    continue;
                }
                if (line.isBlank()) {
                    continue;
                }
                Map<String, Object> record;
                try {
                    record = Json.parseObject(line);
                } catch (IllegalArgumentException e) {
                    replay.counts.invalid++;
                    err.println("line " + lineNumber + ": " + e.getMessage() + " (nothing of it was written)");
                    continue;
                }
                if (lineNumber == 1 && "export".equals(record.get("memoria"))) {
                    Object version = record.get("version");
                    if (!(version instanceof Long v) || !Transfer.READS.contains(v)) {
                        throw new CliException(file + " is export format version " + version
                                + ", this memoria reads versions " + Transfer.READS.get(0) + " and " + Transfer.READS.get(1)
                                + "; nothing was written");
                    }
                    continue;
                }
                records++;
                replay.accept(lineNumber, record);
                progress.advance(1);
            }
            replay.close();
            progress.finish();
        } catch (RuntimeException | IOException fatal) {
            if (replay != null && records > 0) {
                // what was written stays written: say how far the import got before the error line
                out.println("Import of " + file + " into " + main.store.shown() + " stopped at line " + lineNumber + ": "
                        + replay.counts + ".");
            }
            throw fatal;
        }
        Transfer.Counts counts = replay.counts;
        if (records == 0 && counts.invalid == 0) {
            out.println("Nothing to import: " + file + " holds no records.");
        } else if (counts.written() == 0 && counts.invalid == 0) {
            out.println("Nothing new to import: every record of " + file + " is already in " + main.store.shown()
                    + " (" + counts + ").");
        } else {
            out.println("Imported " + file + " into " + main.store.shown() + ": " + counts + ".");
        }
        return counts.invalid == 0 ? 0 : Main.FAILED;
    }

    /** The fact records of a file: lines that parse as JSON with kind "fact" (the others are left to the import). */
    private static long countFacts(Path file) throws IOException {
        long facts = 0;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            boolean first = true;
            while (readLine(in, bytes)) {
                String line = decode(bytes.toByteArray(), first);
                first = false;
                if (line == null || !line.contains("\"fact\"")) {
                    continue;
                }
                try {
                    if ("fact".equals(Json.parseObject(line).get("kind"))) {
                        facts++;
                    }
                } catch (IllegalArgumentException bad) {
                    // the import reports it by its number
                }
            }
        }
        return facts;
    }

    /**
     * Reads one line's bytes, without its end ({@code \n} or {@code \r\n}), into {@code line}.
     * Lines are split as bytes and decoded one by one, so that a bad byte costs only its line.
     *
     * @return false at the end of the input
     */
    private static boolean readLine(InputStream in, ByteArrayOutputStream line) throws IOException {
        line.reset();
        int b = in.read();
        if (b < 0) {
            return false;
        }
        while (b >= 0 && b != '\n') {
            line.write(b);
            b = in.read();
        }
        return true;
    }

    /** The line as text, or null if it is not valid UTF-8. */
    private static String decode(byte[] bytes, boolean first) {
        int start = first && bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB
                && (bytes[2] & 0xFF) == 0xBF ? 3 : 0; // a byte order mark some editors add
        int end = bytes.length > start && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            return decoder.decode(ByteBuffer.wrap(bytes, start, end - start)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return null;
        }
    }

    /** Where the first byte that is not UTF-8 is, to find it in an editor. */
    private static String firstBadByte(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CoderResult result = decoder.decode(in, CharBuffer.allocate(bytes.length + 1), true);
        if (!result.isError()) {
            result = decoder.flush(CharBuffer.allocate(1));
        }
        int at = in.position();
        return at < bytes.length ? String.format(Locale.ROOT, "byte 0x%02X at offset %d", bytes[at] & 0xFF, at)
                : "a truncated character at the end";
    }
}
