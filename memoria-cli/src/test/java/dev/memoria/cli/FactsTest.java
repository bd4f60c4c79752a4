package dev.memoria.cli;

import static dev.memoria.cli.CliTest.memoria;
import static org.assertj.core.api.Assertions.assertThat;

import dev.memoria.Limits;
import dev.memoria.Page;
import dev.memoria.Stores;
import dev.memoria.fact.Fact;
import dev.memoria.fact.FactMatch;
import dev.memoria.fact.FactQuery;
import dev.memoria.fact.Namespace;
import dev.memoria.fact.NewFact;
import dev.memoria.memory.Event;
import dev.memoria.run.NewRun;
import dev.memoria.run.Run;
import dev.memoria.session.NewSession;
import dev.memoria.spi.Json;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code memoria facts}, facts in export/import/copy, and the demo's long-term memory, on real SQLite files. */
class FactsTest {
    private static final Namespace ADA = Namespace.of("users", "ada");
    private static final Namespace BOB = Namespace.of("users", "bob");
    private static final Instant T1 = Instant.parse("2026-01-01T10:00:00Z");
    private static final Instant T2 = Instant.parse("2026-02-01T10:00:00Z");
    private static final Instant T3 = Instant.parse("2026-03-01T10:00:00Z");

    @TempDir
    Path dir;

    private String store;
    private String runId;

    @BeforeEach
    void seed() {
        PruneCommand.interactive = () -> null;
        store = "sqlite:" + dir.resolve("facts.db");
        SettableClock clock = new SettableClock();
        clock.set(T1);
        try (Stores stores = Stores.open(store, clock)) {
            stores.sessions().create(NewSession.builder().id("s1").userId("ada").build());
            Run run = stores.runs().create(NewRun.of("s1", "agent"));
            runId = run.id();
            stores.memory().append(run.ref(), List.of(Event.userMessage("my name is Ada"), Event.userMessage("I like tea")));
            stores.facts().put(NewFact.builder(ADA, "The user's name is Ada").key("name").source(run.ref(), 1)
                    .label("by", "test").vector(new float[] {0.1f, -0.25f, 1e-7f}).build());
            clock.set(T2);
            stores.facts().put(NewFact.builder(ADA, "The user's name is Ada Lovelace").key("name").source(run.ref(), 1)
                    .label("by", "test").data(Map.of("value", "Ada Lovelace", "n", 2L)).build());
            clock.set(T3);
            stores.facts().put(NewFact.builder(ADA, "The user prefers green tea").source(run.ref(), 2)
                    .label("by", "other").idempotencyKey("tea-1").build());
            stores.facts().put(NewFact.of(BOB, "Bob drinks black tea"));
        }
    }

    @AfterEach
    void restoreTerminal() {
        PruneCommand.interactive = () -> null;
    }

    private List<Fact> allFacts(String uri) {
        try (Stores stores = Stores.open(uri)) {
            List<Fact> facts = new ArrayList<>();
            String cursor = null;
            do {
                Page<FactMatch> page = stores.facts().search(FactQuery.all().allVersions().limit(Limits.MAX_PAGE_SIZE)
                        .cursor(cursor));
                page.items().forEach(m -> facts.add(m.fact()));
                cursor = page.nextCursor();
            } while (cursor != null);
            return facts;
        }
    }

    /** The agent's replies on one line each: Render.wrap continues them under "agent> ". */
    private static String unwrapped(CliTest.Result r) {
        return r.out().replaceAll("\n {7}(?! )", " ");
    }

    private static List<String> dataLines(CliTest.Result r) {
        return r.out().lines().skip(1).toList();
    }

