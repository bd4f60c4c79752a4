package dev.memoria.cli;

import static org.assertj.core.api.Assertions.assertThat;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.memoria.Stores;
import dev.memoria.memory.Event;
import dev.memoria.run.NewRun;
import dev.memoria.run.Run;
import dev.memoria.session.NewSession;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every command, in-process, against temp SQLite files, the in-memory store and an in-process MongoDB. */
class CliTest {
    @TempDir
    Path dir;

    record Result(int code, String out, String err) {
    }

    static Result memoria(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }

    private String sqlite(String name) {
        return "sqlite:" + dir.resolve(name);
    }

    @Test
    void demoTwiceContinuesOneSessionFromTheDatabase() {
        Result first = memoria("demo", "--store", sqlite("demo.db"));
        assertThat(first.code()).as(first.err()).isZero();
        assertThat(first.out()).startsWith("Starting session demo in sqlite:")
                .contains("you> What is 12 * (3 + 4)?", "tool call calculator {\"expression\":\"12 * (3 + 4)\"}",
                        "agent> 12 * (3 + 4) = 84", "session demo, 5 runs, 24 events", "./memoria show demo");
        Result second = memoria("demo", "--store", sqlite("demo.db"));
        assertThat(second.out()).startsWith("Resuming session demo with 10 earlier messages")
                .contains("session demo, 10 runs, 48 events")
                .contains("You have asked me 9 things in this session so far")
                .as("the first run learned the user's name and preference, the greeting of the second recalls them")
                .contains("agent> Welcome back, Ada \u2014 I remember: The user prefers green tea. You have");
        assertThat(first.out().lines().filter(l -> !l.contains(dir.toString())))
                .allMatch(l -> l.length() <= 80, "fits 80 columns");
    }

    @Test
    void theDemoPausesForAnApprovalApprovesItOnTheNextLineAndResumesTheRun() {
        String store = sqlite("approval.db");
        Result demo = memoria("demo", "--store", store);
        assertThat(demo.code()).as(demo.err()).isZero();
        List<String> lines = demo.out().lines().toList();
        int from = lines.indexOf("you> Save the answer to my notes.");
        assertThat(from).as(demo.out()).isPositive();
        String runId = lines.get(from + 4).replaceAll("^ *\\(run ([^:]+):.*$", "$1");
        assertThat(lines.subList(from, from + 12)).containsExactly(
                "you> Save the answer to my notes.",
                "     #2 planner: Save \"2 ^ 10 / 8 = 128\" to the notes: ask for approval.",
                "     #3 tool call notes {\"text\":\"2 ^ 10 / 8 = 128\"}",
                "     #4 paused, waiting for approval of notes {\"text\":\"2 ^ 10 / 8 = 128\"}",
                "     (run " + runId + ": PAUSED, waiting for approval of",
                "     notes {\"text\":\"2 ^ 10 / 8 = 128\"})",
                "approve> yes (by demo-user)",
                "     #5 resumed: granted",
                "     #6 approved notes by demo-user",
                "     #7 tool result notes \"saved\"",
                "agent> I saved \"2 ^ 10 / 8 = 128\" to your notes.",
                "     (run " + runId + ": COMPLETED)");
        try (Stores stores = Stores.open(store)) {
            Run run = stores.runs().get(runId).orElseThrow();
            assertThat(run.status()).isEqualTo(dev.memoria.run.RunStatus.COMPLETED);
            List<dev.memoria.memory.MemoryEvent> approvals = stores.memory().load(run.ref()).events().stream()
                    .filter(e -> e.type() == dev.memoria.memory.EventType.APPROVAL).toList();
            assertThat(approvals).hasSize(1);
            assertThat(approvals.get(0).data()).containsEntry("granted", true).containsEntry("by", "demo-user")
                    .containsEntry("tool", "notes");
        }
        assertThat(memoria("runs", "--store", store).out()).as("nothing left waiting").startsWith("No paused runs in ");
    }

