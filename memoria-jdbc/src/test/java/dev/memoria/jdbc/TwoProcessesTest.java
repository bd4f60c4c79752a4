package dev.memoria.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memoria.Stores;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.run.RunRef;
import java.io.BufferedReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two processes appending to one run in one SQLite file at once: no error, no gap, no duplicate. */
class TwoProcessesTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("M5 across processes: two JVMs appending to one SQLite run queue for the writer lock and leave a gap-free log")
    void m5_twoProcessesAppendToOneSqliteRunWithoutGapOrDuplicate() throws Exception {
        Path file = dir.resolve("shared.db");
        JdbcStores.sqlite(file).close(); // migrate once, so the children race on appends only
        int perProcess = 300;
        List<Process> children = new ArrayList<>();
        List<BufferedReader> outputs = new ArrayList<>();
        for (String tag : List.of("left", "right")) {
            Process child = ChildProcesses.start(List.of("sqlite", file.toString(), "shared-run", tag,
                    Integer.toString(perProcess), "gated"));
            children.add(child);
            BufferedReader out = ChildProcesses.stdout(child);
            assertThat(out.readLine()).isEqualTo("ready");
            outputs.add(out);
        }
        for (Process child : children) { // both are open and waiting: release them together
            child.getOutputStream().write("go\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            child.getOutputStream().flush();
        }
        for (int c = 0; c < children.size(); c++) {
            try (BufferedReader out = outputs.get(c)) {
                long acks = out.lines().filter(l -> l.startsWith("ack ")).count();
                assertThat(acks).isEqualTo(perProcess);
            }
            assertThat(children.get(c).waitFor(2, TimeUnit.MINUTES)).isTrue();
            assertThat(children.get(c).exitValue()).as("child exit code").isZero();
        }
        try (Stores stores = JdbcStores.sqlite(file)) {
            List<MemoryEvent> events = stores.memory().load(new RunRef("crash-session", "agent", "shared-run")).events();
            assertThat(events).hasSize(2 * perProcess);
            for (int i = 0; i < events.size(); i++) {
                assertThat(events.get(i).sequence()).isEqualTo(i + 1);
            }
            for (String tag : List.of("left", "right")) {
                List<Long> order = events.stream().filter(e -> tag.equals(e.data().get("tag")))
                        .map(e -> (Long) e.data().get("i")).toList();
                assertThat(order).hasSize(perProcess).isSorted();
            }
            assertThat(events.stream().map(MemoryEvent::key).distinct().count()).isEqualTo(2L * perProcess);
            long switches = 0;
            for (int i = 1; i < events.size(); i++) {
                switches += events.get(i).data().get("tag").equals(events.get(i - 1).data().get("tag")) ? 0 : 1;
            }
            assertThat(switches).as("times the log goes from one process's events to the other's: the two appended"
                    + " at the same time, not one after the other").isGreaterThanOrEqualTo(3);
        }
    }
}
