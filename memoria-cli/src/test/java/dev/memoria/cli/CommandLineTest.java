package dev.memoria.cli;

import static dev.memoria.cli.CliTest.memoria;
import static org.assertj.core.api.Assertions.assertThat;

import dev.memoria.Stores;
import dev.memoria.memory.Event;
import dev.memoria.run.NewRun;
import dev.memoria.run.Run;
import dev.memoria.run.RunStatus;
import dev.memoria.session.NewSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a newcomer meets first: help everywhere, hints that keep their context, messages that say what to do. */
class CommandLineTest {
    private static final List<String> COMMANDS = List.of("demo", "chat", "sessions", "show", "events", "runs", "resume", "cancel", "end", "delete",
            "export", "import", "copy", "facts", "prune", "stats", "schema");

    @TempDir
    Path dir;

    private String store(String name) {
        return "sqlite:" + dir.resolve(name);
    }

    @Test
    void everyCommandHasHelpAndAMistypedOneGetsASuggestion() {
        for (String command : COMMANDS) {
            CliTest.Result help = memoria(command, "--help");
            assertThat(help.code()).as("%s --help: %s", command, help.err()).isZero();
            assertThat(help.out()).as(command).startsWith("Usage: memoria " + command).contains("--store", "--verbose");
        }
        CliTest.Result typo = memoria("sesions");
        assertThat(typo.code()).isEqualTo(Main.BAD_USAGE);
        assertThat(typo.err()).contains("did you mean 'memoria sessions'?").doesNotContain("Error: Error");
        assertThat(memoria("rusume", "r").err()).contains("did you mean 'memoria resume'?");
        assertThat(memoria("sessions", "--limt", "2").err()).contains("did you mean 'memoria sessions --limit'?");
        assertThat(memoria("show").err()).as("a missing parameter").startsWith("memoria: Missing required parameter")
                .doesNotContain("Error:");
    }

    @Test
    void theSharedOptionsGoBeforeOrAfterTheCommand() {
        String store = store("shared.db");
        assertThat(memoria("demo", "--store", store).code()).isZero();
        assertThat(memoria("--store", store, "sessions").out()).contains("demo");
        assertThat(memoria("sessions", "--store", store).out()).contains("demo");
        assertThat(memoria("--verbose", "show", "nope", "--store", store).err()).contains("at dev.memoria");
    }

    @Test
    void theNextPageHintKeepsEveryOptionAndJsonListingsPage() {
        String store = store("pages.db");
        try (Stores stores = Stores.open(store)) {
            for (int i = 0; i < 5; i++) {
                stores.sessions().create(NewSession.builder().id("s" + i).userId("ada").label("team", "x").build());
            }
            stores.sessions().create(NewSession.builder().id("other").userId("bob").build());
        }
        CliTest.Result first = memoria("sessions", "--user", "ada", "--status", "ACTIVE", "--label", "team=x", "--limit", "2",
                "--order", "OLDEST_FIRST", "--store", store);
        String hint = first.out().lines().filter(l -> l.startsWith("More: ")).findFirst().orElseThrow();
        assertThat(hint).startsWith("More: memoria sessions --status ACTIVE --user ada --label team=x --order OLDEST_FIRST"
                + " --limit 2 --store " + store + " --cursor ");
        assertThat(listedIds(first.out())).contains("s0", "s1").doesNotContain("s2");
        String[] next = hint.substring("More: memoria ".length()).split(" ");
        CliTest.Result second = memoria(next);
        assertThat(listedIds(second.out())).contains("s2", "s3").doesNotContain("s1", "other");

        CliTest.Result json = memoria("sessions", "--json", "--limit", "4", "--store", store);
        assertThat(json.out().lines()).hasSize(4).allMatch(l -> l.startsWith("{\"id\":"));
        assertThat(json.err()).as("the next page's command, off the JSON").startsWith("More: memoria sessions --limit 4 --json");
        CliTest.Result all = memoria("sessions", "--json", "--all", "--limit", "4", "--store", store);
        assertThat(all.out().lines()).hasSize(6);
        assertThat(all.err()).isEmpty();
        assertThat(memoria("sessions", "--cursor", "garbage", "--store", store).code()).as("a bad cursor is bad usage")
                .isEqualTo(Main.BAD_USAGE);
    }

    /** The first column of a listing's rows: a substring test over the whole output once matched inside the cursor. */
    private static List<String> listedIds(String out) {
        return out.lines().filter(l -> !l.startsWith("More: ") && !l.isBlank()).map(l -> l.trim().split("\\s+")[0]).toList();
    }

    @Test
    void theDemosHintsReadTheStoreItWroteTo() {
        CliTest.Result demo = memoria("demo", "--store", store("hinted.db"));
        assertThat(demo.out()).contains("./memoria sessions --store " + store("hinted.db"),
                "./memoria show demo --store " + store("hinted.db"));
        assertThat(memoria("demo", "--store", "memory:").out()).contains("./memoria sessions --store memory:");
    }

