package dev.memoria.cli;

import dev.memoria.Stores;
import dev.memoria.memory.Event;
import dev.memoria.run.Run;
import dev.memoria.run.RunStatus;
import dev.memoria.runtime.Agent;
import dev.memoria.runtime.AgentRuntime;
import dev.memoria.runtime.Approval;
import dev.memoria.runtime.RunResult;
import dev.memoria.runtime.Suspension;
import dev.memoria.session.Session;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * Continues a PAUSED run of the example agent ({@link CalculatorAgent}) in this process, wherever
 * and whenever it paused (A6, A7): with a decision for a run waiting for an approval, with a text
 * for one waiting for an answer. Prints the resumed events as the demo does. A run that is not
 * paused, a decision where a text is awaited (or the other way round), and a run of another agent
 * are refused as bad usage (exit code 2) before anything is written.
 */
@Command(name = "resume", description = {"Continue a PAUSED run of the example agent, wherever and whenever it paused.",
    "For an approval: --approve or --deny REASON; for an answer: --input TEXT.",
    "Prints what the run does next. List paused runs with: memoria runs"})
final class ResumeCommand implements Callable<Integer> {
    /** The shared options (--store, --verbose), given before or after the command's name. */
    @ParentCommand
    Main main;

    @Parameters(paramLabel = "RUN", description = "the paused run's id")
    String runId;

    @ArgGroup(exclusive = true, multiplicity = "1")
    How how;

    /** What the run gets: exactly one of a text, a grant, a denial. */
    static final class How {
        @Option(names = "--input", paramLabel = "TEXT", description = "the answer the run waits for")
        String input;

        @Option(names = "--approve", description = "approve the tool call the run waits for: the agent runs it")
        boolean approve;

        @Option(names = "--deny", paramLabel = "REASON", description = "deny it, saying why: the agent goes on without it")
        String deny;
    }

    @Option(names = "--by", paramLabel = "NAME", description = "who decides, stored with the decision"
            + " (default: your OS user name, ${sys:user.name})")
    String by;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Approval decision = decision();
        if (how.input != null) {
            if (how.input.isBlank()) {
                throw new ParameterException(spec.commandLine(), "--input: must not be blank");
            }
            try {
                Event.userMessage(how.input);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--input: " + e.getMessage().replaceFirst("^text: ", ""));
            }
        }
        try (Stores stores = main.store.openExisting()) {
            AgentRuntime runtime = AgentRuntime.builder(stores).listener(DemoCommand.printing(out)).build();
            Agent agent = new CalculatorAgent();
            Run run = Runs.existing(stores, runId, main.store);
            Suspension suspension = resumable(stores, runtime, run, agent);
            if (suspension.isApproval() && decision == null) {
                throw usage("run " + run.id() + " waits for " + Render.waitingFor(suspension)
                        + ", not for a text: resume it with --approve or --deny REASON");
            }
            if (!suspension.isApproval() && decision != null) {
                throw usage("run " + run.id() + " waits for " + Render.waitingFor(suspension)
                        + ", not for an approval: resume it with --input TEXT");
            }
            out.println("Resuming run " + run.id() + " of session " + run.sessionId() + ",");
            out.println("waiting for " + Render.shorten(Render.waitingFor(suspension), 66) + ".");
            out.println();
            RunResult result;
            if (decision == null) {
                out.println("you> " + how.input);
                result = runtime.resume(run.id(), agent, how.input);
            } else {
                out.println(decision.granted() ? "approve> yes (by " + decision.by() + ")"
                        : "approve> no" + (decision.reason().isEmpty() ? "" : ": " + decision.reason()) + " (by "
                                + decision.by() + ")");
                result = runtime.resume(run.id(), agent, decision);
            }
            Runs.printOutcome(out, result);
            if (result.paused()) {
                Runs.printHowToContinue(out, result.run().id(), result.suspension().get(), main.store, "now or later");
            }
        }
        return 0;
    }

    /** The decision the options give, checked before anything is opened; null for --input. */
    private Approval decision() {
        if (how.input != null) {
            if (by != null) {
                throw new ParameterException(spec.commandLine(), "--by: goes with --approve or --deny, not with --input");
            }
            return null;
        }
        String who = by != null ? by : System.getProperty("user.name", "");
        String option = by != null ? "--by" : "--by (your OS user name, the default)";
        try {
            return how.approve ? Approval.grant(who) : Approval.deny(who, how.deny);
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            if (message.startsWith("reason: ")) {
                throw new ParameterException(spec.commandLine(), "--deny: " + message.substring("reason: ".length()));
            }
            throw new ParameterException(spec.commandLine(), option + ": " + message.replaceFirst("^by: ", ""));
        }
    }

    /**
     * What the run waits for, once it is sure the example agent can continue it: the run is the
     * agent's, PAUSED, in an active session, and its log says why it paused.
     */
    private Suspension resumable(Stores stores, AgentRuntime runtime, Run run, Agent agent) {
        if (!run.agentId().equals(agent.id())) {
            throw usage("run " + run.id() + " belongs to agent " + run.agentId() + ": memoria resume continues runs of the"
                    + " example agent (" + agent.id() + ") only; resume it from the application that runs " + run.agentId());
        }
        if (run.status() != RunStatus.PAUSED) {
            throw notPaused(run);
        }
        Session session = stores.sessions().get(run.sessionId()).orElse(null);
        if (session == null || !session.isActive()) {
            throw usage("run " + run.id() + " cannot be resumed: its session " + run.sessionId()
                    + (session == null ? " is gone" : " has ended") + " (end the run with: memoria cancel " + run.id()
                    + main.store.option() + ")");
        }
        return runtime.suspension(run.id()).orElseThrow(() -> {
            Run now = stores.runs().get(run.id()).orElse(run);
            if (now.status() != RunStatus.PAUSED) { // resumed or canceled since it was read
                return notPaused(now);
            }
            return new CliException("run " + run.id() + " is PAUSED but its log holds no suspension, so nothing says"
                    + " how to continue it (end it with: memoria cancel " + run.id() + main.store.option() + ")");
        });
    }

    private CliException notPaused(Run run) {
        return usage("run " + run.id() + " is " + run.status() + ", not PAUSED: there is nothing to resume"
                + " (list paused runs with: memoria runs" + main.store.option() + ")");
    }

    private static CliException usage(String message) {
        return new CliException.Usage(message, null);
    }
}
