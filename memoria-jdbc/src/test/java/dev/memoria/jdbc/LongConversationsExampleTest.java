package dev.memoria.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memoria.Stores;
import dev.memoria.context.CompactionPolicy;
import dev.memoria.context.Context;
import dev.memoria.context.Summarizer;
import dev.memoria.context.View;
import dev.memoria.memory.EventType;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.runtime.Agent;
import dev.memoria.runtime.AgentRuntime;
import dev.memoria.session.Session;
import dev.memoria.testservers.Snippets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keeps the README's "Long conversations" code compiling and true. */
class LongConversationsExampleTest {
    @TempDir
    Path dir;

    @Test
    void theReadmesLongConversationsCompileRunAndAreTheSameCode() {
        Path file = dir.resolve("agent.db");
        List<MemoryEvent> seen;
        List<MemoryEvent> rewound;
        List<MemoryEvent> forked;
        long everything;
        // long:start
        try (Stores stores = JdbcStores.sqlite(file)) {
            Summarizer summarizer = Summarizer.of("initials", (previous, events) ->  // yours: a model call
                    previous.orElse("") + events.stream().map(e -> e.text().substring(0, 1)).collect(Collectors.joining()));
            AgentRuntime rt = AgentRuntime.builder(stores)
                    .compaction(summarizer, CompactionPolicy.afterTurns(4, 2))  // it compacts on its own
                    .build();
            Session s = rt.startSession("support-42", "ada");
            Agent echo = Agent.of("echo", turn -> turn.say("Echo: " + turn.input()));
            for (String question : List.of("Alpha?", "Bravo?", "Charlie?", "Delta?", "Echo?")) {
                rt.run(s.id(), echo, question);
            }
            Context context = Context.of(stores);
            View view = context.view(s.id(), 50);  // the summary first, then what came after it
            seen = view.events();  // SUMMARY "AEBECE", then Delta?, Echo: Delta?, Echo?, Echo: Echo?

            MemoryEvent delta = view.unsummarized().get(0);
            context.rewind(s.id(), delta);  // forget what came after Delta?
            rewound = context.view(s.id(), 50).events();  // SUMMARY, Delta?

            context.fork(s.id(), delta, "support-42-b");  // another way on from Delta?: nothing is copied
            forked = context.view("support-42-b", 50).events();  // SUMMARY, Delta?
            everything = stores.memory().load(delta.run()).events().size();  // the originals all stay
        }
        // long:end
        assertThat(seen).extracting(MemoryEvent::text).containsExactly("AEBECE", "Delta?", "Echo: Delta?", "Echo?", "Echo: Echo?");
        assertThat(seen.get(0).type()).isEqualTo(EventType.SUMMARY);
        assertThat(rewound).extracting(MemoryEvent::text).containsExactly("AEBECE", "Delta?");
        assertThat(forked).extracting(MemoryEvent::text).containsExactly("AEBECE", "Delta?");
        assertThat(everything).isEqualTo(2);
        try (Stores stores = JdbcStores.sqlite(file)) {
            assertThat(stores.memory().read(dev.memoria.memory.EventQuery.session("support-42")
                    .types(EventType.USER_MESSAGE).limit(100)).items()).as("every question stays in the log").hasSize(5);
        }

        String source = Snippets.moduleFile("src/test/java/dev/memoria/jdbc/LongConversationsExampleTest.java");
        assertThat(Snippets.inReadme(Snippets.readme(), "long"))
                .isEqualTo(Snippets.inSource(source, "long")
                        .replace("JdbcStores.sqlite(file)", "JdbcStores.sqlite(Path.of(\"agent.db\"))")
                        .replace("seen = ", "List<MemoryEvent> seen = ")
                        .replace("rewound = ", "List<MemoryEvent> rewound = ")
                        .replace("forked = ", "List<MemoryEvent> forked = ")
                        .replace("everything = ", "long everything = "));
    }
}