    @Test
    void aChatRunThatPausesSaysHowToContinueItAndTheChatGoesOn() {
        String store = sqlite("chat-pause.db");
        ChatCommand.input = new ByteArrayInputStream("what is 6 * 7\nsave it to my notes\nwhat is 1 + 1\n"
                .getBytes(StandardCharsets.UTF_8));
        try {
            Result chat = memoria("chat", "--session", "c1", "--store", store);
            assertThat(chat.code()).as(chat.err()).isZero();
            String runId = chat.out().lines().filter(l -> l.contains(": PAUSED, waiting for approval of")).findFirst()
                    .orElseThrow().replaceAll("^ *\\(run ([^:]+):.*$", "$1");
            assertThat(chat.out()).contains("Approve or deny it from another terminal, or after this chat, with:",
                    "       ./memoria resume " + runId + " --approve --store " + store,
                    "       ./memoria resume " + runId + " --deny REASON --store " + store,
                    "agent> 1 + 1 = 2");
            Result resumed = memoria("resume", runId, "--approve", "--by", "ada", "--store", store);
            assertThat(resumed.code()).as(resumed.err()).isZero();
            assertThat(resumed.out()).contains("agent> I saved \"6 * 7 = 42\" to your notes.");
        } finally {
            ChatCommand.input = System.in;
        }
    }

    @Test
    void chatReadsLinesUntilEndOfInputAndCanBeResumed() {
        ChatCommand.input = new ByteArrayInputStream("what is 6 * 7\n\nthanks\n".getBytes(StandardCharsets.UTF_8));
        try {
            Result chat = memoria("chat", "--session", "c1", "--store", sqlite("chat.db"));
            assertThat(chat.code()).isZero();
            assertThat(chat.out()).contains("Session c1 (0 earlier messages)", "agent> 6 * 7 = 42",
                    "Resume with: ./memoria chat --session c1");
            ChatCommand.input = new ByteArrayInputStream("and now?\n".getBytes(StandardCharsets.UTF_8));
            Result again = memoria("chat", "--session", "c1", "--store", sqlite("chat.db"));
            assertThat(again.out()).contains("Session c1 (4 earlier messages)", "You have asked me 2 things");
        } finally {
            ChatCommand.input = System.in;
        }
    }

    @Test
    void sessionsShowAndStatsDescribeWhatIsStored() {
        String store = sqlite("inspect.db");
        memoria("demo", "--store", store);
        Result sessions = memoria("sessions", "--store", store);
        assertThat(sessions.out()).startsWith("ID").contains("demo", "demo-user", "ACTIVE", " 5 ", "24");
        assertThat(memoria("sessions", "--store", store, "--status", "ENDED").out()).startsWith("No sessions");
        assertThat(memoria("sessions", "--store", store, "--json").out()).startsWith("{\"id\":\"demo\"");
        Result show = memoria("show", "demo", "--store", store);
        assertThat(show.out()).startsWith("session demo").contains("run ", "#1 user: What is 12 * (3 + 4)?",
                "#3 tool calculator {\"expression\":\"12 * (3 + 4)\"} -> 84 (#4)");
        assertThat(show.out()).doesNotContain("tool result");
        Result stats = memoria("stats", "--store", store);
        assertThat(stats.out()).contains("Sessions: 1", "Runs:     5", "Events:   24", "TOOL_CALL=3", "APPROVAL=1", "Largest runs:",
                "Facts:    7  {current=7, superseded=0}  by namespace {memoria.extractors=5, users=2}");
        assertThat(memoria("--store", store, "sessions").out()).as("shared options before the subcommand")
                .isEqualTo(sessions.out());
        Result schema = memoria("schema", "--dialect", "postgresql");
        assertThat(schema.out()).contains("CREATE TABLE memoria_events", "JSONB");
    }

