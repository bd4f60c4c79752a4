package dev.memoria.cli;

import static dev.memoria.cli.CliTest.memoria;
import static org.assertj.core.api.Assertions.assertThat;

import dev.memoria.Stores;
import dev.memoria.memory.EventType;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.run.NewRun;
import dev.memoria.run.Run;
import dev.memoria.run.RunStatus;
import dev.memoria.runtime.Agent;
import dev.memoria.runtime.AgentRuntime;
import dev.memoria.runtime.Approval;
import dev.memoria.runtime.RunResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code runs}, {@code resume} and {@code cancel} on real SQLite files: runs paused in one
 * process (or one runtime) and continued in another, the way a user watches a run pause in one
 * terminal and continues it in a second.
 */
class RunsTest {
    @TempDir
    Path dir;

    /** A run of another agent, waiting for an external tool. */
    private static final Agent WORKER = Agent.of("worker", turn -> {
        throw turn.suspend("EXTERNAL_TOOL", Map.of("job", 7L));
    });

    private String store(String name) {
        return "sqlite:" + dir.resolve(name);
    }

    /** The ids of the runs this store is set up with. */
    record Setup(String approval, String question, String worker, String completed) {
    }

    /**
     * Session s1 (ada): a calculation, then a request to save it, paused for approval. Session
     * s2 (bob): a request to save with nothing to save, paused on a question; and a worker's run
     * paused on an external tool. Written in this JVM with the runtime, stores closed after.
     */
    private static Setup pausedRuns(String uri) {
        try (Stores stores = Stores.open(uri)) {
            AgentRuntime rt = AgentRuntime.create(stores);
            rt.startSession("s1", "ada");
            RunResult completed = rt.run("s1", new CalculatorAgent(), "what is 6 * 7");
            RunResult approval = rt.run("s1", new CalculatorAgent(), "Save the answer to my notes.");
            rt.startSession("s2", "bob");
            RunResult question = rt.run("s2", new CalculatorAgent(), "save something to my notes");
            RunResult worker = rt.run("s2", WORKER, "crunch");
            assertThat(List.of(approval, question, worker)).allMatch(RunResult::paused);
            return new Setup(approval.run().id(), question.run().id(), worker.run().id(), completed.run().id());
        }
    }

    private static Run run(String uri, String runId) {
        try (Stores stores = Stores.open(uri)) {
            return stores.runs().get(runId).orElseThrow();
        }
    }

    private static List<MemoryEvent> events(String uri, String runId) {
        try (Stores stores = Stores.open(uri)) {
            return stores.memory().load(stores.runs().get(runId).orElseThrow().ref()).events();
        }
    }

    private static List<MemoryEvent> approvals(String uri, String runId) {
        return events(uri, runId).stream().filter(e -> e.type() == EventType.APPROVAL).toList();
    }

    /** The first column of a listing's rows, below its header. */
    private static List<String> listed(String out) {
        return out.lines().skip(1).takeWhile(l -> !l.startsWith("Continue one with") && !l.startsWith("More: "))
                .map(l -> l.split("\\s+")[0]).toList();
    }