    @Test
    void eventsOfAWholeConversationAcrossItsRunsAndAFinishedRunSaysSo() throws Exception {
        String store = store("conversation.db");
        Run second;
        try (Stores stores = Stores.open(store)) {
            stores.sessions().create(NewSession.builder().id("chat").build());
            Run first = stores.runs().create(NewRun.of("chat", "agent"));
            stores.memory().append(first.ref(), List.of(Event.userMessage("turn one"), Event.assistantMessage("reply one")));
            stores.runs().update(stores.runs().update(first.withStatus(RunStatus.RUNNING)).withStatus(RunStatus.COMPLETED));
            second = stores.runs().create(NewRun.of("chat", "agent"));
            stores.memory().append(second.ref(), List.of(Event.userMessage("turn two")));
        }
        assertThat(memoria("events", "--session", "chat", "--store", store).out().lines())
                .containsExactly("#1 user: turn one", "#2 assistant: reply one", "#1 user: turn two");
        assertThat(memoria("events", second.id(), "--store", store).out()).isEqualTo("#1 user: turn two\n");
        // the second run is still PENDING: follow the conversation while a third turn arrives, then end it
        CompletableFuture<CliTest.Result> following = CompletableFuture.supplyAsync(() ->
                memoria("events", "--session", "chat", "--follow", "--poll-millis", "20", "--store", store));
        Thread.sleep(300);
        try (Stores stores = Stores.open(store)) {
            Run third = stores.runs().create(NewRun.of("chat", "agent"));
            stores.memory().append(third.ref(), List.of(Event.userMessage("turn three")));
            Thread.sleep(200);
            stores.sessions().update("chat", s -> s.ended());
        }
        CliTest.Result followed = following.get(30, TimeUnit.SECONDS);
        assertThat(followed.code()).isZero();
        assertThat(followed.out().lines()).containsExactly("#1 user: turn one", "#2 assistant: reply one",
                "#1 user: turn two", "#1 user: turn three");
        assertThat(followed.err()).contains("session chat has ended: no more events will come");
        try (Stores stores = Stores.open(store)) {
            stores.runs().update(second.id(), r -> r.withStatus(RunStatus.CANCELED));
        }
        CliTest.Result ended = memoria("events", second.id(), "--follow", "--store", store);
        assertThat(ended.err()).contains("run " + second.id() + " is CANCELED: no more events will come");
        assertThat(memoria("events", "--store", store).code()).as("neither a run nor --session").isEqualTo(Main.BAD_USAGE);
    }

    @Test
    void endAndDeleteOneSessionWithADryRun() {
        String store = store("lifecycle.db");
        assertThat(memoria("demo", "--store", store).code()).isZero();
        CliTest.Result end = memoria("end", "demo", "--store", store);
        assertThat(end.out()).startsWith("Ended session demo at ");
        assertThat(memoria("end", "demo", "--store", store).out()).startsWith("Session demo had already ended at ");
        assertThat(memoria("sessions", "--status", "ENDED", "--store", store).out()).contains("demo");
        CliTest.Result dry = memoria("delete", "demo", "--dry-run", "--store", store);
        assertThat(dry.out()).startsWith("Would remove session demo (ENDED").contains("5 runs", "24 events");
        assertThat(memoria("sessions", "--store", store).out()).contains("demo");
        assertThat(memoria("delete", "demo", "--store", store).out()).startsWith("Removed session demo (ENDED");
        assertThat(memoria("sessions", "--store", store).out()).startsWith("No sessions");
        CliTest.Result gone = memoria("delete", "demo", "--store", store);
        assertThat(gone.code()).isEqualTo(1);
        assertThat(gone.err()).startsWith("memoria: no session 'demo' in " + store);
    }

    @Test
    void messagesSayWhatToDo() throws Exception {
        CliTest.Result durability = memoria("sessions", "--store", store("x.db") + "?durability=FAST");
        assertThat(durability.code()).isEqualTo(Main.BAD_USAGE);
        assertThat(durability.err()).isEqualTo("memoria: uri: durability must be FULL or NORMAL, got 'FAST'\n");
        Path missingFolder = dir.resolve("no/such/folder/out.jsonl");
        CliTest.Result export = memoria("export", "--out", missingFolder.toString(), "--store", "memory:");
        assertThat(export.code()).isEqualTo(1);
        assertThat(export.err()).isEqualTo("memoria: cannot write " + missingFolder + ": there is no folder "
                + missingFolder.getParent() + "\n");
        Path empty = Files.writeString(dir.resolve("empty.jsonl"), "");
        assertThat(memoria("import", empty.toString(), "--store", "memory:").out()).contains("holds no records")
                .doesNotContain("already in");
    }
}
