package dev.memoria.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real {@code ./memoria} launcher, from the repository root, as a user runs it. */
class LauncherIT {
    private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();

    @TempDir
    Path dir;

    private static String run(Path workDir, List<String> command, int expectedExit) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(output).isEqualTo(expectedExit);
        return output;
    }

    @Test
    void theLauncherRunsTheDemoTwiceAndTheSecondRunRemembersTheFirst() throws Exception {
        String launcher = ROOT.resolve("memoria").toString();
        String first = run(dir, List.of(launcher, "demo"), 0);
        assertThat(first).contains("Starting session demo in sqlite:./memoria.db", "agent> 12 * (3 + 4) = 84");
        assertThat(dir.resolve("memoria.db")).exists();
        String second = run(dir, List.of(launcher, "demo"), 0);
        assertThat(second).contains("Resuming session demo with 10 earlier messages");
        assertThat(run(dir, List.of(launcher, "show", "nope"), 1)).startsWith("memoria: no session 'nope'");
        assertThat(run(dir, List.of(launcher, "--no-such-option"), 2)).contains("Unknown option");
    }
}