    @Test
    void runsListsPausedRunsWithWhatEachWaitsForItsSessionAgentAndWhenItPaused() {
        String uri = store("runs.db");
        Setup runs = pausedRuns(uri);
        CliTest.Result all = memoria("runs", "--store", uri);
        assertThat(all.code()).as(all.err()).isZero();
        List<String> lines = all.out().lines().toList();
        assertThat(lines.get(0)).matches("RUN +SESSION +AGENT +STATUS +PAUSED \\(UTC\\) +WAITING FOR");
        assertThat(listed(all.out())).as("newest first, the completed run left out")
                .containsExactly(runs.worker(), runs.question(), runs.approval());
        assertThat(lines.get(3)).startsWith(runs.approval()).contains(" s1 ", " calculator ", " PAUSED ")
                .matches(".* \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d .*")
                .endsWith("approval of notes {\"text\":\"6 * 7 = 42\"}");
        assertThat(lines.get(2)).startsWith(runs.question()).contains(" s2 ")
                .endsWith("QUESTION {\"question\":\"What should I save to your notes?\"}");
        assertThat(lines.get(1)).startsWith(runs.worker()).contains(" worker ").endsWith("EXTERNAL_TOOL {\"job\":7}");
        assertThat(lines.get(4)).isEqualTo("Continue one with: memoria resume RUN --approve | --deny REASON | --input TEXT"
                + " --store " + uri);

        assertThat(listed(memoria("runs", "--session", "s1", "--store", uri).out())).containsExactly(runs.approval());
        assertThat(listed(memoria("runs", "--agent", "worker", "--store", uri).out())).containsExactly(runs.worker());
        assertThat(listed(memoria("runs", "--order", "OLDEST_FIRST", "--store", uri).out()))
                .containsExactly(runs.approval(), runs.question(), runs.worker());
        CliTest.Result completed = memoria("runs", "--status", "COMPLETED", "--store", uri);
        assertThat(completed.out().lines().findFirst().orElseThrow()).contains("SINCE (UTC)", "DETAIL");
        assertThat(listed(completed.out())).containsExactly(runs.completed());
        assertThat(listed(memoria("runs", "--status", "COMPLETED,PAUSED", "--session", "s1", "--store", uri).out()))
                .containsExactly(runs.approval(), runs.completed());
        assertThat(memoria("runs", "--session", "nope", "--store", uri).out())
                .isEqualTo("No paused runs of session nope in " + uri + ".\n");
        assertThat(memoria("runs", "--status", "FAILED,CANCELED", "--store", uri).out())
                .startsWith("No failed or canceled runs in ");

        List<String> json = memoria("runs", "--json", "--store", uri).out().lines().toList();
        assertThat(json).hasSize(3);
        Map<String, Object> approval = dev.memoria.spi.Json.parseObject(json.get(2));
        assertThat(approval).containsEntry("id", runs.approval()).containsEntry("sessionId", "s1")
                .containsEntry("agentId", "calculator").containsEntry("status", "PAUSED").doesNotContainKey("kind");
        @SuppressWarnings("unchecked")
        Map<String, Object> suspension = (Map<String, Object>) approval.get("suspension");
        assertThat(suspension).containsEntry("reason", "APPROVAL").containsKey("at");
        assertThat(suspension.get("data").toString()).contains("notes", "6 * 7 = 42");
    }

    @Test
    void runsPagesLikeSessionsTheMoreLineKeepingEveryOption() {
        String uri = store("pages.db");
        Setup runs = pausedRuns(uri);
        CliTest.Result first = memoria("runs", "--limit", "2", "--order", "OLDEST_FIRST", "--store", uri);
        String hint = first.out().lines().filter(l -> l.startsWith("More: ")).findFirst().orElseThrow();
        assertThat(hint).startsWith("More: memoria runs --order OLDEST_FIRST --limit 2 --store " + uri + " --cursor ");
        assertThat(listed(first.out())).containsExactly(runs.approval(), runs.question());
        CliTest.Result second = memoria(hint.substring("More: memoria ".length()).split(" "));
        assertThat(second.code()).as(second.err()).isZero();
        assertThat(listed(second.out())).containsExactly(runs.worker());
        assertThat(second.out()).doesNotContain("More: ");

        CliTest.Result json = memoria("runs", "--json", "--limit", "2", "--status", "PAUSED,COMPLETED", "--store", uri);
        assertThat(json.out().lines()).hasSize(2).allMatch(l -> l.startsWith("{\"id\":"));
        assertThat(json.err()).as("the next page's command, off the JSON")
                .startsWith("More: memoria runs --status PAUSED,COMPLETED --limit 2 --json --store " + uri + " --cursor ");
        CliTest.Result every = memoria("runs", "--json", "--all", "--limit", "1", "--store", uri);
        assertThat(every.out().lines()).hasSize(3);
        assertThat(every.err()).isEmpty();
        assertThat(memoria("runs", "--cursor", "garbage", "--store", uri).code()).isEqualTo(Main.BAD_USAGE);
        assertThat(memoria("runs", "--limit", "0", "--store", uri).code()).isEqualTo(Main.BAD_USAGE);
        assertThat(memoria("runs", "--store", store("missing.db")).code()).as("a reader: no file is created")
                .isEqualTo(Main.FAILED);
    }

