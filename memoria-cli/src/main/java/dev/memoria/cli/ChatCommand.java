package dev.memoria.cli;

import dev.memoria.Stores;
import dev.memoria.runtime.AgentRuntime;
import dev.memoria.runtime.RunResult;
import dev.memoria.session.Session;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * An interactive prompt with the example agent; Ctrl-D ends it. A run that pauses (asked to save
 * to the notes, the agent waits for an approval) stays PAUSED: the prompt says how to continue it
 * with {@code memoria resume}, from another terminal or later, and takes the next message.
 */
@Command(name = "chat", description = {"Chat with the example agent; Ctrl-D ends. Resume later with --session.",
    "Tell it 'my name is ...', 'I live in ...' or 'I prefer ...': it keeps them as facts about you and recalls them"
        + " when you greet it, in any later session.",
    "Ask it to save an answer to your notes and the run pauses for your approval: continue it from another terminal"
        + " with memoria resume (memoria runs lists paused runs)."})
final class ChatCommand implements Callable<Integer> {
    /** The shared options (--store, --verbose), given before or after the command's name. */
    @ParentCommand
    Main main;

    @Option(names = "--session", paramLabel = "ID", description = "the session to continue (default: a new one)")
    String session;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** Where the user's lines come from; tests replace it. */
    static java.io.InputStream input = System.in;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        try (Stores stores = main.store.open()) {
            // the demo's runtime: it learns the user's name, city and preferences, and recalls them when greeted
            AgentRuntime runtime = DemoCommand.runtime(stores, out);
            Session s = runtime.startSession(session, System.getProperty("user.name"));
            out.println("Session " + s.id() + " (" + DemoCommand.earlier(runtime, s.id()) + ")."
                    + " Type a message; Ctrl-D ends.");
            BufferedReader in = new BufferedReader(new InputStreamReader(input, StandardCharsets.UTF_8));
            while (true) {
                out.print("you> ");
                out.flush();
                String line = in.readLine();
                if (line == null) {
                    break;
                }
                if (line.isBlank()) {
                    continue;
                }
                RunResult result = runtime.run(s.id(), new CalculatorAgent(), line);
                if (result.paused()) {
                    Runs.printOutcome(out, result);
                    Runs.printHowToContinue(out, result.run().id(), result.suspension().get(), main.store,
                            "from another terminal, or after this chat,");
                }
            }
            out.println();
            out.println("Resume with: ./memoria chat --session " + s.id() + main.store.option());
        }
        return 0;
    }
}
