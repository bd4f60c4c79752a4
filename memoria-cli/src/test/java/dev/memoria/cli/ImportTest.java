package dev.memoria.cli;

import static dev.memoria.cli.CliTest.memoria;
import static org.assertj.core.api.Assertions.assertThat;

import dev.memoria.spi.Json;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code memoria import} of damaged and reordered copies of a real export: every intact record is
 * written, each bad line is reported by its own number, and the result does not depend on the order.
 */
class ImportTest {
    @TempDir
    Path dir;

    /**
     * The export of the demo plus an ENDED session: 1 header and 43 records (2 sessions, 7 runs, 27
     * events, 7 facts: the user's name and preference and a watermark per demo run).
     */
    private List<String> original;

    @BeforeEach
    void exportARealStore() throws Exception {
        String source = "sqlite:" + dir.resolve("source.db");
        assertThat(memoria("demo", "--store", source).code()).isZero();
        CliTest.endOneSessionWithAFailedRun(source);
        Path file = dir.resolve("original.jsonl");
        assertThat(memoria("export", "--store", source, "--out", file.toString()).code()).isZero();
        original = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertThat(original).hasSize(44);
    }

    private static Map<String, Object> record(String line) {
        return Json.parseObject(line);
    }

    private static String kind(String line) {
        return (String) record(line).get("kind");
    }

    /** Line indices (0-based, as in {@link #original}) of the events of the run on line {@code runIndex}. */
    private List<Integer> eventsOfRunAt(int runIndex) {
        String runId = (String) record(original.get(runIndex)).get("id");
        return IntStream.range(0, original.size()).filter(i -> kind(original.get(i)) != null
                && kind(original.get(i)).equals("event") && runId.equals(record(original.get(i)).get("runId"))).boxed().toList();
    }

    private List<Integer> runsWithAtLeast(int events) {
        return IntStream.range(1, original.size()).filter(i -> "run".equals(kind(original.get(i))))
                .filter(i -> eventsOfRunAt(i).size() >= events).boxed().toList();
    }

    private Path write(String name, List<String> lines) throws Exception {
        Path file = dir.resolve(name);
        Files.write(file, lines, StandardCharsets.UTF_8);
        return file;
    }

    /** What the target holds, as export lines. */
    private List<String> exported(String store) {
        CliTest.Result export = memoria("export", "--store", store);
        assertThat(export.code()).as(export.err()).isZero();
        return export.out().lines().toList();
    }

    private static List<String> without(List<String> lines, int... indices) {
        List<String> kept = new ArrayList<>(lines);
        for (int i = indices.length - 1; i >= 0; i--) {
            kept.remove(indices[i]);
        }
        return kept;
    }

    private static List<String> problems(CliTest.Result r) {
        return r.err().lines().filter(l -> l.startsWith("line")).toList();
    }

    @Test
    void aLineThatIsNotUtf8IsReportedByNumberAndEveryOtherRecordIsWritten() throws Exception {
        // the last event of two runs, so that no later event of the run moves to another sequence
        List<Integer> firstRun = eventsOfRunAt(runsWithAtLeast(4).get(0));
        List<Integer> secondRun = eventsOfRunAt(runsWithAtLeast(4).get(1));
        int first = firstRun.get(firstRun.size() - 1);
        int second = secondRun.get(secondRun.size() - 1);
        ByteArrayOutputStream damaged = new ByteArrayOutputStream();
        for (int i = 0; i < original.size(); i++) {
            byte[] line = original.get(i).getBytes(StandardCharsets.UTF_8);
            if (i == first) {
                line[40] = (byte) 0xFF;
            } else if (i == second) {
                line = java.util.Arrays.copyOf(line, line.length + 1);
                line[line.length - 1] = (byte) 0xE2; // the first byte of a three-byte character, cut short
            }
            damaged.write(line);
            damaged.write('\n');
        }
        Path file = dir.resolve("bad-utf8.jsonl");
        Files.write(file, damaged.toByteArray());
        String target = "sqlite:" + dir.resolve("target.db");

        CliTest.Result imported = memoria("import", file.toString(), "--store", target);
        assertThat(imported.code()).isEqualTo(Main.FAILED);
        int length = original.get(second).getBytes(StandardCharsets.UTF_8).length;
        assertThat(problems(imported)).containsExactly(
                "line " + (first + 1) + ": not valid UTF-8: byte 0xFF at offset 40 (nothing of it was written)",
                "line " + (second + 1) + ": not valid UTF-8: byte 0xE2 at offset " + length + " (nothing of it was written)");
        assertThat(imported.out()).isEqualTo("Imported " + file + " into " + target + ": 2 sessions, 7 runs, 25 events"
                + " written; 0 sessions, 0 runs, 0 events already present; 7 facts written, 0 already present;"
                + " 2 invalid records skipped.\n");
        assertThat(exported(target)).isEqualTo(without(original, first, second));

        CliTest.Result again = memoria("import", file.toString(), "--store", target);
        assertThat(again.code()).isEqualTo(Main.FAILED);
        assertThat(problems(again)).isEqualTo(problems(imported));
        assertThat(again.out()).contains("0 sessions, 0 runs, 0 events written; 2 sessions, 7 runs, 25 events already present");
        assertThat(exported(target)).isEqualTo(without(original, first, second));
    }

