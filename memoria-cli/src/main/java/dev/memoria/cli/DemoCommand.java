package dev.memoria.cli;

import dev.memoria.Stores;
import dev.memoria.memory.EventType;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.run.Run;
import dev.memoria.runtime.Agent;
import dev.memoria.runtime.AgentRuntime;
import dev.memoria.runtime.Approval;
import dev.memoria.runtime.RunResult;
import dev.memoria.runtime.RunListener;
import dev.memoria.session.Session;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Runs the example agent through a short scripted conversation, continuing it on every run. One
 * step asks the agent to save its answer to the user's notes, a tool that needs approval: that run
 * pauses (A7), the demo approves it on the next line, in the user's name, and resumes it through
 * {@link AgentRuntime#resume(String, Agent, Approval)}, as another process would.
 */
@Command(name = "demo", description = {"Run the example agent through a short conversation (run it twice: it remembers).",
    "It learns facts about its user from what they say (name, city, preferences) and recalls them when greeted, in this"
        + " session or another one of the same user (--session).",
    "One run pauses for an approval, which the demo gives itself; to pause and continue a run from another"
        + " terminal, use chat, then memoria runs and memoria resume."})
final class DemoCommand implements Callable<Integer> {
    static final String SESSION = "demo";
    /** The demo session's user, who approves the notes tool. */
    static final String USER = "demo-user";
    private static final List<String> SCRIPT = List.of(
            "Hello! My name is Ada and I prefer green tea. What can you do?",
            "What is 12 * (3 + 4)?",
            "And what is 2 ^ 10 / 8?",
            "Save the answer to my notes.",
            "What have I asked you so far?");

    /** The shared options (--store, --verbose), given before or after the command's name. */
    @ParentCommand
    Main main;

    @Option(names = "--session", description = "the session to continue (default: ${DEFAULT-VALUE})", defaultValue = SESSION)
    String session;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Stores stores = main.store.open()) {
            AgentRuntime runtime = runtime(stores, out);
            boolean existed = stores.sessions().get(session).isPresent();
            Session s = runtime.startSession(session, USER);
            if (existed) {
                out.printf("Resuming session %s with %s, stored in %s.%n%n", s.id(), earlier(runtime, s.id()), main.store.shown());
            } else {
                out.printf("Starting session %s in %s.%n%n", s.id(), main.store.shown());
            }
            Agent agent = new CalculatorAgent();
            for (String line : SCRIPT) {
                out.println("you> " + line);
                RunResult result = runtime.run(s.id(), agent, line);
                Runs.printOutcome(out, result);
                if (result.paused() && result.suspension().get().isApproval()) {
                    // what a person does in another terminal with: memoria resume RUN --approve
                    out.println("approve> yes (by " + USER + ")");
                    result = runtime.resume(result.run().id(), agent, Approval.grant(USER));
                    Runs.printOutcome(out, result);
                }
                out.println();
            }
            List<Run> runs = stores.runs().listBySession(s.id());
            long events = runs.stream().mapToLong(r -> Listings.eventCount(stores, r)).sum();
            out.printf("Stored in %s: session %s, %d runs, %d events.%n", main.store.shown(), s.id(), runs.size(), events);
            String store = main.store.option(); // the hints read the store the demo wrote to
            String namespace = DemoFacts.namespace(s).path();
            dev.memoria.fact.FactStore facts = Transfer.factStore(stores);
            if (facts != null) {
                List<String> learned = facts.search(dev.memoria.fact.FactQuery.in(DemoFacts.namespace(s)).limit(100)).items()
                        .stream().map(m -> m.fact().key() == null ? "-" : m.fact().key()).sorted().toList();
                out.println(Render.wrap("", "Long-term facts about " + s.userId() + ": " + Render.count(learned.size(), "fact")
                        + (learned.isEmpty() ? "" : " (" + String.join(", ", learned) + ")") + ".", 79));
            }
            out.println("Run ./memoria demo" + store + " again and the agent will remember this conversation.");
            if (facts != null) {
                out.println("Start another session of " + s.userId() + " and it recalls the facts:");
                out.println("  ./memoria demo --session " + s.id() + "-2" + store);
            }
            out.println("Look inside with:");
            out.println("  ./memoria sessions" + store);
            out.println("  ./memoria show " + s.id() + store);
            out.println("  ./memoria view " + s.id() + store);
            out.println("  ./memoria events " + runs.get(runs.size() - 1).id() + store);
            if (facts != null) {
                out.println("  ./memoria facts list --namespace " + Usage.quote(namespace) + store);
            }
            out.println("  ./memoria stats" + store);
        }
        return 0;
    }

    /**
     * The demo's runtime, and chat's: printing each event, and learning facts with
     * {@link DemoFacts#extractor()} when the stores keep facts (without a fact store the agent learns
     * and recalls nothing).
     */
    static AgentRuntime runtime(Stores stores, PrintWriter out) {
        AgentRuntime.Builder builder = AgentRuntime.builder(stores).listener(printing(out));
        if (Transfer.factStore(stores) != null) {
            builder.extractor(DemoFacts.extractor());
        }
        return builder.build();
    }

    /**
     * What the agent will be given of a session's past: "4 earlier messages", or after a
     * compaction "a summary and 2 earlier messages" (the history is the session's view, C2).
     */
    static String earlier(AgentRuntime runtime, String sessionId) {
        List<MemoryEvent> history = runtime.history(sessionId, 1000);
        boolean summary = !history.isEmpty() && history.get(0).type() == EventType.SUMMARY;
        long messages = history.size() - (summary ? 1 : 0);
        return (summary ? "a summary and " : "") + messages + " earlier message" + (messages == 1 ? "" : "s");
    }

    /**
     * Prints each event as it is stored (A10): the agent's replies as chat lines, everything else
     * as the event's one-line rendering, a child run's events indented under its parent's.
     */
    static RunListener printing(PrintWriter out) {
        return new RunListener() {
            @Override
            public void onEvent(Run run, MemoryEvent stored) {
                if (stored.type() == EventType.USER_MESSAGE && run.parentRunId() == null) {
                    return; // the command printed it as "you> "
                }
                String indent = run.parentRunId() == null ? "" : "    ";
                boolean said = stored.type() == EventType.ASSISTANT_MESSAGE && stored.textIfAny().isPresent()
                        && run.parentRunId() == null;
                out.println(said ? Render.wrap("agent> ", stored.textIfAny().get(), 79)
                        : "     " + indent + Render.event(stored, 74 - indent.length()));
                out.flush();
            }
        };
    }
}
