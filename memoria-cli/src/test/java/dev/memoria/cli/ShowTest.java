package dev.memoria.cli;

import static dev.memoria.cli.CliTest.memoria;
import static org.assertj.core.api.Assertions.assertThat;

import dev.memoria.Stores;
import dev.memoria.memory.Event;
import dev.memoria.memory.EventType;
import dev.memoria.run.NewRun;
import dev.memoria.run.Run;
import dev.memoria.session.NewSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code show} and {@code events} render every stored event, whatever its type or shape, and pair tool calls right. */
class ShowTest {
    @TempDir
    Path dir;

    private static Map<String, Object> data(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    /** Events as other writers may store them: shapes the typed helpers never make, and a type this version does not know. */
    private String storeWithOddEvents() {
        String store = "sqlite:" + dir.resolve("odd.db");
        try (Stores stores = Stores.open(store)) {
            stores.sessions().create(NewSession.builder().id("odd").build());
            Run run = stores.runs().create(NewRun.builder("odd", "agent").id("r1").build());
            stores.memory().append(run.ref(), List.of(
                    Event.userMessage("hi"),
                    Event.of(EventType.ASSISTANT_MESSAGE, Map.of("content", "x")),
                    Event.of(EventType.TOOL_CALL, data("tool", "calc", "arguments", data("a", 1L))),
                    Event.of(EventType.TOOL_RESULT, data("tool", "clock", "result", "noon", "isError", false)),
                    new Event(null, "DIGEST", null, Map.of("text", "so far: hi"), Map.of()),
                    Event.toolCall("c1", "calc", Map.of("b", 2L)),
                    Event.toolResult("c1", "calc", 42L, false),
                    Event.of(EventType.TOOL_CALL, data("callId", "c2", "tool", "calc", "arguments", "oops")),
                    Event.of(EventType.TOOL_RESULT, data("callId", "c2", "result", 3L)),
                    Event.of(EventType.THINKING, data("text", 5L)),
                    Event.of(EventType.TOOL_RESULT, data("callId", "c9", "tool", "calc", "result", 7L, "isError", true)),
                    Event.toolCall("c3", "calc", Map.of()),
                    new Event(null, "UNDO", null, Map.of(), Map.of()),
                    Event.systemMessage("be brief"),
                    Event.of(EventType.WINDOW, data("from", 14L, "keep", List.of()))));
        }
        return store;
    }

    @Test
    void showRendersEveryEventAndPairsOnlyByAPresentCallId() {
        String store = storeWithOddEvents();
        CliTest.Result show = memoria("show", "odd", "--store", store);
        assertThat(show.code()).as(show.err()).isZero();
        assertThat(show.err()).isEmpty();
        List<String> events = show.out().lines().filter(l -> l.startsWith("     #")).map(String::strip).toList();
        assertThat(events).containsExactly(
                "#1 user: hi",
                "#2 ASSISTANT_MESSAGE {\"content\":\"x\"}",
                "#3 tool call calc {\"a\":1}",
                "#4 tool result clock \"noon\"",
                "#5 DIGEST {\"text\":\"so far: hi\"}",
                "#6 tool calc {\"b\":2} -> 42 (#7)",
                "#8 TOOL_CALL {\"callId\":\"c2\",\"tool\":\"calc\",\"arguments\":\"oops\"}",
                "#9 TOOL_RESULT {\"callId\":\"c2\",\"result\":3}",
                "#10 THINKING {\"text\":5}",
                "#11 tool result calc (error) 7",
                "#12 tool calc {} -> (no result)",
                "#13 UNDO {}",
                "#14 system: be brief",
                "#15 window moved {\"from\":14,\"keep\":[]}");
    }

    /**
     * A parent run with two children, the first with a child of its own, then a second top-level
     * run, and a run whose parent is in another session: each child under its parent, joined to
     * it by a line down the parent's events, in start order.
     */
    @Test
    void showDrawsChildRunsIndentedUnderTheirParentRun() {
        String store = "sqlite:" + dir.resolve("children.db");
        try (Stores stores = Stores.open(store)) {
            stores.sessions().create(NewSession.builder().id("family").build());
            stores.sessions().create(NewSession.builder().id("elsewhere").build());
            Run parent = stores.runs().create(NewRun.builder("family", "planner").id("p").build());
            stores.memory().append(parent.ref(), List.of(Event.userMessage("plan a trip"), Event.assistantMessage("done")));
            Run child = stores.runs().create(NewRun.builder("family", "flights").id("p.1").parentRunId("p").build());
            stores.memory().append(child.ref(), List.of(Event.userMessage("find flights"),
                    Event.toolCall("c1", "search", Map.of("to", "FCO")), Event.toolResult("c1", "search", "AZ 610", false)));
            Run grandchild = stores.runs().create(NewRun.builder("family", "prices").id("p.1.1").parentRunId("p.1").build());
            stores.memory().append(grandchild.ref(), List.of(Event.userMessage("price AZ 610")));
            Run second = stores.runs().create(NewRun.builder("family", "hotels").id("p.2").parentRunId("p").build());
            stores.memory().append(second.ref(), List.of(Event.userMessage("find hotels")));
            Run next = stores.runs().create(NewRun.builder("family", "planner").id("q").build());
            stores.memory().append(next.ref(), List.of(Event.userMessage("thanks")));
            Run other = stores.runs().create(NewRun.builder("elsewhere", "planner").id("x").build());
            stores.runs().create(NewRun.builder("family", "helper").id("orphan").parentRunId(other.id()).build());
        }
        CliTest.Result show = memoria("show", "family", "--store", store);
        assertThat(show.code()).as(show.err()).isZero();
        List<String> lines = show.out().lines().skip(2).map(l -> l.replaceAll("started [-0-9]+ [:0-9]+", "started T")).toList();
        assertThat(lines).containsExactly(
                "\u251c\u2500 run p",
                "\u2502  \u2502 agent planner, PENDING, started T",
                "\u2502  \u2502 #1 user: plan a trip",
                "\u2502  \u2502 #2 assistant: done",
                "\u2502  \u251c\u2500 run p.1",
                "\u2502  \u2502  \u2502 agent flights, PENDING, started T",
                "\u2502  \u2502  \u2502 #1 user: find flights",
                "\u2502  \u2502  \u2502 #2 tool search {\"to\":\"FCO\"} -> \"AZ 610\" (#3)",
                "\u2502  \u2502  \u2514\u2500 run p.1.1",
                "\u2502  \u2502      agent prices, PENDING, started T",
                "\u2502  \u2502       #1 user: price AZ 610",
                "\u2502  \u2514\u2500 run p.2",
                "\u2502      agent hotels, PENDING, started T",
                "\u2502       #1 user: find hotels",
                "\u251c\u2500 run q",
                "\u2502   agent planner, PENDING, started T",
                "\u2502    #1 user: thanks",
                "\u2514\u2500 run orphan",
                "    agent helper, PENDING, started T, child of run x");
        assertThat(show.out().lines()).allMatch(l -> l.length() <= 80, "fits 80 columns");
    }

    @Test
    void eventsRendersEveryEventAsALineOrAsJsonWithItsStoredTypeName() {
        String store = storeWithOddEvents();
        CliTest.Result events = memoria("events", "r1", "--store", store);
        assertThat(events.code()).as(events.err()).isZero();
        assertThat(events.out().lines().toList()).containsExactly(
                "#1 user: hi",
                "#2 ASSISTANT_MESSAGE {\"content\":\"x\"}",
                "#3 tool call calc {\"a\":1}",
                "#4 tool result clock \"noon\"",
                "#5 DIGEST {\"text\":\"so far: hi\"}",
                "#6 tool call calc {\"b\":2}",
                "#7 tool result calc 42",
                "#8 TOOL_CALL {\"callId\":\"c2\",\"tool\":\"calc\",\"arguments\":\"oops\"}",
                "#9 TOOL_RESULT {\"callId\":\"c2\",\"result\":3}",
                "#10 THINKING {\"text\":5}",
                "#11 tool result calc (error) 7",
                "#12 tool call calc {}",
                "#13 UNDO {}",
                "#14 system: be brief",
                "#15 window moved {\"from\":14,\"keep\":[]}");
        assertThat(memoria("events", "r1", "--store", store, "--json").out().lines().toList().get(4))
                .contains("\"type\":\"DIGEST\"", "\"data\":{\"text\":\"so far: hi\"}");
        assertThat(memoria("stats", "--store", store).out()).contains("DIGEST=1", "UNDO=1", "TOOL_CALL=4")
                .doesNotContain("UNKNOWN");
    }

    @Test
    void eventsOfATypeThisVersionDoesNotKnowSurviveExportImportAndCopy() throws Exception {
        String store = storeWithOddEvents();
        Path export = dir.resolve("odd.jsonl");
        assertThat(memoria("export", "--store", store, "--out", export.toString()).code()).isZero();
        assertThat(Files.readString(export)).contains("\"type\":\"DIGEST\"", "\"type\":\"UNDO\"");
        String imported = "sqlite:" + dir.resolve("imported.db");
        CliTest.Result result = memoria("import", export.toString(), "--store", imported);
        assertThat(result.code()).as(result.err()).isZero();
        assertThat(result.out()).contains("1 session, 1 run, 15 events written");
        assertThat(memoria("export", "--store", imported).out()).isEqualTo(Files.readString(export));
        String copied = "sqlite:" + dir.resolve("copied.db");
        assertThat(memoria("copy", "--from", store, "--to", copied).code()).isZero();
        assertThat(memoria("export", "--store", copied).out()).isEqualTo(Files.readString(export));
    }

    /**
     * 20,000 events, 5,000 call/result pairs, two calls open at a time and answered in reverse
     * order. Pairing scans once; a scan of the run for each result (25 million steps here) would
     * make this test crawl, but what it asserts is the output.
     */
    @Test
    void aLongRunShowsEveryEventWithEachResultBesideItsOwnCall() {
        String store = "sqlite:" + dir.resolve("long.db");
        int groups = 2_500;
        try (Stores stores = Stores.open(store)) {
            stores.sessions().create(NewSession.builder().id("long").build());
            Run run = stores.runs().create(NewRun.of("long", "agent"));
            List<Event> batch = new ArrayList<>();
            for (int g = 0; g < groups; g++) {
                batch.add(Event.toolCall("a" + g, "calc", Map.of("n", (long) g)));
                batch.add(Event.toolCall("b" + g, "calc", Map.of("m", (long) g)));
                batch.add(Event.userMessage("u" + g));
                batch.add(Event.toolResult("b" + g, "calc", "rb" + g, false));
                batch.add(Event.assistantMessage("x" + g));
                batch.add(Event.toolResult("a" + g, "calc", "ra" + g, false));
                batch.add(Event.thinking("t" + g));
                batch.add(Event.plannerNote("p" + g));
                if (batch.size() == 1000) {
                    stores.memory().append(run.ref(), batch);
                    batch.clear();
                }
            }
            assertThat(batch).isEmpty();
        }
        CliTest.Result show = memoria("show", "long", "--store", store);
        assertThat(show.code()).as(show.err()).isZero();
        List<String> expected = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            int base = 8 * g;
            expected.add("#" + (base + 1) + " tool calc {\"n\":" + g + "} -> \"ra" + g + "\" (#" + (base + 6) + ")");
            expected.add("#" + (base + 2) + " tool calc {\"m\":" + g + "} -> \"rb" + g + "\" (#" + (base + 4) + ")");
            expected.add("#" + (base + 3) + " user: u" + g);
            expected.add("#" + (base + 5) + " assistant: x" + g);
            expected.add("#" + (base + 7) + " thinking: t" + g);
            expected.add("#" + (base + 8) + " planner: p" + g);
        }
        assertThat(show.out().lines().filter(l -> l.startsWith("     #")).map(String::strip).toList())
                .isEqualTo(expected);
    }
}
