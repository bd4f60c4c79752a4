package dev.memoria.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.memoria.NotFoundException;
import dev.memoria.SessionEndedException;
import dev.memoria.Stores;
import dev.memoria.memory.Event;
import dev.memoria.memory.EventQuery;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.run.NewRun;
import dev.memoria.run.Run;
import dev.memoria.run.RunFilter;
import dev.memoria.run.RunRef;
import dev.memoria.run.RunStatus;
import dev.memoria.session.NewSession;
import dev.memoria.session.Session;
import dev.memoria.session.SessionFilter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Contracts X1–X4 of a backend's three stores together. Extend it and implement
 * {@link #newStores(Clock)}; a durable backend also overrides {@link #isDurable()} and
 * {@link #reopenStores(Clock)}.
 */
public abstract class StoresContract extends ContractSupport {

    /**
     * Whether the backend keeps data across close and reopen. A backend that is not durable (the
     * in-memory one) must document that closing loses everything; X3 then checks that it does not
     * pretend otherwise.
     *
     * @return true for a durable backend
     */
    protected boolean isDurable() {
        return true;
    }

    /**
     * Opens the storage of the last {@link #newStores(Clock)} again, after it was closed.
     *
     * @param clock the clock for the reopened stores
     * @return the reopened stores; the kit closes them
     */
    protected abstract Stores reopenStores(Clock clock);

    private Session sessionWithRuns(String id, int runs, int eventsPerRun) {
        Session s = stores.sessions().create(NewSession.builder().id(id).build());
        for (int r = 0; r < runs; r++) {
            Run run = stores.runs().create(NewRun.builder(s.id(), "agent").id(id + "-run-" + r).build());
            List<Event> events = new ArrayList<>();
            for (int e = 0; e < eventsPerRun; e++) {
                events.add(Event.userMessage(id + " run " + r + " event " + e));
            }
            stores.memory().append(run.ref(), events);
        }
        return s;
    }

    @Test
    @DisplayName("X1: purgeSession removes the session, its runs and their events, and is idempotent")
    void x1_purgeSessionRemovesEverythingAndIsIdempotent() {
        Session doomed = sessionWithRuns("doomed", 3, 5);
        Session kept = sessionWithRuns("kept", 2, 4);
        RunRef orphan = new RunRef(doomed.id(), "agent", "no-run-record");
        stores.memory().append(orphan, List.of(Event.userMessage("events without a run record")));

        stores.purgeSession(doomed.id());
        assertThat(stores.sessions().get(doomed.id())).isEmpty();
        assertThat(stores.runs().listBySession(doomed.id())).isEmpty();
        assertThat(stores.memory().read(EventQuery.session(doomed.id())).items()).isEmpty();
        for (int r = 0; r < 3; r++) {
            assertThat(stores.memory().load(new RunRef(doomed.id(), "agent", "doomed-run-" + r)).isEmpty()).isTrue();
        }
        assertThat(stores.memory().load(orphan).isEmpty()).isTrue();

        stores.purgeSession(doomed.id());
        stores.purgeSession("never-existed");
        assertThat(stores.sessions().get(kept.id())).isPresent();
        assertThat(stores.runs().listBySession(kept.id())).hasSize(2);
        assertThat(stores.memory().read(EventQuery.session(kept.id())).items()).hasSize(8);
    }

    @Test
    @DisplayName("X1: an interrupted purge is finished by a second call")
    void x1_interruptedPurgeIsFinishedBySecondCall() {
        Session s = sessionWithRuns("half", 4, 3);
        List<Run> runs = stores.runs().listBySession(s.id());
        // the first purge died after removing the first run's events and record, and the second run's events
        stores.memory().delete(runs.get(0).ref());
        stores.runs().delete(runs.get(0).id());
        stores.memory().delete(runs.get(1).ref());

        stores.purgeSession(s.id());
        assertThat(stores.sessions().get(s.id())).isEmpty();
        assertThat(stores.runs().list(RunFilter.session(s.id())).items()).isEmpty();
        assertThat(stores.memory().read(EventQuery.session(s.id())).items()).isEmpty();
    }

    @Test
    @DisplayName("X2: a run for an unknown session is NotFoundException; for an ended session SessionEndedException")
    void x2_runsNeedAnActiveSession() {
        assertThatThrownBy(() -> stores.runs().create(NewRun.of("no-such-session", "agent")))
                .isInstanceOf(NotFoundException.class).hasMessage("session no-such-session not found");
        Session s = stores.sessions().create(NewSession.anonymous());
        stores.sessions().update(s.ended());
        assertThatThrownBy(() -> stores.runs().create(NewRun.of(s.id(), "agent")))
                .isInstanceOf(SessionEndedException.class);
        assertThat(stores.runs().list(RunFilter.all()).items()).isEmpty();
    }

    @Test
    @DisplayName("X3: durable backends keep everything across close() and reopening")
    void x3_everythingSurvivesCloseAndReopen() {
        Session s = stores.sessions().create(NewSession.builder().id("durable").userId("ada")
                .metadata(hostileJson()).label("k", "v").build());
        Run run = stores.runs().update(stores.runs().create(NewRun.of(s.id(), "agent")).withStatus(RunStatus.RUNNING));
        List<MemoryEvent> events = stores.memory().append(run.ref(), List.of(Event.userMessage("remember me"),
                Event.of(dev.memoria.memory.EventType.TOOL_RESULT, hostileJson())));
        Session ended = stores.sessions().update(stores.sessions().get(s.id()).orElseThrow().ended());
        stores.close();
        stores.close(); // closing twice does nothing
        if (!isDurable()) {
            stores = newStores(clock);
            assertThat(stores.sessions().get(s.id())).as("a non-durable backend starts empty").isEmpty();
            return;
        }
        stores = reopenStores(clock);
        Session reread = stores.sessions().get(s.id()).orElseThrow();
        assertThat(reread).isEqualTo(ended);
        assertSameJson(reread.metadata(), hostileJson());
        assertThat(stores.runs().get(run.id())).contains(run);
        assertThat(stores.memory().load(run.ref()).events()).isEqualTo(events);
        assertSameJson(stores.memory().load(run.ref()).events().get(1).data(), hostileJson());
        assertThat(stores.memory().append(run.ref(), List.of(Event.assistantMessage("still counting"))).get(0).sequence())
                .isEqualTo(3);
    }

    @Test
    @DisplayName("X4: many threads using all three stores at once are safe")
    void x4_concurrentUseOfAllStoresIsSafe() {
        int sessionsPerThread = 10;
        onThreads(t -> {
            for (int i = 0; i < sessionsPerThread; i++) {
                Session s = stores.sessions().create(NewSession.builder().userId("user-" + t).build());
                Run run = stores.runs().create(NewRun.of(s.id(), "agent-" + t));
                stores.memory().append(run.ref(), List.of(Event.userMessage("q" + i), Event.assistantMessage("a" + i)));
                stores.runs().update(run.id(), r -> r.withStatus(RunStatus.RUNNING));
                stores.sessions().update(s.id(), x -> x.withMetadata("done", true));
                stores.memory().read(EventQuery.session(s.id()));
            }
            return null;
        });
        List<Session> all = new ArrayList<>();
        var page = stores.sessions().list(SessionFilter.all().limit(1000));
        all.addAll(page.items());
        assertThat(all).hasSize(THREADS * sessionsPerThread).allMatch(s -> Boolean.TRUE.equals(s.metadata().get("done")));
        for (Session s : all) {
            List<Run> runs = stores.runs().listBySession(s.id());
            assertThat(runs).hasSize(1).allMatch(r -> r.status() == RunStatus.RUNNING && r.version() == 2);
            assertThat(stores.memory().load(runs.get(0).ref()).events()).extracting(MemoryEvent::sequence)
                    .containsExactly(1L, 2L);
        }
        assertThat(stores.sessions().list(SessionFilter.all().userId("user-3")).items()).hasSize(sessionsPerThread);
    }

    @Test
    @DisplayName("S9: ids, keys, labels and filters that break hand-built queries round-trip exactly on every store")
    void s9_hostileIdsKeysLabelsAndFiltersRoundTrip() {
        String sessionId = "'; DROP TABLE memoria_sessions; --";
        String userId = "back\\slash \"quoted\" ; semi -- dash \u00e9\uD83D\uDE00 $where {\"$ne\": 1}";
        String agentId = "agent'); DELETE FROM memoria_events; --";
        String runId = "run\\' OR '1'='1 .dotted.$dollar";
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("key'\"\\", "value'); --");
        labels.put("\u05E9\u05DC\u05D5\u05DD", "\u202E\u0645\u0631\u062D\u0628\u0627");
        labels.put("%_like*", "?$1:name");
        labels.put("$gt", "operator");
        labels.put("a.b", "path");
        // about a million characters, just under the 1 MiB data limit once encoded
        String big = ("x".repeat(90) + "'\";--\\ \u00e9\uD83D\uDE00").repeat(9_900);
        Session session = stores.sessions().create(NewSession.builder().id(sessionId).userId(userId).labels(labels)
                .metadata("sql", "' OR 1=1; --").metadata("long", big.substring(0, 20_000)).build());
        assertThat(stores.sessions().get(sessionId)).contains(session);
        assertThat(stores.sessions().list(SessionFilter.all().userId(userId).label("key'\"\\", "value'); --")).items())
                .containsExactly(session);
        assertThat(stores.sessions().list(SessionFilter.all().label("$gt", "operator").label("a.b", "path")).items())
                .containsExactly(session);
        assertThat(stores.sessions().list(SessionFilter.all().label("%_like*", "?$1:%")).items()).isEmpty();
        assertThat(stores.sessions().list(SessionFilter.all().label("a", "path")).items()).isEmpty();
        assertThat(stores.sessions().list(SessionFilter.all().userId("back%")).items()).isEmpty();
        Run run = stores.runs().create(NewRun.builder(sessionId, agentId).id(runId).label("l'", "v\"").build());
        assertThat(stores.runs().listBySession(sessionId)).containsExactly(run);
        assertThat(stores.runs().list(RunFilter.all().agentId(agentId)).items()).containsExactly(run);
        assertThat(stores.runs().list(RunFilter.all().agentId("agent%")).items()).isEmpty();
        Event event = new Event("key' OR '1'='1 $.k", dev.memoria.memory.EventType.TOOL_RESULT, null,
                Map.of("big", big, "k'\"", List.of("--", ";"), "$set", Map.of("a.b", 1L)), labels);
        MemoryEvent stored = stores.memory().append(run.ref(), List.of(event)).get(0);
        MemoryEvent loaded = stores.memory().load(run.ref()).events().get(0);
        assertThat(loaded).isEqualTo(stored);
        assertThat(loaded.data().get("big")).isEqualTo(big);
        assertThat(loaded.key()).isEqualTo("key' OR '1'='1 $.k");
        assertThat(stores.memory().read(EventQuery.session(sessionId)).items()).containsExactly(stored);
        assertThat(stores.memory().append(run.ref(), List.of(event))).containsExactly(stored);
        stores.purgeSession(sessionId);
        assertThat(stores.sessions().get(sessionId)).isEmpty();
        assertThat(stores.sessions().list(SessionFilter.all()).items()).isEmpty();
        assertThat(stores.memory().load(run.ref()).isEmpty()).isTrue();
    }
}
