package dev.memoria.integration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memoria.Stores;
import dev.memoria.fact.Fact;
import dev.memoria.fact.FactExtractor;
import dev.memoria.fact.FactMatch;
import dev.memoria.fact.FactQuery;
import dev.memoria.fact.FactSource;
import dev.memoria.fact.FactStore;
import dev.memoria.fact.Namespace;
import dev.memoria.fact.NewFact;
import dev.memoria.jdbc.JdbcStores;
import dev.memoria.memory.EventType;
import dev.memoria.runtime.Agent;
import dev.memoria.runtime.AgentRuntime;
import dev.memoria.runtime.RunResult;
import dev.memoria.testservers.Snippets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keeps the README's "Long-term memory" code compiling and true. */
class LongTermMemoryExampleTest {
    @TempDir
    Path dir;

    @Test
    void theReadmesLongTermMemoryCompilesRunsAndIsTheSameCode() {
        Path file = dir.resolve("agent.db");
        RunResult r;
        List<FactMatch> drinks;
        List<Fact> history;
        FactSource from;
        // facts:start
        try (Stores stores = JdbcStores.sqlite(file)) {
            FactExtractor names = FactExtractor.of("names", (session, events) -> events.stream()  // yours: a model call
                    .filter(e -> e.type() == EventType.USER_MESSAGE && e.text().startsWith("My name is "))
                    .map(e -> NewFact.builder(Namespace.of("users", session.userId()), e.text())
                            .key("name").source(e.run(), e.sequence()).build())
                    .toList());
            AgentRuntime rt = AgentRuntime.builder(stores)
                    .extractor(names)  // learns after each completed run
                    .build();
            rt.startSession("monday", "ada");
            rt.run("monday", Agent.of("echo", turn -> turn.say("Nice to meet you")), "My name is Ada");

            rt.startSession("tuesday", "ada");  // another session, days later, maybe in another process
            r = rt.run("tuesday", Agent.of("greeter", turn -> turn.say(turn.recall("name").stream().findFirst()
                    .map(m -> "Welcome back! " + m.fact().text()).orElse("Hello!"))), "Hi");  // "Welcome back! My name is Ada"

            FactStore facts = stores.facts();
            Namespace ada = Namespace.of("users", "ada");
            facts.put(NewFact.builder(ada, "Ada prefers green tea").key("drink").build());
            facts.put(NewFact.builder(ada, "Ada prefers coffee now").key("drink").build());  // supersedes the tea
            drinks = facts.search(FactQuery.in(ada).text("prefers")).items();  // the coffee: current facts only
            history = facts.history(ada, "drink");  // the tea, then the coffee
            from = facts.search(FactQuery.in(ada).key("name")).first().orElseThrow().fact().source();  // monday's run, event 1
        }
        // facts:end
        assertThat(r.events().get(r.events().size() - 1).text()).isEqualTo("Welcome back! My name is Ada");
        assertThat(drinks).extracting(m -> m.fact().text()).containsExactly("Ada prefers coffee now");
        assertThat(history).extracting(Fact::text).containsExactly("Ada prefers green tea", "Ada prefers coffee now");
        assertThat(history.get(0).validTo()).isEqualTo(history.get(1).validFrom());
        assertThat(from.run().sessionId()).isEqualTo("monday");
        assertThat(from.sequence()).isEqualTo(1);

        String source = Snippets.moduleFile("src/test/java/dev/memoria/integration/LongTermMemoryExampleTest.java");
        assertThat(Snippets.inReadme(Snippets.readme(), "facts"))
                .isEqualTo(Snippets.inSource(source, "facts")
                        .replace("JdbcStores.sqlite(file)", "JdbcStores.sqlite(Path.of(\"agent.db\"))")
                        .replace("r = ", "RunResult r = ")
                        .replace("drinks = ", "List<FactMatch> drinks = ")
                        .replace("history = ", "List<Fact> history = ")
                        .replace("from = ", "FactSource from = "));
    }
}