    @Test
    void listShowsCurrentFactsNewestFirstAndEveryVersionOrThoseThatHeldAtAnInstant() {
        CliTest.Result list = memoria("facts", "list", "--store", store);
        assertThat(list.code()).as(list.err()).isZero();
        assertThat(list.out().lines().findFirst().orElseThrow()).startsWith("ID").contains("NAMESPACE", "KEY", "VALID", "TEXT",
                "SOURCE");
        List<String> rows = dataLines(list);
        assertThat(rows).hasSize(3);
        assertThat(rows.get(0)).contains("users/bob", "current", "Bob drinks black tea").endsWith("-");
        assertThat(rows.get(1)).contains("users/ada", "The user prefers green tea", Render.run(runId) + "#2");
        assertThat(rows.get(2)).contains("users/ada", "name v2", "current", "The user's name is Ada Lovelace",
                Render.run(runId) + "#1");

        List<String> all = dataLines(memoria("facts", "list", "--all-versions", "--namespace", "users/ada", "--store", store));
        assertThat(all).hasSize(3);
        assertThat(all.get(2)).contains("name v1", "until 2026-02-01 10:00:00", "The user's name is Ada");

        List<String> then = dataLines(memoria("facts", "list", "--at", "2026-01-15T00:00:00Z", "--store", store));
        assertThat(then).singleElement().asString().contains("name v1", "until 2026-02-01");

        assertThat(dataLines(memoria("facts", "list", "--key", "name", "--all-versions", "--store", store))).hasSize(2);
        assertThat(dataLines(memoria("facts", "list", "--label", "by=other", "--store", store))).singleElement().asString()
                .contains("green tea");
        assertThat(memoria("facts", "list", "--namespace", "users/carol", "--store", store).out())
                .isEqualTo("No facts under users/carol in " + store + ".\n");
        CliTest.Result both = memoria("facts", "list", "--at", "2026-01-15T00:00:00Z", "--all-versions", "--store", store);
        assertThat(both.code()).isEqualTo(Main.BAD_USAGE);
        assertThat(both.err()).contains("--at and --all-versions exclude each other", "(see 'memoria facts list --help')");
        assertThat(memoria("facts", "list", "--at", "yesterday", "--store", store).err())
                .startsWith("memoria: --at: expected an ISO-8601 instant");
        assertThat(memoria("facts", "--help").out()).contains("list", "search", "forget");
        for (String sub : List.of("list", "search", "forget")) {
            CliTest.Result help = memoria("facts", sub, "--help");
            assertThat(help.code()).isZero();
            assertThat(help.out()).startsWith("Usage: memoria facts " + sub).contains("--store", "--verbose", "--namespace");
        }
        CliTest.Result typo = memoria("facts", "lsit");
        assertThat(typo.code()).isEqualTo(Main.BAD_USAGE);
        assertThat(typo.err()).contains("'lsit'", "(see 'memoria facts --help')");
    }

    @Test
    void jsonListingsPageWithTheNextCommandOnStandardError() {
        List<String> ids = new ArrayList<>();
        List<String> command = new ArrayList<>(List.of("facts", "list", "--all-versions", "--limit", "1", "--json", "--store", store));
        for (int page = 0; page < 10; page++) {
            CliTest.Result r = memoria(command.toArray(String[]::new));
            assertThat(r.code()).as(r.err()).isZero();
            List<String> lines = r.out().lines().toList();
            assertThat(lines).hasSize(1);
            Map<String, Object> record = Json.parseObject(lines.get(0));
            assertThat(record).containsKeys("id", "namespace", "key", "text", "source", "version", "validFrom", "validTo")
                    .doesNotContainKey("kind");
            ids.add((String) record.get("id"));
            if (r.err().isEmpty()) {
                break;
            }
            assertThat(r.err()).startsWith("More: memoria facts list --all-versions --limit 1 --json --store " + store
                    + " --cursor ");
            String cursor = r.err().strip().replaceAll("^.* --cursor ", "");
            command = new ArrayList<>(List.of("facts", "list", "--all-versions", "--limit", "1", "--json", "--store", store,
                    "--cursor", cursor));
        }
        assertThat(ids).hasSize(4).doesNotHaveDuplicates();
        assertThat(memoria("facts", "list", "--cursor", "nonsense", "--store", store).code()).isEqualTo(Main.BAD_USAGE);
    }

    @Test
    void searchFindsEveryWordBestFirstInEveryNamespaceOrOne() {
        CliTest.Result tea = memoria("facts", "search", "TEA", "--store", store);
        assertThat(tea.code()).as(tea.err()).isZero();
        assertThat(tea.out().lines().findFirst().orElseThrow()).startsWith("SCORE");
        assertThat(dataLines(tea)).hasSize(2).allMatch(l -> l.matches("-?\\d+\\.\\d{3} .*"));
        assertThat(dataLines(memoria("facts", "search", "green tea", "--store", store))).singleElement().asString()
                .contains("users/ada", "green tea");
        assertThat(dataLines(memoria("facts", "search", "tea", "--namespace", "users/bob", "--store", store)))
                .singleElement().asString().contains("Bob drinks black tea");
        List<String> json = memoria("facts", "search", "tea", "--json", "--limit", "1", "--store", store).out().lines().toList();
        assertThat(json).singleElement().satisfies(l -> assertThat(Json.parseObject(l)).containsKeys("score", "id"));
        assertThat(memoria("facts", "search", "coffee", "--store", store).out())
                .isEqualTo("No current fact holds every word of 'coffee' in " + store + ".\n");
        assertThat(dataLines(memoria("facts", "search", "Lovelace", "--store", store))).singleElement().asString()
                .contains("name v2");
    }

