package dev.memoria.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.memoria.AlreadyExistsException;
import dev.memoria.VersionConflictException;
import dev.memoria.InvalidTransitionException;
import dev.memoria.NotFoundException;
import dev.memoria.Page;
import dev.memoria.run.NewRun;
import dev.memoria.run.Run;
import dev.memoria.run.RunFilter;
import dev.memoria.run.RunOrder;
import dev.memoria.run.RunStatus;
import dev.memoria.run.RunStore;
import dev.memoria.session.NewSession;
import dev.memoria.session.Session;
import dev.memoria.session.SessionFilter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Contracts R1–R4 of the run store. To run them against a backend, extend this class and
 * implement {@link #newStores(java.time.Clock)}.
 */
public abstract class RunStoreContract extends ContractSupport {
    private Session session;

    @BeforeEach
    final void createSession() {
        session = stores.sessions().create(NewSession.builder().id("session-1").build());
    }

    private RunStore runs() {
        return stores.runs();
    }

    /** Brings a new run to {@code status} through allowed transitions. */
    private Run runIn(RunStatus status) {
        Run run = runs().create(NewRun.of(session.id(), "agent"));
        switch (status) {
            case PENDING -> { }
            case RUNNING -> run = runs().update(run.withStatus(RunStatus.RUNNING));
            case PAUSED -> run = runs().update(runs().update(run.withStatus(RunStatus.RUNNING)).withStatus(RunStatus.PAUSED));
            case COMPLETED -> run = runs().update(runs().update(run.withStatus(RunStatus.RUNNING)).withStatus(RunStatus.COMPLETED));
            case FAILED -> run = runs().update(run.failed("boom"));
            case CANCELED -> run = runs().update(run.withStatus(RunStatus.CANCELED));
            default -> throw new AssertionError(status);
        }
        return run;
    }

    @Test
    @DisplayName("R1: create needs sessionId and agentId; status PENDING unless given; version 1")
    void r1_createNeedsSessionAndAgentAndStartsPendingAtVersionOne() {
        assertThatThrownBy(() -> NewRun.of(null, "agent")).isInstanceOf(NullPointerException.class).hasMessage("sessionId");
        assertThatThrownBy(() -> NewRun.of(session.id(), null)).isInstanceOf(NullPointerException.class).hasMessage("agentId");
        assertThatThrownBy(() -> NewRun.of(session.id(), " ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("agentId: must not be blank");
        Run run = runs().create(NewRun.of(session.id(), "planner"));
        assertThat(run.status()).isEqualTo(RunStatus.PENDING);
        assertThat(run.version()).isEqualTo(1);
        assertThat(run.sessionId()).isEqualTo(session.id());
        assertThat(run.agentId()).isEqualTo("planner");
        assertThat(run.startedAt()).isEqualTo(START).isEqualTo(run.updatedAt());
        assertThat(run.endedAt()).isNull();
        assertThat(run.error()).isNull();
        assertThat(run.id()).matches("[0-9a-f]{8}-[0-9a-f]{4}-7.*");
        assertThat(runs().get(run.id())).contains(run);
        assertThat(run.ref().runId()).isEqualTo(run.id());

        Run running = runs().create(NewRun.builder(session.id(), "worker").id("r-1").parentRunId(run.id())
                .status(RunStatus.RUNNING).label("k", "v").metadata("n", 1).build());
        assertThat(running.status()).isEqualTo(RunStatus.RUNNING);
        assertThat(running.parentRunId()).isEqualTo(run.id());
        assertThat(running.labels()).isEqualTo(Map.of("k", "v"));
        assertThat(running.metadata()).isEqualTo(Map.of("n", 1L));
        assertThat(runs().get("r-1")).contains(running);
        assertThatThrownBy(() -> runs().create(NewRun.builder(session.id(), "worker").id("r-1").build()))
                .isInstanceOf(AlreadyExistsException.class).hasMessage("run r-1 already exists");
        assertThatThrownBy(() -> NewRun.builder(session.id(), "a").status(RunStatus.COMPLETED).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("status: a run cannot be created COMPLETED");
    }

    @Test
    @DisplayName("R2: exactly the allowed transitions succeed; terminal statuses set endedAt; error only on FAILED")
    void r2_onlyAllowedTransitionsSucceed() {
        EnumSet<RunStatus> nonTerminal = EnumSet.of(RunStatus.PENDING, RunStatus.RUNNING, RunStatus.PAUSED);
        Map<RunStatus, EnumSet<RunStatus>> allowed = Map.of(
                RunStatus.PENDING, EnumSet.of(RunStatus.PENDING, RunStatus.RUNNING, RunStatus.FAILED, RunStatus.CANCELED),
                RunStatus.RUNNING, EnumSet.of(RunStatus.RUNNING, RunStatus.PAUSED, RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.CANCELED),
                RunStatus.PAUSED, EnumSet.of(RunStatus.PAUSED, RunStatus.RUNNING, RunStatus.FAILED, RunStatus.CANCELED));
        for (RunStatus from : nonTerminal) {
            for (RunStatus to : RunStatus.values()) {
                Run run = runIn(from);
                clock.advance(Duration.ofSeconds(1));
                Run changed = to == RunStatus.FAILED ? run.failed("it broke") : run.withStatus(to);
                if (allowed.get(from).contains(to)) {
                    Run stored = runs().update(changed);
                    assertThat(stored.status()).as(from + " → " + to).isEqualTo(to);
                    assertThat(stored.endedAt()).as("endedAt after " + from + " → " + to)
                            .isEqualTo(to.isTerminal() ? clock.instant() : null);
                    assertThat(stored.error()).isEqualTo(to == RunStatus.FAILED ? "it broke" : null);
                } else {
                    assertThatThrownBy(() -> runs().update(changed)).as(from + " → " + to)
                            .isInstanceOf(InvalidTransitionException.class)
                            .hasMessageContaining("cannot go from " + from + " to " + to);
                    assertThat(runs().get(run.id())).contains(run);
                }
            }
        }
        Run running = runIn(RunStatus.RUNNING);
        assertThatThrownBy(() -> new Run(running.id(), running.sessionId(), running.agentId(), null, RunStatus.RUNNING,
                START, START, null, Map.of(), Map.of(), "not failed", 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("error: may be set only when status is FAILED, status is RUNNING");
    }

    @Test
    @DisplayName("R2: a terminal run never changes (InvalidTransitionException)")
    void r2_terminalRunNeverChanges() {
        for (RunStatus terminal : EnumSet.of(RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.CANCELED)) {
            Run run = runIn(terminal);
            for (RunStatus to : RunStatus.values()) {
                Run changed = to == RunStatus.FAILED ? run.failed("again") : run.withStatus(to);
                assertThatThrownBy(() -> runs().update(changed)).as(terminal + " → " + to)
                        .isInstanceOf(InvalidTransitionException.class)
                        .hasMessageContaining("is terminal");
            }
            assertThatThrownBy(() -> runs().update(run.withLabel("k", "v"))).isInstanceOf(InvalidTransitionException.class);
            assertThat(runs().get(run.id())).contains(run);
        }
    }

    @Test
    @DisplayName("R3: listBySession is oldest first by (startedAt, id)")
    void r3_listBySessionIsOldestFirst() {
        Session other = stores.sessions().create(NewSession.anonymous());
        List<Run> expected = new ArrayList<>();
        for (int i = 0; i < 1003; i++) {
            if (i % 10 == 0) {
                clock.advance(Duration.ofMillis(1));
            }
            expected.add(runs().create(NewRun.builder(session.id(), "a").id(String.format("run-%04d", 1003 - i)).build()));
            if (i % 100 == 0) {
                runs().create(NewRun.of(other.id(), "a"));
            }
        }
        expected.sort((x, y) -> x.startedAt().equals(y.startedAt()) ? x.id().compareTo(y.id()) : x.startedAt().compareTo(y.startedAt()));
        assertThat(runs().listBySession(session.id())).containsExactlyElementsOf(expected);
        assertThat(runs().listBySession(other.id())).hasSize(11);
        assertThat(runs().listBySession("no-such-session")).isEmpty();
    }

    @Test
    @DisplayName("R3: list filters combine with AND and pages oldest first as in S7")
    void r3_listFiltersAndPages() {
        Run parent = runs().create(NewRun.builder(session.id(), "planner").id("p").build());
        clock.advance(Duration.ofMinutes(1));
        Run child1 = runs().create(NewRun.builder(session.id(), "worker").id("c1").parentRunId("p").build());
        clock.advance(Duration.ofMinutes(1));
        Run child2 = runs().update(runs().create(NewRun.builder(session.id(), "worker").id("c2").parentRunId("p").build())
                .withStatus(RunStatus.RUNNING));
        clock.advance(Duration.ofMinutes(1));
        Session other = stores.sessions().create(NewSession.anonymous());
        Run elsewhere = runs().create(NewRun.builder(other.id(), "worker").id("e").status(RunStatus.RUNNING).build());

        assertThat(ids(RunFilter.all())).containsExactly("p", "c1", "c2", "e");
        assertThat(ids(RunFilter.session(session.id()))).containsExactly("p", "c1", "c2");
        assertThat(ids(RunFilter.all().agentId("worker"))).containsExactly("c1", "c2", "e");
        assertThat(ids(RunFilter.all().parentRunId(parent.id()))).containsExactly("c1", "c2");
        assertThat(ids(RunFilter.all().statuses(RunStatus.RUNNING))).containsExactly("c2", "e");
        assertThat(ids(RunFilter.all().statuses(RunStatus.RUNNING, RunStatus.PENDING).sessionId(session.id())))
                .containsExactly("p", "c1", "c2");
        assertThat(ids(RunFilter.all().updatedBefore(child2.updatedAt()))).containsExactly("p", "c1");
        assertThat(ids(RunFilter.all().statuses(RunStatus.RUNNING).updatedBefore(elsewhere.updatedAt()))).containsExactly("c2");
        assertThat(ids(RunFilter.all().agentId("worker").sessionId(other.id()))).containsExactly("e");
        assertThat(child1.parentRunId()).isEqualTo("p");

        RunFilter paged = RunFilter.all().limit(3);
        Page<Run> first = runs().list(paged);
        assertThat(first.items()).extracting(Run::id).containsExactly("p", "c1", "c2");
        assertThat(first.nextCursor()).isNotNull();
        Page<Run> second = runs().list(paged.cursor(first.nextCursor()));
        assertThat(second.items()).extracting(Run::id).containsExactly("e");
        assertThat(second.nextCursor()).isNull();
        assertThat(runs().list(RunFilter.all().limit(4)).nextCursor()).isNull();
        assertThatThrownBy(() -> runs().list(RunFilter.all().agentId("x").cursor(first.nextCursor())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("other filters");
        assertThatThrownBy(() -> stores.sessions().list(SessionFilter.all().cursor(first.nextCursor())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("cursor: invalid");
        assertThatThrownBy(() -> runs().list(RunFilter.all().cursor("garbage!")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("cursor: invalid");
    }

    private List<String> ids(RunFilter filter) {
        return runs().list(filter).items().stream().map(Run::id).toList();
    }

    @Test
    @DisplayName("R3: runs page newest first too, and filter by labels and by start and update times")
    void r3_runsPageNewestFirstAndFilterByLabelsAndTimes() {
        for (int i = 0; i < 7; i++) {
            clock.advance(Duration.ofSeconds(1));
            Run r = runs().create(NewRun.builder(session.id(), "agent").id("r" + i).label("kind", i % 3 == 0 ? "tool" : "chat")
                    .build());
            if (i % 2 == 1) {
                clock.advance(Duration.ofMillis(100));
                runs().update(r.withStatus(RunStatus.RUNNING));
            }
        }
        RunFilter newest = RunFilter.session(session.id()).orderBy(RunOrder.NEWEST_FIRST);
        assertThat(runs().list(newest.limit(1)).first()).map(Run::id).as("the latest run").contains("r6");
        List<String> walked = new ArrayList<>();
        Page<Run> page = runs().list(newest.limit(3));
        page.items().forEach(r -> walked.add(r.id()));
        while (page.hasNext()) {
            page = runs().list(newest.limit(3).cursor(page.nextCursor()));
            page.items().forEach(r -> walked.add(r.id()));
        }
        assertThat(walked).containsExactly("r6", "r5", "r4", "r3", "r2", "r1", "r0");
        assertThat(ids(RunFilter.all().label("kind", "tool"))).containsExactly("r0", "r3", "r6");
        assertThat(ids(RunFilter.all().labels(Map.of("kind", "chat")).orderBy(RunOrder.NEWEST_FIRST)))
                .containsExactly("r5", "r4", "r2", "r1");
        assertThat(ids(RunFilter.all().startedAfter(START.plusSeconds(2)).startedBefore(START.plusSeconds(6))))
                .containsExactly("r2", "r3", "r4");
        assertThat(ids(RunFilter.all().updatedAfter(START.plusSeconds(4)))).as("created after, or updated after").containsExactly(
                "r3", "r4", "r5", "r6");
        assertThat(ids(RunFilter.all().statuses(java.util.Set.of(RunStatus.RUNNING)))).containsExactly("r1", "r3", "r5");
    }

    @Test
    @DisplayName("R4 (S4): update with a stale version throws ConflictException and changes nothing")
    void r4_staleVersionIsRejectedAndChangesNothing() {
        Run v1 = runs().create(NewRun.of(session.id(), "agent"));
        clock.advance(Duration.ofSeconds(2));
        Run v2 = runs().update(v1.withStatus(RunStatus.RUNNING).withLabel("step", "1"));
        assertThat(v2.version()).isEqualTo(2);
        assertThat(v2.updatedAt()).isEqualTo(START.plusSeconds(2)).isAfter(v1.updatedAt());
        assertThat(v2.startedAt()).isEqualTo(v1.startedAt());
        VersionConflictException e = org.junit.jupiter.api.Assertions.assertThrows(VersionConflictException.class,
                () -> runs().update(v1.withLabel("step", "stale")));
        assertThat(e.expectedVersion()).isEqualTo(1);
        assertThat(e.actualVersion()).isEqualTo(2);
        assertThat(runs().get(v1.id())).contains(v2);
    }

    @Test
    @DisplayName("R4 (S5): update of an unknown run throws NotFoundException")
    void r4_updateOfUnknownRunThrowsNotFound() {
        Run ghost = new Run("ghost", session.id(), "agent", null, RunStatus.PENDING, START, START, null, Map.of(),
                Map.of(), null, 1);
        assertThatThrownBy(() -> runs().update(ghost)).isInstanceOf(NotFoundException.class).hasMessage("run ghost not found");
        assertThatThrownBy(() -> runs().update("ghost", r -> r)).isInstanceOf(NotFoundException.class);
        assertThat(runs().get("ghost")).isEmpty();
    }

    @Test
    @DisplayName("R4 (S8): concurrent read-modify-write updates of a run lose nothing")
    void r4_concurrentReadModifyWriteLosesNoUpdate() {
        Run run = runs().create(NewRun.builder(session.id(), "agent").metadata("counter", 0).build());
        int perThread = 250; // 16 threads, where a retry budget that runs out shows first
        onThreads(UPDATERS, t -> {
            for (int i = 0; i < perThread; i++) {
                runs().update(run.id(), r -> r.withMetadata("counter", (Long) r.metadata().get("counter") + 1));
            }
            return null;
        });
        Run done = runs().get(run.id()).orElseThrow();
        assertThat(done.metadata().get("counter")).isEqualTo((long) UPDATERS * perThread);
        assertThat(done.version()).isEqualTo(1L + UPDATERS * perThread);
    }

    @Test
    @DisplayName("R1: labels and metadata of runs round-trip exactly (as S9)")
    void r1_labelsAndMetadataRoundTripExactly() {
        Map<String, Object> metadata = hostileJson();
        Run run = runs().create(NewRun.builder(session.id(), "agent").label("q", "'\";--").build());
        Run updated = runs().update(run.withMetadata(metadata));
        Run read = runs().get(run.id()).orElseThrow();
        assertSameJson(read.metadata(), metadata);
        assertSameJson(updated.metadata(), metadata);
        assertThat(read.labels()).isEqualTo(Map.of("q", "'\";--"));
        assertSameJson(runs().listBySession(session.id()).get(0).metadata(), metadata);
    }

    @Test
    @DisplayName("Bad input: every method refuses null, blank and invalid arguments and writes nothing")
    void badInput_isRefusedBeforeAnythingIsWritten() {
        assertThatThrownBy(() -> runs().create(null)).isInstanceOf(NullPointerException.class).hasMessage("spec");
        assertThatThrownBy(() -> runs().update(null)).isInstanceOf(NullPointerException.class).hasMessage("changed");
        assertThatThrownBy(() -> runs().list(null)).isInstanceOf(NullPointerException.class).hasMessage("filter");
        assertThatThrownBy(() -> runs().get("")).isInstanceOf(IllegalArgumentException.class).hasMessage("id: must not be blank");
        assertThatThrownBy(() -> runs().get(null)).isInstanceOf(NullPointerException.class).hasMessage("id");
        assertThatThrownBy(() -> runs().delete("x".repeat(300))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("id: at most 255 characters, got 300");
        Run run = runs().create(NewRun.of(session.id(), "agent"));
        assertThatThrownBy(() -> runs().update(run.withStatus(RunStatus.RUNNING).withMetadata("x", Instant.EPOCH)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("metadata.x: java.time.Instant is not a JSON value");
        assertThat(runs().get(run.id())).contains(run);
        assertThat(runs().delete(run.id())).isTrue();
        assertThat(runs().delete(run.id())).isFalse();
    }
}
