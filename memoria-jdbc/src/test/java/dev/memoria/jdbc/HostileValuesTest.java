package dev.memoria.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memoria.Stores;
import dev.memoria.memory.Event;
import dev.memoria.memory.EventQuery;
import dev.memoria.memory.EventType;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.run.NewRun;
import dev.memoria.run.Run;
import dev.memoria.session.NewSession;
import dev.memoria.session.Session;
import dev.memoria.session.SessionFilter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Values that break SQL built by concatenation round-trip exactly, since every value is a bound parameter. */
class HostileValuesTest {
    @TempDir
    static Path dir;

    static Stream<String> backends() {
        return Stream.of("sqlite", "postgresql");
    }

    private static Stores open(String backend) {
        return backend.equals("sqlite") ? JdbcStores.sqlite(dir.resolve("hostile.db"))
                : JdbcStores.create(PostgresServer.get().dataSource(), JdbcOptions.defaults().tablePrefix(PostgresServer.freshPrefix()));
    }

    @ParameterizedTest
    @MethodSource("backends")
    void hostileIdsLabelsMetadataAndDataRoundTrip(String backend) {
        String sessionId = "'; DROP TABLE memoria_sessions; --";
        String userId = "back\\slash \"quoted\" ; semi -- dash \u00e9\uD83D\uDE00";
        String agentId = "agent'); DELETE FROM memoria_events; --";
        String runId = "run\\' OR '1'='1";
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("key'\"\\", "value'); --");
        labels.put("\u05E9\u05DC\u05D5\u05DD", "\u202E\u0645\u0631\u062D\u0628\u0627");
        labels.put("%_like*", "?$1:name");
        // about a million characters, just under the 1 MiB data limit once encoded
        String big = ("x".repeat(90) + "'\";--\\ \u00e9\uD83D\uDE00").repeat(9_900);
        try (Stores stores = open(backend)) {
            Session session = stores.sessions().create(NewSession.builder().id(sessionId).userId(userId).labels(labels)
                    .metadata("sql", "' OR 1=1; --").metadata("long", big.substring(0, 20_000)).build());
            assertThat(stores.sessions().get(sessionId)).contains(session);
            assertThat(stores.sessions().list(SessionFilter.all().userId(userId).label("key'\"\\", "value'); --")).items())
                    .containsExactly(session);
            assertThat(stores.sessions().list(SessionFilter.all().label("%_like*", "?$1:%")).items()).isEmpty();
            Run run = stores.runs().create(NewRun.builder(sessionId, agentId).id(runId).label("l'", "v\"").build());
            assertThat(stores.runs().listBySession(sessionId)).containsExactly(run);
            Event event = new Event("key' OR '1'='1", EventType.TOOL_RESULT, null, Map.of("big", big, "k'\"", List.of("--", ";")),
                    labels);
            MemoryEvent stored = stores.memory().append(run.ref(), List.of(event)).get(0);
            MemoryEvent loaded = stores.memory().load(run.ref()).events().get(0);
            assertThat(loaded).isEqualTo(stored);
            assertThat(loaded.data().get("big")).isEqualTo(big);
            assertThat(loaded.key()).isEqualTo("key' OR '1'='1");
            assertThat(stores.memory().read(EventQuery.session(sessionId)).items()).containsExactly(stored);
            assertThat(stores.memory().append(run.ref(), List.of(event))).containsExactly(stored);
            stores.purgeSession(sessionId);
            assertThat(stores.sessions().get(sessionId)).isEmpty();
            assertThat(stores.sessions().list(SessionFilter.all()).items()).isEmpty();
        }
    }
}
