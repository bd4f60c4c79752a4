package dev.memoria.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.memoria.Limits;
import dev.memoria.memory.Event;
import dev.memoria.memory.EventQuery;
import dev.memoria.memory.EventType;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.run.Run;
import dev.memoria.run.RunFilter;
import dev.memoria.run.RunRef;
import dev.memoria.session.Session;
import dev.memoria.session.SessionFilter;
import dev.memoria.spi.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Stored data outlives the code that wrote it (DESIGN, "Compatibility"): records written by hand,
 * as another version of Memoria would have written them, stay readable. Event types this version
 * does not know read as {@link EventType#UNKNOWN} with their stored name, and values over today's
 * limits read back exactly. A durable backend extends this class and writes raw rows or documents
 * through {@link #raw()}.
 */
public abstract class CompatibilityContract extends ContractSupport {

    /**
     * Writes rows or documents straight into the backend's storage of the stores under test, the
     * way the current schema lays them out, bypassing every check of the stores.
     */
    public interface RawStorage {
        /**
         * @param id the session's id
         * @param createdAtMillis its creation time
         * @param labelsJson its labels as a JSON object
         * @param metadataJson its metadata as a JSON object
         */
        void insertSession(String id, long createdAtMillis, String labelsJson, String metadataJson);

        /**
         * @param id the run's id
         * @param sessionId its session
         * @param agentId its agent
         * @param status its status name
         * @param startedAtMillis its start time
         * @param labelsJson its labels as a JSON object
         * @param error its error, or null
         */
        void insertRun(String id, String sessionId, String agentId, String status, long startedAtMillis,
                       String labelsJson, String error);

        /**
         * Writes events as one batch at the end of a run's log, creating the log if needed.
         *
         * @param run the run
         * @param events the events, with consecutive sequences after the log's last one
         */
        void insertEvents(RunRef run, List<RawEvent> events);
    }

    /**
     * One event as another version of Memoria stored it.
     *
     * @param sequence its sequence
     * @param key its idempotency key
     * @param typeName its type's stored name
     * @param timestampMillis its timestamp
     * @param dataJson its data as a JSON object
     * @param labelsJson its labels as a JSON object
     */
    public record RawEvent(long sequence, String key, String typeName, long timestampMillis, String dataJson,
                           String labelsJson) {
    }

    /**
     * Called after {@code newStores}, so it may use the same storage.
     *
     * @return direct access to the storage of {@link #stores}
     */
    protected abstract RawStorage raw();

    private final RunRef run = new RunRef("old-session", "agent", "old-run");

    @Test
    @DisplayName("Compatibility: an event type this version does not know is read with its stored name, never an error")
    void compatibility_unknownEventTypesAreReadWithTheirStoredName() {
        long t = START.toEpochMilli();
        raw().insertEvents(run, List.of(
                new RawEvent(1, "k1", "USER_MESSAGE", t, "{\"text\":\"hello\"}", "{}"),
                new RawEvent(2, "k2", "DIGEST", t + 1, "{\"text\":\"the story so far\",\"covers\":[1,1]}", "{}"),
                new RawEvent(3, "k3", "FROM_THE_FUTURE", t + 2, "{\"shape\":{\"nested\":[1,2.5,null]}}", "{\"l\":\"v\"}"),
                new RawEvent(4, "k4", "ASSISTANT_MESSAGE", t + 3, "{\"text\":\"hi\"}", "{}")));
        List<MemoryEvent> loaded = stores.memory().load(run).events();
        assertThat(loaded).extracting(MemoryEvent::type).containsExactly(EventType.USER_MESSAGE, EventType.UNKNOWN,
                EventType.UNKNOWN, EventType.ASSISTANT_MESSAGE);
        assertThat(loaded).extracting(MemoryEvent::typeName).containsExactly("USER_MESSAGE", "DIGEST", "FROM_THE_FUTURE",
                "ASSISTANT_MESSAGE");
        assertThat(loaded.get(1).textIfAny()).contains("the story so far");
        assertThat(loaded.get(2).data()).isEqualTo(Map.of("shape", Map.of("nested", java.util.Arrays.asList(1L, 2.5, null))));
        assertThat(loaded.get(2).labels()).isEqualTo(Map.of("l", "v"));
        assertThat(stores.memory().read(EventQuery.run(run).latest(3)).items()).extracting(MemoryEvent::typeName)
                .containsExactly("DIGEST", "FROM_THE_FUTURE", "ASSISTANT_MESSAGE");
        assertThat(stores.memory().read(EventQuery.run(run).after(1).limit(2)).items()).extracting(MemoryEvent::typeName)
                .containsExactly("DIGEST", "FROM_THE_FUTURE");
        assertThat(stores.memory().read(EventQuery.session(run.sessionId())).items()).extracting(MemoryEvent::typeName)
                .containsExactly("USER_MESSAGE", "DIGEST", "FROM_THE_FUTURE", "ASSISTANT_MESSAGE");
        assertThat(stores.memory().read(EventQuery.run(run).types(EventType.USER_MESSAGE, EventType.ASSISTANT_MESSAGE))
                .items()).extracting(MemoryEvent::key).containsExactly("k1", "k4");
        assertThat(stores.memory().read(EventQuery.session(run.sessionId()).types(EventType.ASSISTANT_MESSAGE).latest(5))
                .items()).extracting(MemoryEvent::key).containsExactly("k4");
        // UNKNOWN finds every type this version does not know, alone or with known ones
        assertThat(stores.memory().read(EventQuery.run(run).types(EventType.UNKNOWN)).items())
                .extracting(MemoryEvent::key).containsExactly("k2", "k3");
        assertThat(stores.memory().read(EventQuery.run(run).types(EventType.UNKNOWN, EventType.USER_MESSAGE).latest(2))
                .items()).extracting(MemoryEvent::key).containsExactly("k2", "k3");
        assertThat(stores.memory().read(EventQuery.session(run.sessionId()).types(EventType.UNKNOWN, EventType.ASSISTANT_MESSAGE))
                .items()).extracting(MemoryEvent::key).containsExactly("k2", "k3", "k4");
        // the log goes on, a retry of an unknown-typed event is recognised, and a copy keeps the name
        assertThat(stores.memory().append(run, List.of(Event.userMessage("more"))).get(0).sequence()).isEqualTo(5);
        assertThat(stores.memory().append(run, List.of(loaded.get(1).toEvent()))).containsExactly(loaded.get(1));
        RunRef copy = new RunRef(run.sessionId(), "agent", "copy");
        List<MemoryEvent> copied = stores.memory().append(copy, loaded.stream().map(MemoryEvent::toEvent).toList());
        assertThat(copied).extracting(MemoryEvent::typeName).containsExactly("USER_MESSAGE", "DIGEST", "FROM_THE_FUTURE",
                "ASSISTANT_MESSAGE");
        assertThat(stores.memory().load(copy).events()).isEqualTo(copied);
    }

    @Test
    @DisplayName("Compatibility: records over today's limits stay readable; writing them again applies today's rules")
    void compatibility_recordsOverTodaysLimitsStayReadable() {
        Map<String, String> labels = new LinkedHashMap<>();
        for (int i = 0; i < Limits.MAX_LABELS + 36; i++) {
            labels.put("label-" + i, "v".repeat(Limits.MAX_LABEL_VALUE_LENGTH + 100));
        }
        Map<String, Object> metadata = Map.of("notes", "n".repeat(Limits.MAX_METADATA_BYTES + 30_000));
        Map<String, Object> data = Map.of("text", "t".repeat(Limits.MAX_EVENT_DATA_BYTES + 500_000));
        String error = "e".repeat(Limits.MAX_ERROR_LENGTH + 4_000);
        long t = START.toEpochMilli();
        raw().insertSession("big-session", t, Json.write(labels), Json.write(metadata));
        raw().insertRun("big-run", "big-session", "agent", "FAILED", t, Json.write(labels), error);
        RunRef ref = new RunRef("big-session", "agent", "big-run");
        raw().insertEvents(ref, List.of(new RawEvent(1, "big", "ASSISTANT_MESSAGE", t, Json.write(data), Json.write(labels))));

        Session session = stores.sessions().get("big-session").orElseThrow();
        assertThat(session.labels()).isEqualTo(labels);
        assertThat(session.metadata()).isEqualTo(metadata);
        assertThat(stores.sessions().list(SessionFilter.all()).items()).containsExactly(session);
        Run stored = stores.runs().get("big-run").orElseThrow();
        assertThat(stored.error()).isEqualTo(error);
        assertThat(stored.labels()).isEqualTo(labels);
        assertThat(stores.runs().list(RunFilter.session("big-session")).items()).containsExactly(stored);
        MemoryEvent event = stores.memory().load(ref).events().get(0);
        assertThat(event.data()).isEqualTo(data);
        assertThat(event.labels()).isEqualTo(labels);
        assertThat(stores.memory().read(EventQuery.run(ref).latest(1)).items()).containsExactly(event);
        assertThat(stores.memory().read(EventQuery.session("big-session")).items()).containsExactly(event);

        assertThatThrownBy(() -> stores.sessions().update(session)).as("an update keeps today's limits")
                .isInstanceOf(IllegalArgumentException.class).hasMessage("labels: at most 64 entries, got 100");
        Session trimmed = stores.sessions().update(session.withLabels(Map.of("kept", "yes")).withMetadata(Map.of()));
        assertThat(trimmed.version()).isEqualTo(2);
        assertThat(stores.sessions().get("big-session")).contains(trimmed);
    }
}