    @Test
    void exportImportExportGivesIdenticalOutputAndASecondImportWritesNothing() throws Exception {
        String source = sqlite("source.db");
        memoria("demo", "--store", source);
        endOneSessionWithAFailedRun(source);
        Path first = dir.resolve("first.jsonl");
        Result export = memoria("export", "--store", source, "--out", first.toString());
        assertThat(export.code()).as(export.err()).isZero();
        assertThat(Files.readAllLines(first).get(0)).isEqualTo("{\"memoria\":\"export\",\"version\":2}");

        String target = sqlite("target.db");
        Result imported = memoria("import", first.toString(), "--store", target);
        assertThat(imported.code()).as(imported.err()).isZero();
        assertThat(imported.out()).contains("2 sessions, 7 runs, 27 events written");
        Path second = dir.resolve("second.jsonl");
        memoria("export", "--store", target, "--out", second.toString());
        assertThat(Files.readString(second)).isEqualTo(Files.readString(first));

        Result again = memoria("import", first.toString(), "--store", target);
        assertThat(again.code()).isZero();
        assertThat(again.out()).startsWith("Nothing new to import").contains("0 sessions, 0 runs, 0 events written");
        Result memory = memoria("import", first.toString(), "--store", "memory:");
        assertThat(memory.code()).as(memory.err()).isZero();
    }

    static void endOneSessionWithAFailedRun(String uri) {
        endOneSessionWithAFailedRun(uri, Clock.systemUTC());
    }

    /** Writes session "closed" (ENDED) with a FAILED and a PAUSED run, on the given clock. */
    static void endOneSessionWithAFailedRun(String uri, Clock clock) {
        try (Stores stores = Stores.open(uri, clock)) {
            stores.sessions().create(NewSession.builder().id("closed").userId("bob").label("team", "x")
                    .metadata("n", 1.5).build());
            Run run = stores.runs().create(NewRun.builder("closed", "worker").label("k", "v").build());
            stores.memory().append(run.ref(), List.of(Event.userMessage("go"), Event.toolCall("c", "t", Map.of("a", List.of(1L)))));
            stores.runs().update(run.failed("boom"));
            Run paused = stores.runs().update(stores.runs().create(NewRun.of("closed", "worker")).withStatus(
                    dev.memoria.run.RunStatus.RUNNING));
            stores.runs().update(paused.withStatus(dev.memoria.run.RunStatus.PAUSED));
            stores.memory().append(paused.ref(), List.of(Event.thinking("waiting")));
            stores.sessions().update("closed", s -> s.ended());
        }
    }

    @Test
    void importReportsMalformedLinesByNumberAndWritesNothingOfThem() throws Exception {
        Path file = dir.resolve("bad.jsonl");
        Files.writeString(file, String.join("\n",
                "{\"memoria\":\"export\",\"version\":1}",
                "{\"kind\":\"session\",\"id\":\"ok\",\"userId\":null,\"status\":\"ACTIVE\",\"createdAt\":\"2026-01-01T00:00:00Z\","
                        + "\"updatedAt\":\"2026-01-01T00:00:00Z\",\"endedAt\":null,\"labels\":{},\"metadata\":{}}",
                "this is not json",
                "{\"kind\":\"session\",\"id\":\"\",\"status\":\"ACTIVE\",\"createdAt\":\"2026-01-01T00:00:00Z\","
                        + "\"updatedAt\":\"2026-01-01T00:00:00Z\"}",
                "{\"kind\":\"run\",\"id\":\"r\",\"sessionId\":\"ok\",\"agentId\":\"a\",\"status\":\"DONE\","
                        + "\"startedAt\":\"2026-01-01T00:00:00Z\",\"updatedAt\":\"2026-01-01T00:00:00Z\"}",
                "{\"kind\":\"event\",\"sessionId\":\"ok\",\"agentId\":\"a\",\"runId\":\"r2\",\"sequence\":1,\"key\":\"k\","
                        + "\"type\":\"USER_MESSAGE\",\"timestamp\":\"yesterday\",\"data\":{}}",
                "{\"kind\":\"event\",\"sessionId\":\"ok\",\"agentId\":\"a\",\"runId\":\"r2\",\"sequence\":1,\"key\":\"k\","
                        + "\"type\":\"USER_MESSAGE\",\"timestamp\":\"2026-01-01T00:00:01Z\",\"data\":{\"text\":\"hi\"}}",
                "{\"kind\":\"gossip\"}"));
        String store = sqlite("bad.db");
        Result result = memoria("import", file.toString(), "--store", store);
        assertThat(result.code()).isEqualTo(1);
        assertThat(result.err().lines().filter(l -> l.startsWith("line ")).toList()).containsExactly(
                "line 3: invalid JSON at offset 0: expected true (nothing of it was written)",
                "line 4: id: must not be blank (nothing of it was written)",
                "line 5: status: expected one of [PENDING, RUNNING, PAUSED, COMPLETED, FAILED, CANCELED], got 'DONE'"
                        + " (nothing of it was written)",
                "line 6: timestamp: not an ISO-8601 instant: yesterday (nothing of it was written)",
                "line 8: kind: expected session, run, event or fact, got 'gossip' (nothing of it was written)",
                "line 7: 1 event of run r2 not written: the run is not in the target, and not written from this input");
        assertThat(result.out()).contains("1 session, 0 runs, 0 events written", "6 invalid records skipped");
        try (Stores stores = Stores.open(store)) {
            assertThat(stores.sessions().get("ok")).isPresent();
            assertThat(stores.runs().get("r")).isEmpty();
        }
    }

