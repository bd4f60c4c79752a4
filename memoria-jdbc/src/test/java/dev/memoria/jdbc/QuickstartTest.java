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
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import dev.memoria.testservers.Snippets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keeps the README's quickstart compiling and true: the code below is the README's, line for line. */
class QuickstartTest {
    @TempDir
    Path dir;

    @Test
    void theReadmeQuickstartCompilesRunsAndIsTheSameCode() {
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

        String source = Snippets.moduleFile("src/test/java/dev/memoria/jdbc/QuickstartTest.java");
        assertThat(Snippets.inReadme(Snippets.readme(), "quickstart"))
                .isEqualTo(Snippets.inSource(source, "quickstart")
                        .replace("JdbcStores.sqlite(agentDb)", "JdbcStores.sqlite(Path.of(\"agent.db\"))")
                        .replace("recent = ", "List<MemoryEvent> recent = ")
                        .replace("history = ", "List<MemoryEvent> history = "));
    }
}
