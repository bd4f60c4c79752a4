package dev.memoria.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs the harness in a tiny configuration so that a broken benchmark fails the build. It asserts
 * only correctness (every section is produced and the harness's own self-checks of counts and
 * sequences pass), never timing: timing is what the full run in docs/benchmarks.md is for.
 */
class BenchSmokeTest {
    @Test
    void everyBenchmarkRunsAndChecksItsOwnResults() throws Exception {
        Bench.Config tiny = new Bench.Config(true, new int[] {10, 50}, 2, 5, 2, new int[] {10}, 2, 20, 20, 5,
                new int[] {1, 2}, 5,
                new Bench.P6(200, 2_000, 1, 2, 200, 2, 5, 1, 200, 1));
        String markdown = Bench.run(tiny, List.of("sqlite", "mongodb")).markdown();
        assertThat(markdown).contains("## P1", "## P2", "## P3", "## P4", "## P5", "## Concurrency", "## P6", "Targets missed")
                .contains("| SQLite | 10 |", "| SQLite | 50 |", "| MongoDB (in-process server) | 50 |")
                .contains("Spring AI saveAll", "latest(50) on a 17-event run")
                .contains("| SQLite | one shared run | 2 |");
    }
}