    @Test
    void copySqliteToMongoAndBackGivesIdenticalExports() throws Exception {
        MongoServer server = new MongoServer(new MemoryBackend());
        InetSocketAddress address = server.bind();
        try {
            String source = sqlite("copy-source.db");
            memoria("demo", "--store", source);
            endOneSessionWithAFailedRun(source);
            String mongo = "mongodb://" + address.getHostString() + ":" + address.getPort() + "/copied";
            // facts left out: this test is about sessions, runs and events on any backend (FactsTest covers facts,
            // and a target that keeps none)
            Result there = memoria("copy", "--no-facts", "--from", source, "--to", mongo);
            assertThat(there.code()).as(there.err()).isZero();
            assertThat(there.out()).contains("2 sessions, 7 runs, 27 events written");
            assertThat(memoria("copy", "--no-facts", "--from", source, "--to", mongo).out()).as("copy is idempotent")
                    .contains("0 sessions, 0 runs, 0 events written; 2 sessions, 7 runs, 27 events already present");
            String back = sqlite("copy-back.db");
            assertThat(memoria("copy", "--no-facts", "--from", mongo, "--to", back).code()).isZero();
            String withoutFacts = memoria("export", "--store", source).out().lines().filter(l -> !l.contains("\"kind\":\"fact\""))
                    .map(l -> l + "\n").collect(java.util.stream.Collectors.joining());
            assertThat(memoria("export", "--store", back).out()).isEqualTo(withoutFacts);
        } finally {
            server.shutdownNow();
        }
    }

    @Test
    void eventsFollowPrintsEventsWhileAnotherThreadIsStillAppending() throws Exception {
        String store = sqlite("follow.db");
        Run run;
        try (Stores stores = Stores.open(store)) {
            stores.sessions().create(NewSession.builder().id("live").build());
            run = stores.runs().create(NewRun.of("live", "agent"));
            stores.memory().append(run.ref(), List.of(Event.userMessage("first")));
        }
        StringWriter followed = new StringWriter(); // a StringBuffer inside: safe to read while the follower writes
        CompletableFuture<Integer> follower = CompletableFuture.supplyAsync(() -> Main.run(new PrintWriter(followed, true),
                new PrintWriter(new StringWriter(), true), "events", run.id(), "--store", store, "--follow", "--count", "4",
                "--poll-millis", "20"));
        List<String> seenBeforeNextAppend = new ArrayList<>();
        try (Stores stores = Stores.open(store)) {
            for (int i = 2; i <= 4; i++) {
                stores.memory().append(run.ref(), List.of(Event.assistantMessage("message " + i)));
                if (i < 4) {
                    // the writer goes on only once the follower printed what it just wrote: had the
                    // follower read only after the writer finished, this would wait in vain
                    String expected = "#" + i + " assistant: message " + i;
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (!followed.toString().contains(expected) && System.nanoTime() < deadline) {
                        Thread.sleep(5);
                    }
                    seenBeforeNextAppend.add(followed.toString().contains(expected) ? expected : "not seen: " + expected);
                }
            }
        }
        assertThat(seenBeforeNextAppend).as("printed while the writer was still appending")
                .containsExactly("#2 assistant: message 2", "#3 assistant: message 3");
        assertThat(follower.get(1, TimeUnit.MINUTES)).isZero();
        assertThat(followed.toString().lines().toList()).containsExactly("#1 user: first", "#2 assistant: message 2",
                "#3 assistant: message 3", "#4 assistant: message 4");
        assertThat(memoria("events", run.id(), "--store", store, "--type", "USER_MESSAGE").out().lines().toList())
                .containsExactly("#1 user: first");
    }

