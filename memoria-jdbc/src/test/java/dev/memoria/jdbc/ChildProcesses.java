package dev.memoria.jdbc;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Starts {@link CrashAppender} in a child JVM with this JVM's class path. */
final class ChildProcesses {
    private ChildProcesses() {
    }

    static Process start(List<String> args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(CrashAppender.class.getName());
        command.addAll(args);
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    static BufferedReader stdout(Process p) {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    }

    /** One acknowledged append: its sequence and the child's event index. */
    record Ack(long sequence, long index) {
        static Ack parse(String line) {
            String[] parts = line.split(" ");
            return new Ack(Long.parseLong(parts[1]), Long.parseLong(parts[2]));
        }
    }
}