    @Test
    void aRepeatedEventLineIsAlreadyPresentAndTheSameKeyWithOtherContentIsReportedOnItsOwn() throws Exception {
        List<Integer> events = eventsOfRunAt(runsWithAtLeast(4).get(0));
        int repeated = events.get(1);
        String conflicting = original.get(events.get(2)).replace("\"data\":{", "\"data\":{\"edited\":true,");
        List<String> damaged = new ArrayList<>(original);
        damaged.add(repeated + 1, original.get(repeated)); // right after itself, in the same batch
        damaged.add(original.get(repeated)); // at the end, long after its run's batch was written
        damaged.add(events.get(2) + 2, conflicting); // after the original of that key (one line was added above it)
        Path file = write("repeated.jsonl", damaged);
        String target = "sqlite:" + dir.resolve("target.db");

        CliTest.Result imported = memoria("import", file.toString(), "--store", target);
        assertThat(imported.code()).isEqualTo(Main.FAILED);
        String key = (String) record(conflicting).get("key");
        String runId = (String) record(conflicting).get("runId");
        assertThat(problems(imported)).containsExactly("line " + (events.get(2) + 3) + ": event key '" + key + "' of run "
                + runId + " is on line " + (events.get(2) + 2) + " too, with other content (nothing of it was written)");
        assertThat(imported.out()).contains("2 sessions, 7 runs, 27 events written; 0 sessions, 0 runs, 2 events already"
                + " present; 7 facts written, 0 already present; 1 invalid record skipped.");
        assertThat(exported(target)).isEqualTo(original);

        List<String> onlyRepeats = new ArrayList<>(damaged);
        onlyRepeats.remove(conflicting);
        String clean = "sqlite:" + dir.resolve("clean.db");
        CliTest.Result repeats = memoria("import", write("repeats.jsonl", onlyRepeats).toString(), "--store", clean);
        assertThat(repeats.code()).as("an exact repeat is not an error: " + repeats.err()).isZero();
        assertThat(problems(repeats)).isEmpty();
        assertThat(exported(clean)).isEqualTo(original);

        CliTest.Result again = memoria("import", file.toString(), "--store", target);
        assertThat(again.out()).contains("0 sessions, 0 runs, 0 events written");
        assertThat(exported(target)).isEqualTo(original);
    }

    @Test
    void aBatchTheTargetRefusesIsWrittenEventByEventAndTheNextRecordIsUnharmed() throws Exception {
        int run = runsWithAtLeast(4).get(0);
        List<Integer> events = eventsOfRunAt(run);
        int session = IntStream.range(0, run).filter(i -> "session".equals(kind(original.get(i)))).max().orElseThrow();
        // the target already holds the run's first event key with other content: the run's batch is refused
        String otherFirst = original.get(events.get(0)).replace("\"data\":{", "\"data\":{\"other\":true,");
        String target = "sqlite:" + dir.resolve("target.db");
        assertThat(memoria("import", write("before.jsonl", List.of(original.get(0), original.get(session),
                original.get(run), otherFirst)).toString(), "--store", target).code()).isZero();

        CliTest.Result imported = memoria("import", write("intact.jsonl", original).toString(), "--store", target);
        assertThat(imported.code()).isEqualTo(Main.FAILED);
        assertThat(problems(imported)).hasSize(1);
        assertThat(problems(imported).get(0)).startsWith("line " + (events.get(0) + 1) + ": the target refused it: ");
        assertThat(imported.out()).contains("1 session, 6 runs, 26 events written; 1 session, 1 run, 0 events already"
                + " present; 7 facts written, 0 already present; 1 invalid record skipped.");
        List<String> expected = new ArrayList<>(original);
        expected.set(events.get(0), otherFirst);
        assertThat(exported(target)).as("every intact event of the refused batch, and the run after it").isEqualTo(expected);
    }

    @Test
    void anEventTheTargetRefusesIsBlamedOnItsOwnLineNotOnTheNextOne() throws Exception {
        List<Integer> events = eventsOfRunAt(runsWithAtLeast(4).get(0));
        // a run's event under another session: the target refuses it (M10), and only it
        String intruder = original.get(events.get(1)).replaceFirst("\"sessionId\":\"[^\"]*\"", "\"sessionId\":\"closed\"")
                .replaceFirst("\"key\":\"[^\"]*\"", "\"key\":\"intruder\"");
        List<String> damaged = new ArrayList<>(original);
        damaged.add(events.get(1) + 1, intruder);
        String target = "sqlite:" + dir.resolve("target.db");

        CliTest.Result imported = memoria("import", write("intruder.jsonl", damaged).toString(), "--store", target);
        assertThat(imported.code()).isEqualTo(Main.FAILED);
        assertThat(problems(imported)).hasSize(1);
        assertThat(problems(imported).get(0)).startsWith("line " + (events.get(1) + 2) + ": the target refused it: ");
        assertThat(imported.out()).contains("2 sessions, 7 runs, 27 events written; 0 sessions, 0 runs, 0 events"
                + " already present; 7 facts written, 0 already present; 1 invalid record skipped.");
        assertThat(exported(target)).isEqualTo(original);
    }

