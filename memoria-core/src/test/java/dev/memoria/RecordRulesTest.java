package dev.memoria;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.memoria.memory.Event;
import dev.memoria.memory.EventQuery;
import dev.memoria.memory.EventType;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.run.Run;
import dev.memoria.run.RunFilter;
import dev.memoria.run.RunRef;
import dev.memoria.run.RunStatus;
import dev.memoria.session.NewSession;
import dev.memoria.session.Session;
import dev.memoria.session.SessionStatus;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The write-time rules of the value types, which need no store: specs, events, queries and the
 * {@code with...} copies refuse bad values with messages that name the field and the limit; stored
 * records are trusted and read whatever the limits are today.
 */
class RecordRulesTest {
    private static final RunRef RUN = new RunRef("session-1", "agent", "run-1");
    private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void sessionSpecsRefuseBadIdsLabelsAndMetadata() {
        assertThatThrownBy(() -> NewSession.builder().id("").build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("id: must not be blank");
        assertThatThrownBy(() -> NewSession.builder().userId("u\u0000").build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("userId: must not contain control characters (found U+0000 at index 1)");
        Map<String, String> tooMany = new LinkedHashMap<>();
        for (int i = 0; i < 65; i++) {
            tooMany.put("k" + i, "v");
        }
        assertThatThrownBy(() -> NewSession.builder().labels(tooMany).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("labels: at most 64 entries, got 65");
        assertThatThrownBy(() -> NewSession.builder().label("k", "v".repeat(1025)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("labels[k]: value at most 1024 characters, got 1025");
        assertThatThrownBy(() -> NewSession.builder().label("k".repeat(129), "v").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("key at most 128 characters, got 129");
        assertThatThrownBy(() -> NewSession.builder().label("k", "nul\u0000").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("labels[k]: must not contain the NUL character (U+0000) at index 3");
        assertThatThrownBy(() -> NewSession.builder().metadata("big", "x".repeat(64 * 1024)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("metadata: at most 65,536 bytes of JSON, got 65,546");
        assertThatThrownBy(() -> NewSession.builder().metadata("nan", Double.NaN).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("metadata.nan: NaN is not a JSON number (NaN and infinities are refused)");
        assertThatThrownBy(() -> NewSession.builder().metadata("inf", Double.POSITIVE_INFINITY).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("metadata.inf: Infinity is not a JSON number");
        assertThatThrownBy(() -> NewSession.builder().metadata("date", new java.util.Date(0)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("metadata.date: java.util.Date is not a JSON value");
        assertThatThrownBy(() -> NewSession.builder().metadata("s", "a\u0000b").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NUL");
        assertThatThrownBy(() -> NewSession.builder().metadata("s", "\uD800 lone").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("metadata.s: unpaired UTF-16 surrogate U+D800 at index 0 is not valid Unicode text");
        assertThatThrownBy(() -> NewSession.builder().metadata("m", Collections.singletonMap(1, "x")).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("metadata.m: map keys must be Strings, got java.lang.Integer");
    }

    @Test
    void withCopiesApplyTheWriteTimeRules() {
        Session s = new Session("s", null, SessionStatus.ACTIVE, T, T, T, null, Map.of(), Map.of(), 1);
        assertThatThrownBy(() -> s.withMetadata("nan", Double.NaN)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("metadata.nan: NaN");
        assertThatThrownBy(() -> s.withLabel("k", "v".repeat(1025))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("labels[k]: value at most 1024 characters, got 1025");
        assertThatThrownBy(() -> s.withUserId(" ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("userId: must not be blank");
        Run r = new Run("r", "s", "a", null, RunStatus.RUNNING, T, T, null, Map.of(), Map.of(), null, 1);
        assertThatThrownBy(() -> r.failed("x".repeat(16 * 1024 + 1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("error: at most 16384 characters, got 16385");
        assertThatThrownBy(() -> r.withMetadata("x", Instant.EPOCH)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("metadata.x: java.time.Instant is not a JSON value");
    }

    @Test
    void eventsAndQueriesRefuseBadArguments() {
        assertThatThrownBy(() -> new RunRef("s", "a", "")).isInstanceOf(IllegalArgumentException.class).hasMessage("runId: must not be blank");
        assertThatThrownBy(() -> EventQuery.run(RUN).after(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("after: must not be negative, got -1");
        assertThatThrownBy(() -> EventQuery.run(RUN).limit(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("limit: must be between 1 and 1000, got 0");
        assertThatThrownBy(() -> EventQuery.run(RUN).latest(1001)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("latest: must be between 1 and 1000, got 1001");
        assertThatThrownBy(() -> EventQuery.run(RUN).types((EventType) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Event.userMessage("nul \u0000")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("data.text: must not contain the NUL character (U+0000) at index 4");
        assertThatThrownBy(() -> Event.userMessage(null)).isInstanceOf(NullPointerException.class).hasMessage("text");
        assertThatThrownBy(() -> Event.toolCall("", "t", Map.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("callId: must not be blank");
        assertThatThrownBy(() -> new Event("k\n", EventType.THINKING, null, Map.of(), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("key: must not contain control characters");
        assertThatThrownBy(() -> Event.of(EventType.THINKING, Map.of("text", Float.NaN))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RunFilter.all().statuses(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> RunFilter.all().limit(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("limit: must be between 1 and 1000, got -1");
    }

    @Test
    void typeNamesAreCheckedAtWriteTimeAndUnknownNamesReadAsUnknown() {
        assertThatThrownBy(() -> new Event(null, EventType.UNKNOWN, null, Map.of(), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("type: UNKNOWN stands for a type");
        assertThatThrownBy(() -> new Event(null, "lower", null, Map.of(), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("type: a type name is 1 to 32 upper case");
        assertThatThrownBy(() -> new Event(null, "X".repeat(33), null, Map.of(), Map.of()))
                .isInstanceOf(IllegalArgumentException.class);
        Event custom = new Event("k", "DIGEST", null, Map.of("text", "so far"), Map.of());
        assertThat(custom.type()).isEqualTo(EventType.UNKNOWN);
        assertThat(custom.typeName()).isEqualTo("DIGEST");
        assertThat(Event.userMessage("hi").typeName()).isEqualTo("USER_MESSAGE");
        MemoryEvent stored = new MemoryEvent(RUN, 1, "k", "DIGEST", T, Map.of("text", "so far"), Map.of());
        assertThat(stored.type()).isEqualTo(EventType.UNKNOWN);
        assertThat(stored.textIfAny()).contains("so far");
        assertThatThrownBy(stored::text).isInstanceOf(IllegalStateException.class)
                .hasMessage("event 1 is a DIGEST without text");
        assertThat(custom.sameContentAs(stored)).isTrue();
        assertThat(stored.toEvent()).isEqualTo(custom.withTimestamp(T));
        assertThat(new MemoryEvent(RUN, 1, "k", "SUMMARIES", T, Map.of("text", "so far"), Map.of()))
                .isNotEqualTo(stored);
        assertThat(EventType.ofName("TOOL_CALL")).isEqualTo(EventType.TOOL_CALL);
        assertThat(EventType.ofName("UNKNOWN")).isEqualTo(EventType.UNKNOWN);
        assertThat(EventType.ofName(null)).isEqualTo(EventType.UNKNOWN);
    }

    @Test
    void storedRecordsAreTrustedWhateverTodaysLimits() {
        Map<String, String> labels = new LinkedHashMap<>();
        for (int i = 0; i < 200; i++) {
            labels.put("k" + i, "v".repeat(2000));
        }
        Map<String, Object> metadata = Map.of("big", "x".repeat(200_000), "nul", "a\u0000b");
        Session s = new Session("x".repeat(400), "u".repeat(400), SessionStatus.ACTIVE, T, T, T, null, labels, metadata, 3);
        assertThat(s.labels()).hasSize(200);
        assertThat(s.metadata()).isEqualTo(metadata);
        Run r = new Run("r", "s", "a", null, RunStatus.FAILED, T, T, T, labels, metadata, "e".repeat(20_000), 2);
        assertThat(r.error()).hasSize(20_000);
        MemoryEvent e = new MemoryEvent(RUN, 1, "k".repeat(400), "USER_MESSAGE", T,
                Map.of("text", "t".repeat(2 * 1024 * 1024)), labels);
        assertThat(e.text()).hasSize(2 * 1024 * 1024);
        assertThatThrownBy(e::toEvent).as("writing it again applies today's rules").isInstanceOf(IllegalArgumentException.class);
        assertThat(List.of(s.toString(), r.toString(), e.toString())).allMatch(text -> text.length() < 700);
    }

    @Test
    void aBigDecimalIsKeptExactlyOrRefusedNeverRounded() {
        Map<String, Object> kept = NewSession.builder().metadata("whole", new java.math.BigDecimal("42"))
                .metadata("half", new java.math.BigDecimal("0.5")).metadata("big", new java.math.BigDecimal("1267650600228229401496703205376")) // 2^100
                .build().metadata();
        assertThat(kept.get("whole")).isEqualTo(42L);
        assertThat(kept.get("half")).isEqualTo(0.5);
        assertThat(kept.get("big")).isEqualTo(Math.pow(2, 100));
        assertThatThrownBy(() -> NewSession.builder().metadata("price", new java.math.BigDecimal("0.1")).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("metadata.price: BigDecimal 0.1 has no exact JSON number here");
        assertThatThrownBy(() -> Event.of(EventType.TOOL_RESULT, Map.of("v", new java.math.BigDecimal("12345678901234567890.5"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("store it as a String");
    }

    @Test
    void eventsHaveTheUsualCopies() {
        Event e = Event.userMessage("hi").withKey("k");
        assertThat(e.withType(EventType.ASSISTANT_MESSAGE).type()).isEqualTo(EventType.ASSISTANT_MESSAGE);
        assertThat(e.withTypeName("NOTE_TO_SELF").typeName()).isEqualTo("NOTE_TO_SELF");
        assertThat(e.withData(Map.of("text", "bye")).data()).isEqualTo(Map.of("text", "bye"));
        assertThat(e.withLabels(Map.of("a", "b")).withLabel("c", "d").labels()).isEqualTo(Map.of("a", "b", "c", "d"));
        assertThat(e.withData(Map.of("text", "bye")).key()).isEqualTo("k");
        assertThatThrownBy(() -> e.withData(Map.of("bad", Double.NaN))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> e.withType(EventType.UNKNOWN)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anAgentFromAFunction() throws Exception {
        dev.memoria.runtime.Agent echo = dev.memoria.runtime.Agent.of("echo", turn -> turn.say("You said: " + turn.input()));
        assertThat(echo.id()).isEqualTo("echo");
        assertThat(echo).hasToString("Agent[echo]");
        Stores stores = Stores.inMemory();
        dev.memoria.runtime.AgentRuntime rt = dev.memoria.runtime.AgentRuntime.create(stores);
        String session = rt.startSession(null, null).id();
        assertThat(rt.run(session, echo, "hi").reply()).contains("You said: hi");
        assertThatThrownBy(() -> dev.memoria.runtime.Agent.of(" ", t -> { })).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("id: must not be blank");
        assertThat(stores.runs().list(dev.memoria.run.RunFilter.session(session)
                .orderBy(dev.memoria.run.RunOrder.NEWEST_FIRST).limit(1)).first()).map(dev.memoria.run.Run::agentId).contains("echo");
    }
}
