package dev.memoria.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memoria.Stores;
import dev.memoria.memory.Event;
import dev.memoria.memory.EventType;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.run.Run;
import dev.memoria.run.RunFilter;
import dev.memoria.run.RunStatus;
import dev.memoria.runtime.Agent;
import dev.memoria.runtime.AgentRuntime;
import dev.memoria.runtime.Approval;
import dev.memoria.runtime.RunResult;
import dev.memoria.runtime.Suspension;
import dev.memoria.session.Session;
import dev.memoria.testservers.Snippets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps the README's "Durable runs" code compiling and true, and shows what A5–A8 promise across
 * processes: two runtimes over two separately opened stores on one SQLite file share nothing but
 * the file, yet the second continues what the first paused.
 */
class DurableRunsExampleTest {
    @TempDir
    Path dir;

    @Test
    void theReadmesDurableRunsCompileRunAndAreTheSameCode() {
        Path file = dir.resolve("agent.db");
        Optional<Suspension> waitingFor;
        Optional<String> reply;
        List<Run> children;
        // durable:start
        Agent mailer = Agent.of("mailer", turn -> {
            if (turn.approval().isEmpty()) {  // first half: ask
                RunResult draft = turn.delegate(Agent.of("writer", t -> t.say("Deploy 42 is live.")), "draft it");
                throw turn.requestApproval(Event.toolCall("mail-1", "send_mail",
                        Map.of("to", "ops@example.com", "body", draft.reply().orElse(""))));
            }
            if (turn.approval().get().granted()) {  // second half: act
                turn.emit(Event.toolResult("mail-1", "send_mail", "sent", false));
                turn.say("Sent.");
            } else {
                turn.say("Not sent: " + turn.approval().get().reason());
            }
        });

        // one process: the run pauses, and nothing of it stays in memory
        String runId;  // all the other process needs
        try (Stores stores = JdbcStores.sqlite(file)) {
            AgentRuntime rt = AgentRuntime.create(stores);
            Session s = rt.startSession("ops-7", "ada");
            RunResult paused = rt.run(s.id(), mailer, "Tell ops that deploy 42 is done");
            runId = paused.run().id();  // PAUSED
            waitingFor = paused.suspension();  // APPROVAL of send_mail
        }

        // another process, any time later: a person decides
        try (Stores stores = JdbcStores.sqlite(file)) {
            AgentRuntime rt = AgentRuntime.create(stores);
            RunResult done = rt.resume(runId, mailer, Approval.grant("ada"));
            reply = done.reply();  // Optional[Sent.]
            children = rt.stores().runs().list(RunFilter.all().parentRunId(runId)).items();  // the writer's
        }
        // durable:end
        assertThat(waitingFor.orElseThrow().isApproval()).isTrue();
        assertThat(waitingFor.get().data()).containsEntry("tool", "send_mail")
                .containsEntry("arguments", Map.of("to", "ops@example.com", "body", "Deploy 42 is live."));
        assertThat(reply).contains("Sent.");
        assertThat(children).hasSize(1);
        assertThat(children.get(0).status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(children.get(0).agentId()).isEqualTo("writer");
        try (Stores stores = JdbcStores.sqlite(file)) {
            assertThat(stores.memory().load(children.get(0).ref()).events()).extracting(MemoryEvent::text)
                    .containsExactly("draft it", "Deploy 42 is live.");
            List<MemoryEvent> log = stores.memory().load(stores.runs().get(runId).orElseThrow().ref()).events();
            assertThat(log).extracting(MemoryEvent::type).containsExactly(EventType.USER_MESSAGE, EventType.TOOL_CALL,
                    EventType.SUSPENDED, EventType.RESUMED, EventType.APPROVAL, EventType.TOOL_RESULT,
                    EventType.ASSISTANT_MESSAGE);
            assertThat(log.get(4).data()).containsEntry("granted", true).containsEntry("by", "ada");
            assertThat(stores.runs().get(runId).orElseThrow().status()).isEqualTo(RunStatus.COMPLETED);
        }

        String source = Snippets.moduleFile("src/test/java/dev/memoria/jdbc/DurableRunsExampleTest.java");
        assertThat(Snippets.inReadme(Snippets.readme(), "durable"))
                .isEqualTo(Snippets.inSource(source, "durable")
                        .replace("JdbcStores.sqlite(file)", "JdbcStores.sqlite(Path.of(\"agent.db\"))")
                        .replace("waitingFor = ", "Optional<Suspension> waitingFor = ")
                        .replace("reply = ", "Optional<String> reply = ")
                        .replace("children = ", "List<Run> children = "));
    }
}