    @Test
    void resumeApprovesAnswersOrDeniesAndPrintsWhatTheRunDoesNext() {
        String uri = store("resume.db");
        Setup runs = pausedRuns(uri);
        CliTest.Result approved = memoria("resume", runs.approval(), "--approve", "--by", "ada", "--store", uri);
        assertThat(approved.code()).as(approved.err()).isZero();
        assertThat(approved.out().lines().toList()).containsExactly(
                "Resuming run " + runs.approval() + " of session s1,",
                "waiting for approval of notes {\"text\":\"6 * 7 = 42\"}.",
                "",
                "approve> yes (by ada)",
                "     #5 resumed: granted",
                "     #6 approved notes by ada",
                "     #7 tool result notes \"saved\"",
                "agent> I saved \"6 * 7 = 42\" to your notes.",
                "     (run " + runs.approval() + ": COMPLETED)");
        assertThat(run(uri, runs.approval()).status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(approvals(uri, runs.approval())).hasSize(1).allMatch(e -> e.data().get("by").equals("ada"));

        CliTest.Result answered = memoria("resume", runs.question(), "--input", "buy milk", "--store", uri);
        assertThat(answered.code()).as(answered.err()).isZero();
        assertThat(answered.out()).contains("you> buy milk", "#4 resumed: buy milk", "tool call notes {\"text\":\"buy milk\"}",
                "(run " + runs.question() + ": PAUSED, waiting for approval of", "Approve or deny it now or later with:",
                "./memoria resume " + runs.question() + " --approve --store " + uri,
                "./memoria resume " + runs.question() + " --deny REASON --store " + uri);
        assertThat(run(uri, runs.question()).status()).isEqualTo(RunStatus.PAUSED);
        CliTest.Result denied = memoria("resume", runs.question(), "--deny", "not today", "--store", uri);
        assertThat(denied.code()).as(denied.err()).isZero();
        String me = System.getProperty("user.name");
        assertThat(denied.out()).contains("approve> no: not today (by " + me + ")",
                "tool result notes (error) \"denied: not today\"", "agent> I did not save it to your notes: " + me
                        + " denied it (not today).", ": COMPLETED)");
        assertThat(approvals(uri, runs.question())).hasSize(1)
                .allMatch(e -> e.data().get("by").equals(me) && e.data().get("granted").equals(false));
    }

    @Test
    void resumeRefusesWhatCannotWorkAsBadUsageAndWritesNothing() {
        String uri = store("refused.db");
        Setup runs = pausedRuns(uri);
        int approvalEvents = events(uri, runs.approval()).size();
        int questionEvents = events(uri, runs.question()).size();

        CliTest.Result text = memoria("resume", runs.approval(), "--input", "yes please", "--store", uri);
        assertThat(text.code()).isEqualTo(Main.BAD_USAGE);
        assertThat(text.err()).isEqualTo("memoria: run " + runs.approval() + " waits for approval of notes"
                + " {\"text\":\"6 * 7 = 42\"}, not for a text: resume it with --approve or --deny REASON\n");
        CliTest.Result decision = memoria("resume", runs.question(), "--approve", "--store", uri);
        assertThat(decision.code()).isEqualTo(Main.BAD_USAGE);
        assertThat(decision.err()).contains("waits for QUESTION", "not for an approval: resume it with --input TEXT");
        CliTest.Result other = memoria("resume", runs.worker(), "--input", "done", "--store", uri);
        assertThat(other.code()).isEqualTo(Main.BAD_USAGE);
        assertThat(other.err()).contains("belongs to agent worker", "example agent (calculator) only");
        CliTest.Result done = memoria("resume", runs.completed(), "--approve", "--store", uri);
        assertThat(done.code()).isEqualTo(Main.BAD_USAGE);
        assertThat(done.err()).isEqualTo("memoria: run " + runs.completed() + " is COMPLETED, not PAUSED: there is nothing"
                + " to resume (list paused runs with: memoria runs --store " + uri + ")\n");
        CliTest.Result missing = memoria("resume", "nope", "--approve", "--store", uri);
        assertThat(missing.code()).isEqualTo(Main.FAILED);
        assertThat(missing.err()).startsWith("memoria: no run 'nope' in " + uri);
        assertThat(missing.err().lines()).hasSize(1);

        assertThat(memoria("resume", runs.question(), "--input", "x", "--by", "ada", "--store", uri).err())
                .startsWith("memoria: --by: goes with --approve or --deny");
        assertThat(memoria("resume", runs.question(), "--input", " ", "--store", uri).err())
                .startsWith("memoria: --input: must not be blank");
        assertThat(memoria("resume", runs.approval(), "--approve", "--by", " ", "--store", uri).err())
                .startsWith("memoria: --by: must not be blank");
        for (String[] args : List.of(new String[] {"resume", runs.approval(), "--store", uri},
                new String[] {"resume", runs.approval(), "--approve", "--deny", "no", "--store", uri},
                new String[] {"resume", "--approve", "--store", uri},
                new String[] {"resume", runs.question(), "--input", " ", "--store", uri},
                new String[] {"resume", runs.question(), "--input", "x", "--by", "ada", "--store", uri})) {
            CliTest.Result r = memoria(args);
            assertThat(r.code()).as(String.join(" ", args) + ": " + r.err()).isEqualTo(Main.BAD_USAGE);
            assertThat(r.err().lines()).as("one line").hasSize(1);
        }

        try (Stores stores = Stores.open(uri)) {
            stores.sessions().update("s1", s -> s.ended());
        }
        CliTest.Result ended = memoria("resume", runs.approval(), "--approve", "--store", uri);
        assertThat(ended.code()).isEqualTo(Main.BAD_USAGE);
        assertThat(ended.err()).contains("cannot be resumed: its session s1 has ended", "memoria cancel " + runs.approval());

        assertThat(events(uri, runs.approval())).as("nothing written").hasSize(approvalEvents);
        assertThat(events(uri, runs.question())).as("nothing written").hasSize(questionEvents);
        assertThat(run(uri, runs.approval()).status()).isEqualTo(RunStatus.PAUSED);
    }

    @Test
    void cancelEndsAPausedRunWithItsOpenChildrenAndLeavesAnEndedOneAlone() {
        String uri = store("cancel.db");
        Setup runs = pausedRuns(uri);
        CliTest.Result canceled = memoria("cancel", runs.worker(), "--store", uri);
        assertThat(canceled.code()).as(canceled.err()).isZero();
        String me = System.getProperty("user.name");
        assertThat(canceled.out()).isEqualTo("Canceled run " + runs.worker() + " (was PAUSED) of session s2: by " + me
                + ", with memoria cancel.\n");
        Run worker = run(uri, runs.worker());
        assertThat(worker.status()).isEqualTo(RunStatus.CANCELED);
        assertThat(worker.metadata()).containsEntry(AgentRuntime.CANCEL_REASON, "by " + me + ", with memoria cancel");
        assertThat(events(uri, runs.worker())).as("its events stay").isNotEmpty();
        assertThat(memoria("cancel", runs.worker(), "--store", uri).out()).startsWith("Run " + runs.worker()
                + " had already ended: CANCELED at ").endsWith("; nothing changed.\n");
        assertThat(memoria("cancel", runs.completed(), "--reason", "x", "--store", uri).out())
                .contains("had already ended: COMPLETED");
        assertThat(run(uri, runs.completed()).status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(listed(memoria("runs", "--status", "CANCELED", "--store", uri).out())).containsExactly(runs.worker());
        assertThat(memoria("runs", "--status", "CANCELED", "--store", uri).out()).contains("canceled: by " + me);

        String parent;
        List<String> children = new ArrayList<>();
        try (Stores stores = Stores.open(uri)) {
            parent = runs.approval();
            for (int i = 0; i < 2; i++) {
                children.add(stores.runs().create(NewRun.builder("s1", "helper").parentRunId(parent).build()).id());
            }
            Run done = stores.runs().create(NewRun.builder("s1", "helper").parentRunId(parent).build());
            stores.runs().update(stores.runs().update(done.withStatus(RunStatus.RUNNING)).withStatus(RunStatus.COMPLETED));
        }
        CliTest.Result withChildren = memoria("cancel", parent, "--reason", "changed my mind", "--store", uri);
        assertThat(withChildren.code()).as(withChildren.err()).isZero();
        assertThat(withChildren.out()).isEqualTo("Canceled run " + parent + " (was PAUSED) of session s1: changed my mind.\n"
                + "Canceled with it: 2 open child runs.\n");
        for (String child : children) {
            assertThat(run(uri, child).status()).isEqualTo(RunStatus.CANCELED);
        }
        assertThat(memoria("resume", parent, "--approve", "--store", uri).err()).contains("is CANCELED, not PAUSED");

        CliTest.Result missing = memoria("cancel", "nope", "--store", uri);
        assertThat(missing.code()).isEqualTo(Main.FAILED);
        assertThat(missing.err()).startsWith("memoria: no run 'nope' in ");
        assertThat(memoria("cancel", "--store", uri).code()).isEqualTo(Main.BAD_USAGE);
        assertThat(memoria("cancel", runs.question(), "--reason", "x".repeat(100_000), "--store", uri).code())
                .isEqualTo(Main.BAD_USAGE);
        assertThat(run(uri, runs.question()).status()).isEqualTo(RunStatus.PAUSED);
    }

    /** What a user does with two terminals: the demo's agent pauses in this JVM; another {@code java} approves. */
    @Test
    void aRunPausedInThisJvmIsResumedByAnotherJavaProcess() throws Exception {
        Path file = dir.resolve("two-processes.db");
        String uri = "sqlite:" + file;
        String runId;
        try (Stores stores = Stores.open(uri)) {
            AgentRuntime rt = AgentRuntime.create(stores);
            rt.startSession("demo", "demo-user");
            rt.run("demo", new CalculatorAgent(), "What is 2 ^ 10 / 8?");
            RunResult paused = rt.run("demo", new CalculatorAgent(), "Save the answer to my notes.");
            assertThat(paused.paused()).isTrue();
            runId = paused.run().id();
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "dev.memoria.cli.Main",
                "resume", runId, "--approve", "--store", uri).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("approve> yes (by " + System.getProperty("user.name") + ")",
                "agent> I saved \"2 ^ 10 / 8 = 128\" to your notes.", "(run " + runId + ": COMPLETED)");

        try (Stores stores = Stores.open(uri)) {
            Run run = stores.runs().get(runId).orElseThrow();
            assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
            List<MemoryEvent> events = stores.memory().load(run.ref()).events();
            assertThat(events.stream().filter(e -> e.type() == EventType.APPROVAL)).hasSize(1);
            assertThat(events.get(events.size() - 1).textIfAny()).contains("I saved \"2 ^ 10 / 8 = 128\" to your notes.");
        }
    }

    /** Two runtimes, each on its own Stores opened on one file: a pause in one, the resume in the other. */
    @Test
    void twoRuntimesOnTwoStoresOverOneFilePauseInOneAndResumeInTheOther() {
        String uri = store("shared.db");
        try (Stores first = Stores.open(uri); Stores second = Stores.open(uri)) {
            AgentRuntime pausing = AgentRuntime.create(first);
            AgentRuntime resuming = AgentRuntime.create(second);
            pausing.startSession("s", "ada");
            pausing.run("s", new CalculatorAgent(), "what is 6 * 7");
            RunResult paused = pausing.run("s", new CalculatorAgent(), "save it to my notes");
            String runId = paused.run().id();
            assertThat(resuming.suspension(runId)).as("the other runtime reads the suspension from the file")
                    .hasValueSatisfying(s -> assertThat(s.isApproval()).isTrue());
            RunResult done = resuming.resume(runId, new CalculatorAgent(), Approval.grant("ada"));
            assertThat(done.succeeded()).isTrue();
            assertThat(done.reply()).contains("I saved \"6 * 7 = 42\" to your notes.");
            assertThat(first.runs().get(runId).orElseThrow().status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(pausing.suspension(runId)).isEmpty();
            assertThat(first.memory().load(paused.run().ref()).events().stream()
                    .filter(e -> e.type() == EventType.APPROVAL)).hasSize(1);
        }
        CliTest.Result show = memoria("show", "s", "--store", uri);
        assertThat(show.out()).contains("#3 tool notes {\"text\":\"6 * 7 = 42\"} -> \"saved\" (#7)", "#6 approved notes by ada");
    }

    @Test
    void everyNewCommandHasHelp() {
        for (String command : List.of("runs", "resume", "cancel")) {
            CliTest.Result help = memoria(command, "--help");
            assertThat(help.code()).isZero();
            assertThat(help.out()).startsWith("Usage: memoria " + command).contains("--store", "--verbose");
        }
        assertThat(memoria("resume", "--help").out()).contains("--approve", "--deny=REASON", "--input=TEXT", "--by=NAME",
                "memoria runs");
        assertThat(memoria("runs", "--help").out()).contains("PAUSED", "--status", "--session", "--cursor", "--json");
        assertThat(memoria("cancel", "--help").out()).contains("--reason=TEXT", "open child runs");
    }
}