    @Test
    void aRunBeforeItsSessionAndEventsBeforeTheirRunAreWrittenOnceTheParentArrives() throws Exception {
        int run = runsWithAtLeast(4).get(0);
        List<String> moved = new ArrayList<>(original);
        String runLine = moved.remove(run);
        moved.add(1, runLine); // before every session
        String target = "sqlite:" + dir.resolve("target.db");

        CliTest.Result imported = memoria("import", write("moved.jsonl", moved).toString(), "--store", target);
        assertThat(imported.code()).as(imported.err()).isZero();
        assertThat(problems(imported)).isEmpty();
        assertThat(imported.out()).contains("2 sessions, 7 runs, 27 events written");
        assertThat(exported(target)).isEqualTo(original);
        CliTest.Result again = memoria("import", write("moved.jsonl", moved).toString(), "--store", target);
        assertThat(again.code()).isZero();
        assertThat(again.out()).startsWith("Nothing new to import: every record of ");
    }

    @Test
    void theResultIsTheSameWhateverTheOrderOfTheRecords() throws Exception {
        List<String> records = original.subList(1, original.size());
        List<String> reversed = new ArrayList<>(records);
        Collections.reverse(reversed); // every child before its parent, each run's events backwards
        List<List<String>> orders = new ArrayList<>();
        orders.add(reversed);
        Random random = new Random(42);
        for (int n = 0; n < 5; n++) {
            orders.add(shuffledKeepingEachRunsEvents(records, random));
        }
        for (int n = 0; n < orders.size(); n++) {
            List<String> lines = new ArrayList<>();
            lines.add(original.get(0));
            lines.addAll(orders.get(n));
            assertThat(lines).isNotEqualTo(original).containsExactlyInAnyOrderElementsOf(original);
            Path file = write("order" + n + ".jsonl", lines);
            String target = "sqlite:" + dir.resolve("order" + n + ".db");
            CliTest.Result imported = memoria("import", file.toString(), "--store", target);
            assertThat(imported.code()).as("order " + n + ": " + imported.err()).isZero();
            assertThat(problems(imported)).isEmpty();
            assertThat(imported.out()).contains("2 sessions, 7 runs, 27 events written");
            assertThat(exported(target)).as("order " + n).isEqualTo(original);
            assertThat(memoria("import", file.toString(), "--store", target).out()).as("a second import writes nothing")
                    .contains("0 sessions, 0 runs, 0 events written");
        }
    }

    /** A random order of all records, except that the events of one run keep their order among themselves. */
    private static List<String> shuffledKeepingEachRunsEvents(List<String> records, Random random) {
        List<String> shuffled = new ArrayList<>(records);
        Collections.shuffle(shuffled, random);
        Map<Object, List<String>> eventsByRun = new LinkedHashMap<>();
        for (String line : records) {
            if ("event".equals(kind(line))) {
                eventsByRun.computeIfAbsent(record(line).get("runId"), r -> new ArrayList<>()).add(line);
            }
        }
        Map<Object, Integer> next = new LinkedHashMap<>();
        for (int i = 0; i < shuffled.size(); i++) {
            if ("event".equals(kind(shuffled.get(i)))) {
                Object runId = record(shuffled.get(i)).get("runId");
                int k = next.merge(runId, 1, Integer::sum) - 1;
                shuffled.set(i, eventsByRun.get(runId).get(k));
            }
        }
        return shuffled;
    }

    @Test
    void aFileWithoutRecordsSaysSoAndWritesNothing() throws Exception {
        String target = "sqlite:" + dir.resolve("target.db");
        Path empty = write("empty.jsonl", List.of());
        CliTest.Result none = memoria("import", empty.toString(), "--store", target);
        assertThat(none.code()).isZero();
        assertThat(none.out()).isEqualTo("Nothing to import: " + empty + " holds no records.\n");
        Path headerOnly = write("header.jsonl", List.of(original.get(0)));
        assertThat(memoria("import", headerOnly.toString(), "--store", target).out())
                .isEqualTo("Nothing to import: " + headerOnly + " holds no records.\n");
        assertThat(memoria("import", write("full.jsonl", original).toString(), "--store", target).out())
                .contains("2 sessions, 7 runs, 27 events written");
        assertThat(memoria("import", headerOnly.toString(), "--store", target).out()).as("not 'everything is already in'")
                .isEqualTo("Nothing to import: " + headerOnly + " holds no records.\n");
    }
}