    @Test
    void forgetRemovesOneFactOrANamespaceWhichNeedsAConfirmation() {
        String oldName = allFacts(store).stream().filter(f -> f.version() == 1 && "name".equals(f.key())).findFirst()
                .orElseThrow().id();
        CliTest.Result dry = memoria("facts", "forget", "--id", oldName, "--dry-run", "--store", store);
        assertThat(dry.out()).startsWith("Would remove fact " + oldName + " (users/ada, name v1): The user's name is Ada");
        assertThat(allFacts(store)).hasSize(4);
        CliTest.Result one = memoria("facts", "forget", "--id", oldName, "--store", store);
        assertThat(one.code()).as(one.err()).isZero();
        assertThat(one.out()).startsWith("Removed fact " + oldName);
        assertThat(allFacts(store)).hasSize(3).noneMatch(f -> f.id().equals(oldName));
        CliTest.Result unknown = memoria("facts", "forget", "--id", oldName, "--store", store);
        assertThat(unknown.code()).isEqualTo(Main.FAILED);
        assertThat(unknown.err()).startsWith("memoria: no fact '" + oldName + "' in " + store);

        CliTest.Result unasked = memoria("facts", "forget", "--namespace", "users/ada", "--store", store);
        assertThat(unasked.code()).isEqualTo(Main.FAILED);
        assertThat(unasked.err()).isEqualTo("memoria: not removing 2 facts (every version) under users/ada without"
                + " confirmation: re-run with --yes to remove them, or with --dry-run to only count them\n");
        assertThat(memoria("facts", "forget", "--namespace", "users", "--dry-run", "--store", store).out())
                .isEqualTo("Would remove 3 facts (every version) under users.\n");
        assertThat(allFacts(store)).hasSize(3);

        List<String> asked = new ArrayList<>();
        PruneCommand.interactive = () -> question -> {
            asked.add(question);
            return "n";
        };
        assertThat(memoria("facts", "forget", "--namespace", "users/ada", "--store", store).err())
                .contains("nothing removed (not confirmed)");
        assertThat(asked).containsExactly("Remove 2 facts (every version) under users/ada? [y/N] ");
        PruneCommand.interactive = () -> question -> "y";
        CliTest.Result confirmed = memoria("facts", "forget", "--namespace", "users/ada", "--store", store);
        assertThat(confirmed.code()).as(confirmed.err()).isZero();
        assertThat(confirmed.out()).isEqualTo("Removed 2 facts (every version) under users/ada.\n");
        PruneCommand.interactive = () -> null;
        assertThat(memoria("facts", "forget", "--namespace", "users/bob", "--yes", "--store", store).out())
                .isEqualTo("Removed 1 fact (every version) under users/bob.\n");
        assertThat(allFacts(store)).isEmpty();
        assertThat(memoria("facts", "forget", "--namespace", "users/bob", "--yes", "--store", store).out())
                .startsWith("No facts under users/bob");

        CliTest.Result root = memoria("facts", "forget", "--namespace", "", "--yes", "--store", store);
        assertThat(root.code()).isEqualTo(Main.BAD_USAGE);
        assertThat(root.err()).startsWith("memoria: --namespace: refusing the root namespace");
        assertThat(memoria("facts", "forget", "--store", store).code()).as("--id or --namespace").isEqualTo(Main.BAD_USAGE);
    }