    @Test
    void pruneRemovesWholeSessionsAndDryRunRemovesNothing() {
        String store = sqlite("prune.db");
        memoria("demo", "--store", store);
        endOneSessionWithAFailedRun(store, Clock.fixed(Instant.now().minus(Duration.ofDays(2)), ZoneOffset.UTC));
        Result dry = memoria("prune", "--store", store, "--ended-before", "1d", "--dry-run");
        assertThat(dry.out()).contains("would remove closed (ENDED", "Would remove 1 session, 2 runs, 3 events.");
        assertThat(memoria("sessions", "--store", store).out()).contains("closed");
        Result pruned = memoria("prune", "--store", store, "--ended-before", "1d");
        assertThat(pruned.code()).as(pruned.err()).isZero();
        assertThat(pruned.out()).contains("removing closed (ENDED", "Removed 1 session, 2 runs, 3 events.");
        assertThat(memoria("sessions", "--store", store).out()).doesNotContain("closed").contains("demo");
        assertThat(memoria("prune", "--store", store, "--inactive-for", "30d").out()).contains("Removed 0 sessions");
        assertThat(memoria("prune", "--store", store, "--inactive-for", "1min").out()).as("the demo ran just now")
                .contains("Removed 0 sessions");
    }

    @Test
    void failuresAreOneLineWithExitCodeOneAndBadUsageIsTwo() {
        Stores.open(sqlite("empty.db")).close();
        Result unknown = memoria("show", "nope", "--store", sqlite("empty.db"));
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).startsWith("memoria: no session 'nope' in sqlite:").contains("memoria sessions");
        assertThat(unknown.err().lines()).as("one line").hasSize(1);
        Result usage = memoria("sessions", "--limit", "5000", "--store", "memory:");
        assertThat(usage.code()).isEqualTo(2);
        assertThat(usage.err()).startsWith("memoria: --limit: must be between 1 and 1000, got 5000");
        assertThat(memoria("frobnicate").err().lines()).as("one line").hasSize(1);
        assertThat(memoria("frobnicate").code()).isEqualTo(2);
        assertThat(memoria("prune", "--store", "memory:").code()).isEqualTo(2);
        Result mongo = memoria("sessions", "--store", "mongodb://127.0.0.1:1");
        assertThat(mongo.code()).isEqualTo(2);
        assertThat(mongo.err()).startsWith("memoria: uri: name the database");
        Path notDb = dir.resolve("notes.db");
        Result corrupt;
        try {
            Files.writeString(notDb, "not a database ".repeat(500));
            corrupt = memoria("sessions", "--store", "sqlite:" + notDb);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        assertThat(corrupt.code()).isEqualTo(1);
        assertThat(corrupt.err().lines().findFirst().orElseThrow()).contains("not a SQLite database or is corrupt");
        assertThat(corrupt.err()).doesNotContain("\tat ");
        assertThat(memoria("sessions", "--store", "sqlite:" + notDb, "--verbose").err()).contains("\tat ");
    }
}
