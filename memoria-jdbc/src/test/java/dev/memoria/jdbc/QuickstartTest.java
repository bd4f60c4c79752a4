package dev.memoria.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memoria.Stores;
import dev.memoria.memory.Event;
import dev.memoria.memory.EventQuery;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.run.NewRun;
import dev.memoria.run.Run;
import dev.memoria.runtime.Agent;
import dev.memoria.runtime.AgentRuntime;
import dev.memoria.runtime.RunResult;
import dev.memoria.session.Session;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keeps the README's quickstart compiling and true: the code below is the README's, line for line. */
class QuickstartTest {
    @TempDir
    Path dir;

    @Test
    void theReadmeQuickstartCompilesRunsAndIsTheSameCode() throws IOException {
        Path previous = Path.of(System.getProperty("user.dir"));
        String printed;
        List<MemoryEvent> recent;
        List<MemoryEvent> history;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        java.io.PrintStream stdout = System.out;
        System.setOut(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        Path agentDb = dir.resolve("agent.db");
        try {
            // quickstart:start
            try (Stores stores = JdbcStores.sqlite(agentDb)) {
                AgentRuntime runtime = AgentRuntime.create(stores);
                Session session = runtime.startSession("support-42", "ada");
                Agent echo = Agent.of("echo", turn -> turn.say("You said: " + turn.input())); // yours: a model, tools
                RunResult result = runtime.run(session.id(), echo, "Hello!");
                System.out.println(result.reply().orElseThrow());                // You said: Hello!

                // or use the stores directly: an append costs the same however long the run is
                Run run = stores.runs().create(NewRun.of(session.id(), "my-agent"));
                stores.memory().append(run.ref(), List.of(
                        Event.userMessage("Find flights to Rome"),
                        Event.toolCall("call-1", "search_flights", Map.of("to", "FCO"))));
                recent = stores.memory().read(EventQuery.run(run.ref()).latest(20)).items();
                history = runtime.history(session.id(), 50);      // across runs and restarts
            }
            // quickstart:end
        } finally {
            System.setOut(stdout);
        }
        printed = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(printed).isEqualTo("You said: Hello!" + System.lineSeparator());
        assertThat(recent).hasSize(2);
        assertThat(history).extracting(MemoryEvent::text).containsExactly("Hello!", "You said: Hello!", "Find flights to Rome");

        Path root = previous.getParent();
        String readme = Files.readString(root.resolve("README.md"));
        String source = Files.readString(root.resolve("memoria-jdbc/src/test/java/dev/memoria/jdbc/QuickstartTest.java"));
        assertThat(block(readme, "<!-- quickstart:start -->", "<!-- quickstart:end -->"))
                .isEqualTo(block(source, "// quickstart:start", "// quickstart:end")
                        .replace("JdbcStores.sqlite(agentDb)", "JdbcStores.sqlite(Path.of(\"agent.db\"))")
                        .replace("recent = ", "List<MemoryEvent> recent = ")
                        .replace("history = ", "List<MemoryEvent> history = "));
    }

    /** The lines between two markers, without their common indentation and without code fences. */
    private static String block(String text, String start, String end) {
        String inner = text.substring(text.indexOf(start) + start.length(), text.indexOf(end));
        List<String> lines = Arrays.stream(inner.split("\n")).filter(l -> !l.isBlank() || true)
                .filter(l -> !l.strip().startsWith("```")).collect(Collectors.toList());
        while (!lines.isEmpty() && lines.get(0).isBlank()) {
            lines.remove(0);
        }
        while (!lines.isEmpty() && lines.get(lines.size() - 1).isBlank()) {
            lines.remove(lines.size() - 1);
        }
        int indent = lines.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        return lines.stream().map(l -> l.isBlank() ? "" : l.substring(indent)).collect(Collectors.joining("\n"));
    }
}