    @Test
    void exportVersion2CarriesEveryFactVersionExactlyAndImportingTwiceAddsNothing() throws Exception {
        Path file = dir.resolve("v2.jsonl");
        CliTest.Result export = memoria("export", "--store", store, "--out", file.toString());
        assertThat(export.code()).as(export.err()).isZero();
        List<String> lines = Files.readAllLines(file);
        assertThat(lines.get(0)).isEqualTo("{\"memoria\":\"export\",\"version\":2}");
        List<Map<String, Object>> facts = lines.stream().map(Json::parseObject).filter(r -> "fact".equals(r.get("kind"))).toList();
        assertThat(facts).hasSize(4);
        Map<String, Object> first = facts.stream().filter(r -> Long.valueOf(1).equals(r.get("version"))
                && "name".equals(r.get("key"))).findFirst().orElseThrow();
        assertThat(first).containsEntry("namespace", List.of("users", "ada")).containsEntry("validTo", "2026-02-01T10:00:00Z")
                .containsEntry("source", Map.of("sessionId", "s1", "agentId", "agent", "runId", runId, "sequence", 1L))
                .containsKeys("createdAt", "validFrom", "expiresAt", "labels", "data", "idempotencyKey", "vector");

        String target = "sqlite:" + dir.resolve("target.db");
        CliTest.Result imported = memoria("import", file.toString(), "--store", target);
        assertThat(imported.code()).as(imported.err()).isZero();
        assertThat(imported.out()).contains("1 session, 1 run, 2 events written", "4 facts written, 0 already present");
        List<Fact> before = allFacts(store);
        assertThat(allFacts(target)).as("ids, versions, history, vectors, sources, times").containsExactlyElementsOf(before);
        Fact withVector = allFacts(target).stream().filter(f -> f.vector() != null).findFirst().orElseThrow();
        assertThat(withVector.vector()).containsExactly(0.1f, -0.25f, 1e-7f);

        CliTest.Result again = memoria("import", file.toString(), "--store", target);
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(again.out()).startsWith("Nothing new to import").contains("0 facts written, 4 already present");
        assertThat(allFacts(target)).containsExactlyElementsOf(before);
        Path second = dir.resolve("again.jsonl");
        memoria("export", "--store", target, "--out", second.toString());
        assertThat(Files.readString(second)).isEqualTo(Files.readString(file));

        // the target's key now has a current fact the file does not know: that version is refused, the others are present
        try (Stores stores = Stores.open(target)) {
            stores.facts().put(NewFact.builder(ADA, "The user's name is Countess Lovelace").key("name").build());
        }
        CliTest.Result conflicting = memoria("import", file.toString(), "--store", target);
        assertThat(conflicting.code()).isEqualTo(Main.FAILED);
        assertThat(conflicting.err()).contains("the target refused it");
    }

    @Test
    void aVersion1FileStillImportsAndOtherVersionsAreRefused() throws Exception {
        String session = "{\"kind\":\"session\",\"id\":\"old\",\"userId\":null,\"status\":\"ACTIVE\",\"createdAt\":"
                + "\"2025-01-01T00:00:00Z\",\"updatedAt\":\"2025-01-01T00:00:00Z\",\"endedAt\":null,\"labels\":{},\"metadata\":{}}";
        Path v1 = Files.writeString(dir.resolve("v1.jsonl"), "{\"memoria\":\"export\",\"version\":1}\n" + session + "\n");
        String target = "sqlite:" + dir.resolve("v1.db");
        CliTest.Result imported = memoria("import", v1.toString(), "--store", target);
        assertThat(imported.code()).as(imported.err()).isZero();
        assertThat(imported.out()).contains("1 session, 0 runs, 0 events written").doesNotContain("fact");

        Path v3 = Files.writeString(dir.resolve("v3.jsonl"), "{\"memoria\":\"export\",\"version\":3}\n" + session + "\n");
        CliTest.Result refused = memoria("import", v3.toString(), "--store", "sqlite:" + dir.resolve("v3.db"));
        assertThat(refused.code()).isEqualTo(Main.FAILED);
        assertThat(refused.err()).isEqualTo("memoria: " + v3 + " is export format version 3, this memoria reads versions 1"
                + " and 2; nothing was written\n");
    }

    @Test
    void copyCarriesFactsAndPerSessionExportsOnlyTheSessionsFacts() {
        String target = "sqlite:" + dir.resolve("copy.db");
        CliTest.Result copy = memoria("copy", "--from", store, "--to", target);
        assertThat(copy.code()).as(copy.err()).isZero();
        assertThat(copy.out()).contains("4 facts written, 0 already present");
        assertThat(allFacts(target)).containsExactlyElementsOf(allFacts(store));
        assertThat(memoria("copy", "--from", store, "--to", target).out()).contains("0 facts written, 4 already present");

        List<String> ofSession = memoria("export", "--session", "s1", "--store", store).out().lines()
                .filter(l -> l.contains("\"kind\":\"fact\"")).toList();
        assertThat(ofSession).as("bob's fact has no source run").hasSize(3).noneMatch(l -> l.contains("Bob"));
        assertThat(memoria("export", "--help").out()).contains("so never exported", "source run");
    }

    @Test
    void aStoreWithoutFactsRefusesFactsBeforeWritingAnything() throws Exception {
        Path file = dir.resolve("facts.jsonl");
        memoria("export", "--store", store, "--out", file.toString());
        String none = "nofacts:" + dir.getFileName(); // a backend without fact store (see NoFactsStoreProvider)
        CliTest.Result refused = memoria("import", file.toString(), "--store", none);
        assertThat(refused.code()).isEqualTo(Main.FAILED);
        assertThat(refused.err()).contains("holds 4 facts", "keeps no facts", "--no-facts", "nothing was written");
        try (Stores stores = Stores.open(none)) {
            assertThat(stores.sessions().get("s1")).isEmpty();
        }
        CliTest.Result copyRefused = memoria("copy", "--from", store, "--to", none);
        assertThat(copyRefused.code()).isEqualTo(Main.FAILED);
        assertThat(copyRefused.err()).contains("keeps no facts", "--no-facts", "nothing was written");
        try (Stores stores = Stores.open(none)) {
            assertThat(stores.sessions().get("s1")).isEmpty();
        }

        CliTest.Result without = memoria("import", file.toString(), "--no-facts", "--store", none);
        assertThat(without.code()).as(without.err()).isZero();
        assertThat(without.out()).contains("1 session, 1 run, 2 events written", "4 facts left out (--no-facts)");
        assertThat(memoria("copy", "--no-facts", "--from", store, "--to", none).out())
                .contains("0 sessions, 0 runs, 0 events written; 1 session, 1 run, 2 events already present");
        CliTest.Result list = memoria("facts", "list", "--store", none);
        assertThat(list.code()).isEqualTo(Main.FAILED);
        assertThat(list.err()).isEqualTo("memoria: " + none + " keeps no facts (its backend has no fact store): list,"
                + " search and forget facts in a store that has one, such as SQLite or PostgreSQL\n");
        assertThat(memoria("stats", "--store", none).out()).contains("Facts:    none: this store keeps no facts");
        CliTest.Result demo = memoria("demo", "--store", none);
        assertThat(demo.code()).as("the demo runs without facts: nothing to learn, nothing recalled").isZero();
        assertThat(demo.out()).doesNotContain("Long-term facts", "Welcome back");
        assertThat(demo.err()).isEmpty();
    }

    @Test
    void theDemoRemembersTheUserAcrossSessions() {
        String demo = "sqlite:" + dir.resolve("demo.db");
        CliTest.Result first = memoria("demo", "--store", demo);
        assertThat(first.code()).as(first.err()).isZero();
        assertThat(first.out()).contains("you> Hello! My name is Ada and I prefer green tea. What can you do?",
                "agent> Hello! I am a calculator agent", "Long-term facts about demo-user: 2 facts (name, prefers:green-tea).",
                "./memoria demo --session demo-2 --store " + demo, "./memoria facts list --namespace users/demo-user")
                .doesNotContain("Welcome back");

        CliTest.Result other = memoria("demo", "--session", "demo-2", "--store", demo);
        assertThat(other.code()).as(other.err()).isZero();
        assertThat(unwrapped(other)).startsWith("Starting session demo-2")
                .contains("agent> Welcome back, Ada \u2014 I remember: The user prefers green tea. I am a calculator");
        CliTest.Result again = memoria("demo", "--store", demo);
        assertThat(unwrapped(again)).contains("agent> Welcome back, Ada \u2014 I remember: The user prefers green tea. You have");
        // learned once: saying it again in later runs stores nothing new
        assertThat(dataLines(memoria("facts", "list", "--namespace", "users/demo-user", "--all-versions", "--store", demo)))
                .hasSize(2);
        assertThat(dataLines(memoria("facts", "list", "--namespace", "memoria.extractors", "--store", demo)))
                .as("a watermark per run, listed only when asked for").hasSize(15);
    }

    @Test
    void chatLearnsNameAndCityAndANewCitySupersedesTheOld() {
        String chat = "sqlite:" + dir.resolve("chat.db");
        String user = System.getProperty("user.name");
        ChatCommand.input = new ByteArrayInputStream(("My name is Grace and I live in Paris.\nI live in London\nI prefer tea,"
                + " and I prefer long walks\n").getBytes(StandardCharsets.UTF_8));
        try {
            assertThat(memoria("chat", "--session", "c1", "--store", chat).code()).isZero();
            ChatCommand.input = new ByteArrayInputStream("hi there\n".getBytes(StandardCharsets.UTF_8));
            CliTest.Result later = memoria("chat", "--session", "c2", "--store", chat);
            assertThat(unwrapped(later)).contains("agent> Welcome back, Grace \u2014 I remember: The user lives in London; The user"
                    + " prefers long walks; The user prefers tea.");
        } finally {
            ChatCommand.input = System.in;
        }
        List<String> city = dataLines(memoria("facts", "list", "--namespace", "users/" + user, "--key", "city",
                "--all-versions", "--store", chat));
        assertThat(city).hasSize(2);
        assertThat(city.get(0)).contains("city v2", "current", "The user lives in London");
        assertThat(city.get(1)).contains("city v1", "until ", "The user lives in Paris");
    }
}
