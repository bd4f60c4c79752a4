package dev.memoria.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.memoria.AlreadyExistsException;
import dev.memoria.VersionConflictException;
import dev.memoria.NotFoundException;
import dev.memoria.Page;
import dev.memoria.SessionEndedException;
import dev.memoria.run.RunFilter;
import dev.memoria.session.NewSession;
import dev.memoria.session.Session;
import dev.memoria.session.SessionFilter;
import dev.memoria.session.SessionOrder;
import dev.memoria.session.SessionStatus;
import dev.memoria.session.SessionStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Contracts S1–S10 of the session store. To run them against a backend, extend this class and
 * implement {@link #newStores(java.time.Clock)}.
 */
public abstract class SessionStoreContract extends ContractSupport {
    private static final String UUID_V7 = "[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

    private SessionStore sessions() {
        return stores.sessions();
    }

    @Test
    @DisplayName("S1: create sets ACTIVE, version 1, createdAt = updatedAt = now, and a UUIDv7 id")
    void s1_createSetsActiveVersionOneClockTimestampsAndUuidV7() {
        Session first = sessions().create(NewSession.anonymous());
        Session second = sessions().create(NewSession.anonymous());
        assertThat(first.id()).matches(UUID_V7);
        assertThat(second.id()).matches(UUID_V7).isGreaterThan(first.id());
        assertThat(first.status()).isEqualTo(SessionStatus.ACTIVE);
        assertThat(first.version()).isEqualTo(1);
        assertThat(first.createdAt()).isEqualTo(START).isEqualTo(first.updatedAt());
        assertThat(first.endedAt()).isNull();
        assertThat(first.userId()).isNull();
        assertThat(sessions().get(first.id())).contains(first);

        Session named = sessions().create(NewSession.builder().id("s-1").userId("ada").label("channel", "web")
                .metadata("plan", "pro").build());
        assertThat(named.id()).isEqualTo("s-1");
        assertThat(named.userId()).isEqualTo("ada");
        assertThat(named.labels()).isEqualTo(Map.of("channel", "web"));
        assertThat(named.metadata()).isEqualTo(Map.of("plan", "pro"));
        assertThat(sessions().get("s-1")).contains(named);
    }

    @Test
    @DisplayName("S2: create with an existing id throws AlreadyExistsException and leaves the stored session unchanged")
    void s2_createWithExistingIdThrowsAndKeepsStoredSession() {
        Session stored = sessions().create(NewSession.builder().id("dup").userId("ada").build());
        clock.advance(Duration.ofSeconds(1));
        assertThatThrownBy(() -> sessions().create(NewSession.builder().id("dup").userId("bob").build()))
                .isInstanceOf(AlreadyExistsException.class)
                .hasMessage("session dup already exists");
        assertThat(sessions().get("dup")).contains(stored);
    }

    @Test
    @DisplayName("S3: get of an unknown id is empty; a blank or oversized id is IllegalArgumentException")
    void s3_getUnknownIsEmptyAndBadIdsAreRejected() {
        assertThat(sessions().get("no-such-session")).isEmpty();
        assertThatThrownBy(() -> sessions().get("")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("id: must not be blank");
        assertThatThrownBy(() -> sessions().get("   ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("id: must not be blank");
        assertThatThrownBy(() -> sessions().get("x".repeat(256))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("id: at most 255 characters, got 256");
        assertThatThrownBy(() -> sessions().get("a\nb")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("id: must not contain control characters (found U+000A at index 1)");
        assertThatThrownBy(() -> sessions().get(null)).isInstanceOf(NullPointerException.class).hasMessage("id");
        assertThat(sessions().get("x".repeat(255))).isEmpty();
    }

    @Test
    @DisplayName("S4: update with a stale version throws ConflictException and changes nothing")
    void s4_staleVersionIsRejectedAndChangesNothing() {
        Session v1 = sessions().create(NewSession.forUser("ada"));
        Session v2 = sessions().update(v1.withLabel("k", "first"));
        VersionConflictException e = org.junit.jupiter.api.Assertions.assertThrows(VersionConflictException.class,
                () -> sessions().update(v1.withLabel("k", "stale")));
        assertThat(e.expectedVersion()).isEqualTo(1);
        assertThat(e.actualVersion()).isEqualTo(2);
        assertThat(e).hasMessage("version conflict on session " + v1.id()
                + ": expected 1, stored 2 (re-read and retry, or use update(id, fn))");
        assertThat(sessions().get(v1.id())).contains(v2);
    }

    @Test
    @DisplayName("S4: a successful update returns version + 1, a later updatedAt, the same createdAt and id")
    void s4_updateBumpsVersionAndUpdatedAt() {
        Session v1 = sessions().create(NewSession.forUser("ada"));
        clock.advance(Duration.ofMinutes(5));
        Session v2 = sessions().update(v1.withUserId("bob").withLabel("tier", "gold").withMetadata("n", 1));
        assertThat(v2.id()).isEqualTo(v1.id());
        assertThat(v2.version()).isEqualTo(2);
        assertThat(v2.createdAt()).isEqualTo(v1.createdAt());
        assertThat(v2.updatedAt()).isEqualTo(START.plus(Duration.ofMinutes(5))).isAfter(v1.updatedAt());
        assertThat(v2.userId()).isEqualTo("bob");
        assertThat(v2.labels()).isEqualTo(Map.of("tier", "gold"));
        assertThat(v2.metadata()).isEqualTo(Map.of("n", 1L));
        assertThat(sessions().get(v1.id())).contains(v2);
    }

    @Test
    @DisplayName("S5: update of an unknown id throws NotFoundException")
    void s5_updateOfUnknownIdThrowsNotFound() {
        Session ghost = new Session("ghost", null, SessionStatus.ACTIVE, START, START, START, null, Map.of(), Map.of(), 1);
        assertThatThrownBy(() -> sessions().update(ghost)).isInstanceOf(NotFoundException.class)
                .hasMessage("session ghost not found");
        assertThatThrownBy(() -> sessions().update("ghost", s -> s.withLabel("a", "b")))
                .isInstanceOf(NotFoundException.class);
        assertThat(sessions().get("ghost")).isEmpty();
    }

    @Test
    @DisplayName("S6: ACTIVE → ENDED sets endedAt; an ENDED session is read-only")
    void s6_endingSetsEndedAtAndMakesSessionReadOnly() {
        Session active = sessions().create(NewSession.forUser("ada"));
        clock.advance(Duration.ofSeconds(30));
        Session ended = sessions().update(active.ended());
        assertThat(ended.status()).isEqualTo(SessionStatus.ENDED);
        assertThat(ended.endedAt()).isEqualTo(START.plusSeconds(30));
        assertThat(ended.isActive()).isFalse();
        assertThatThrownBy(() -> sessions().update(ended.withLabel("late", "yes")))
                .isInstanceOf(SessionEndedException.class);
        assertThatThrownBy(() -> sessions().update(ended.withStatus(SessionStatus.ACTIVE)))
                .isInstanceOf(SessionEndedException.class);
        assertThatThrownBy(() -> sessions().update(ended.id(), s -> s.withLabel("late", "yes")))
                .isInstanceOf(SessionEndedException.class);
        assertThat(sessions().get(active.id())).contains(ended);
    }

    @Test
    @DisplayName("S7: list is newest first by (createdAt, id), paged with a cursor that is null exactly on the last page")
    void s7_listIsNewestFirstAndPaged() {
        List<Session> created = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            if (i % 3 == 0) {
                clock.advance(Duration.ofMillis(1)); // some share a millisecond: the id breaks the tie
            }
            created.add(sessions().create(NewSession.builder().id(String.format("s-%02d", i)).build()));
        }
        List<Session> expected = new ArrayList<>(created);
        expected.sort((a, b) -> a.createdAt().equals(b.createdAt()) ? b.id().compareTo(a.id())
                : b.createdAt().compareTo(a.createdAt()));

        List<Session> walked = new ArrayList<>();
        SessionFilter filter = SessionFilter.all().limit(10);
        Page<Session> page = sessions().list(filter);
        List<Integer> sizes = new ArrayList<>();
        while (true) {
            walked.addAll(page.items());
            sizes.add(page.items().size());
            if (page.nextCursor() == null) {
                break;
            }
            page = sessions().list(filter.cursor(page.nextCursor()));
        }
        assertThat(sizes).containsExactly(10, 10, 5);
        assertThat(walked).containsExactlyElementsOf(expected);

        Page<Session> exact = sessions().list(SessionFilter.all().limit(25));
        assertThat(exact.items()).hasSize(25);
        assertThat(exact.nextCursor()).as("a page that ends the listing has no cursor").isNull();
        assertThat(sessions().list(SessionFilter.all()).items()).hasSize(25);
    }

    @Test
    @DisplayName("S7: filters combine with AND")
    void s7_filtersCombineWithAnd() {
        Session a = sessions().create(NewSession.builder().id("a").userId("ada").label("team", "x").label("env", "prod").build());
        clock.advance(Duration.ofMinutes(1));
        Session b = sessions().create(NewSession.builder().id("b").userId("ada").label("team", "x").build());
        clock.advance(Duration.ofMinutes(1));
        Session c = sessions().create(NewSession.builder().id("c").userId("bob").label("team", "x").label("env", "prod").build());
        clock.advance(Duration.ofMinutes(1));
        Session d = sessions().update(sessions().create(NewSession.builder().id("d").userId("ada").build()).ended());

        assertThat(ids(SessionFilter.all().userId("ada"))).containsExactly("d", "b", "a");
        assertThat(ids(SessionFilter.all().userId("ada").statuses(SessionStatus.ACTIVE))).containsExactly("b", "a");
        assertThat(ids(SessionFilter.all().statuses(SessionStatus.ENDED))).containsExactly("d");
        assertThat(ids(SessionFilter.all().label("team", "x"))).containsExactly("c", "b", "a");
        assertThat(ids(SessionFilter.all().label("team", "x").label("env", "prod"))).containsExactly("c", "a");
        assertThat(ids(SessionFilter.all().label("team", "x").label("env", "prod").userId("ada"))).containsExactly("a");
        assertThat(ids(SessionFilter.all().label("team", "y"))).isEmpty();
        assertThat(ids(SessionFilter.all().createdAfter(a.createdAt()))).containsExactly("d", "c", "b");
        assertThat(ids(SessionFilter.all().createdBefore(c.createdAt()))).containsExactly("b", "a");
        assertThat(ids(SessionFilter.all().createdAfter(a.createdAt()).createdBefore(d.createdAt()))).containsExactly("c", "b");
        assertThat(ids(SessionFilter.all().updatedBefore(d.updatedAt()))).containsExactly("c", "b", "a");
        assertThat(ids(SessionFilter.all().updatedBefore(b.updatedAt()).userId("ada"))).containsExactly("a");
    }

    private List<String> ids(SessionFilter filter) {
        return sessions().list(filter).items().stream().map(Session::id).toList();
    }

    private List<String> walk(SessionFilter filter) {
        List<String> walked = new ArrayList<>();
        Page<Session> page = sessions().list(filter);
        page.items().forEach(s -> walked.add(s.id()));
        while (page.hasNext()) {
            page = sessions().list(filter.cursor(page.nextCursor()));
            page.items().forEach(s -> walked.add(s.id()));
        }
        return walked;
    }

    @Test
    @DisplayName("S7: every order pages with its own cursor; statuses, labels and every time bound combine with it")
    void s7_everyOrderPagesAndTakesEveryBound() {
        for (int i = 0; i < 9; i++) {
            clock.advance(Duration.ofSeconds(1));
            sessions().create(NewSession.builder().id("s" + i).label("even", Boolean.toString(i % 2 == 0)).build());
        }
        // activity in another order than creation: s2, then s7, then s4 most recently
        for (String id : List.of("s2", "s7", "s4")) {
            clock.advance(Duration.ofSeconds(1));
            sessions().touch(id, clock.instant());
        }
        Instant fourthCreated = START.plusSeconds(5); // s4's creation
        assertThat(walk(SessionFilter.all().limit(2))).containsExactly("s8", "s7", "s6", "s5", "s4", "s3", "s2", "s1", "s0");
        assertThat(walk(SessionFilter.all().orderBy(SessionOrder.OLDEST_FIRST).limit(4)))
                .containsExactly("s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8");
        assertThat(walk(SessionFilter.all().orderBy(SessionOrder.RECENTLY_ACTIVE_FIRST).limit(2)))
                .containsExactly("s4", "s7", "s2", "s8", "s6", "s5", "s3", "s1", "s0");
        assertThat(ids(SessionFilter.all().orderBy(SessionOrder.RECENTLY_ACTIVE_FIRST).lastActivityAfter(START.plusSeconds(9))))
                .containsExactly("s4", "s7", "s2");
        assertThat(ids(SessionFilter.all().lastActivityBefore(START.plusSeconds(5)).orderBy(SessionOrder.OLDEST_FIRST)))
                .as("s2 was active later").containsExactly("s0", "s1", "s3");
        assertThat(ids(SessionFilter.all().createdAfter(fourthCreated).label("even", "true"))).containsExactly("s8", "s6");
        assertThat(ids(SessionFilter.all().updatedAfter(START.plusSeconds(7)))).containsExactly("s8", "s7");
        assertThat(ids(SessionFilter.all().statuses(java.util.EnumSet.of(SessionStatus.ACTIVE, SessionStatus.ENDED))
                .labels(Map.of("even", "false")).orderBy(SessionOrder.OLDEST_FIRST))).containsExactly("s1", "s3", "s5", "s7");
        String newestCursor = sessions().list(SessionFilter.all().limit(2)).nextCursor();
        assertThatThrownBy(() -> sessions().list(SessionFilter.all().orderBy(SessionOrder.OLDEST_FIRST).limit(2)
                .cursor(newestCursor))).as("a cursor of another order").isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("other filters");
    }

    @Test
    @DisplayName("S11: a session's last activity starts at its creation and only moves forward; touch changes nothing else")
    void s11_touchMovesLastActivityForwardOnly() {
        Session s = sessions().create(NewSession.forUser("ada"));
        assertThat(s.lastActivityAt()).isEqualTo(s.createdAt());
        clock.advance(Duration.ofMinutes(3));
        sessions().touch(s.id(), clock.instant());
        Session touched = sessions().get(s.id()).orElseThrow();
        assertThat(touched.lastActivityAt()).isEqualTo(START.plus(Duration.ofMinutes(3)));
        assertThat(touched.version()).as("no new version").isEqualTo(s.version());
        assertThat(touched.updatedAt()).as("the record itself did not change").isEqualTo(s.updatedAt());
        sessions().touch(s.id(), START.plusSeconds(1));
        assertThat(sessions().get(s.id()).orElseThrow().lastActivityAt()).as("never back").isEqualTo(touched.lastActivityAt());
        Session updated = sessions().update(touched.withLabel("k", "v"));
        assertThat(updated.lastActivityAt()).isEqualTo(touched.lastActivityAt());
        sessions().touch("no-such-session", clock.instant());
        assertThat(sessions().get("no-such-session")).isEmpty();
        Session ended = sessions().update(updated.ended());
        clock.advance(Duration.ofMinutes(1));
        sessions().touch(s.id(), clock.instant());
        assertThat(sessions().get(s.id()).orElseThrow().lastActivityAt()).as("an ended session's runs may still log")
                .isEqualTo(clock.instant());
        assertThat(sessions().get(s.id()).orElseThrow().version()).isEqualTo(ended.version());
    }

    @Test
    @DisplayName("S11: creating a run and appending events move the session's last activity, to within a second")
    void s11_runsAndEventsMoveLastActivity() {
        Session quiet = sessions().create(NewSession.builder().id("quiet").build());
        Session busy = sessions().create(NewSession.builder().id("busy").build());
        clock.advance(Duration.ofMinutes(1));
        dev.memoria.run.Run run = stores.runs().create(dev.memoria.run.NewRun.of(busy.id(), "agent"));
        assertThat(sessions().get("busy").orElseThrow().lastActivityAt()).isEqualTo(START.plus(Duration.ofMinutes(1)));
        clock.advance(Duration.ofMinutes(1));
        stores.memory().append(run.ref(), List.of(dev.memoria.memory.Event.userMessage("hello")));
        assertThat(sessions().get("busy").orElseThrow().lastActivityAt()).isEqualTo(START.plus(Duration.ofMinutes(2)));
        clock.advance(Duration.ofMillis(300));
        stores.memory().append(run.ref(), List.of(dev.memoria.memory.Event.assistantMessage("hi")));
        assertThat(sessions().get("busy").orElseThrow().lastActivityAt()).as("within a second of the last event")
                .isBetween(START.plus(Duration.ofMinutes(2)), clock.instant());
        clock.advance(Duration.ofSeconds(5));
        stores.memory().append(run.ref(), List.of(dev.memoria.memory.Event.userMessage("still there?")));
        assertThat(sessions().get("busy").orElseThrow().lastActivityAt()).isEqualTo(clock.instant());
        assertThat(sessions().get("quiet").orElseThrow().lastActivityAt()).isEqualTo(quiet.createdAt());
        assertThat(ids(SessionFilter.all().orderBy(SessionOrder.RECENTLY_ACTIVE_FIRST))).containsExactly("busy", "quiet");
        assertThat(sessions().get("busy").orElseThrow().version()).as("activity is not an update").isEqualTo(1);
    }

    @Test
    @DisplayName("S7: limit is 1 to 1,000 (default 100)")
    void s7_limitMustBeBetweenOneAndOneThousand() {
        assertThat(SessionFilter.all().limit()).isEqualTo(100);
        assertThatThrownBy(() -> SessionFilter.all().limit(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("limit: must be between 1 and 1000, got 0");
        assertThatThrownBy(() -> SessionFilter.all().limit(1001)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("limit: must be between 1 and 1000, got 1001");
        for (int i = 0; i < 3; i++) {
            sessions().create(NewSession.anonymous());
        }
        assertThat(sessions().list(SessionFilter.all().limit(1)).items()).hasSize(1);
        assertThat(sessions().list(SessionFilter.all().limit(1000)).items()).hasSize(3);
    }

    @Test
    @DisplayName("S7: walking all pages while others insert returns no item twice and misses none that existed")
    void s7_walkWhileOthersInsertReturnsNoDuplicateAndMissesNone() {
        Set<String> before = new HashSet<>();
        for (int i = 0; i < 60; i++) {
            clock.advance(Duration.ofMillis(10));
            before.add(sessions().create(NewSession.anonymous()).id());
        }
        Instant first = START.plusMillis(10);
        // between pages, insert one session ahead of the cursor (newer than everything: the walk has
        // passed it) and one behind it (older than everything: the walk must still reach it)
        Set<String> ahead = new HashSet<>();
        Set<String> behind = new HashSet<>();
        Instant newest = clock.instant();
        List<String> walked = new ArrayList<>();
        SessionFilter filter = SessionFilter.all().limit(7);
        Page<Session> page = sessions().list(filter);
        int pages = 0;
        while (true) {
            page.items().forEach(s -> walked.add(s.id()));
            pages++;
            if (!page.hasNext()) {
                break;
            }
            newest = newest.plusMillis(1);
            clock.set(newest);
            ahead.add(sessions().create(NewSession.anonymous()).id());
            clock.set(first.minusMillis(pages));
            behind.add(sessions().create(NewSession.anonymous()).id());
            page = sessions().list(filter.cursor(page.nextCursor()));
        }
        assertThat(walked).doesNotHaveDuplicates();
        assertThat(walked).as("every session that existed when the walk began").containsAll(before);
        assertThat(walked).as("sessions inserted behind the cursor").containsAll(behind);
        assertThat(walked).as("sessions inserted ahead of the cursor").doesNotContainAnyElementsOf(ahead);
        assertThat(walked).hasSize(before.size() + behind.size());
        assertThat(pages).isGreaterThan(8);
    }

    @Test
    @DisplayName("S7: a malformed, altered or foreign cursor is IllegalArgumentException")
    void s7_malformedCursorIsRejected() {
        for (int i = 0; i < 3; i++) {
            sessions().create(NewSession.forUser("ada"));
        }
        String cursor = sessions().list(SessionFilter.all().limit(1)).nextCursor();
        assertThat(cursor).isNotNull();
        assertThatThrownBy(() -> sessions().list(SessionFilter.all().cursor("not-a-cursor")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("cursor: invalid");
        String altered = (cursor.charAt(3) == 'A' ? "B" : "A");
        String tampered = cursor.substring(0, 3) + altered + cursor.substring(4);
        assertThatThrownBy(() -> sessions().list(SessionFilter.all().cursor(tampered)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("cursor: invalid");
        assertThatThrownBy(() -> sessions().list(SessionFilter.all().userId("bob").cursor(cursor)))
                .as("a cursor made for other filters").isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("other filters");
        assertThatThrownBy(() -> stores.runs().list(RunFilter.all().cursor(cursor)))
                .as("a session cursor given to runs").isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cursor: invalid");
        assertThat(sessions().list(SessionFilter.all().limit(5).cursor(cursor)).items()).hasSize(2);
    }

    @Test
    @DisplayName("S8: N threads each running update(id, counter + 1) end with counter = N: no lost update")
    void s8_concurrentReadModifyWriteLosesNoUpdate() {
        Session session = sessions().create(NewSession.builder().metadata("counter", 0).build());
        int perThread = 250; // 16 threads, where a retry budget that runs out shows first
        onThreads(UPDATERS, t -> {
            for (int i = 0; i < perThread; i++) {
                sessions().update(session.id(), s -> s.withMetadata("counter", (Long) s.metadata().get("counter") + 1));
            }
            return null;
        });
        Session done = sessions().get(session.id()).orElseThrow();
        assertThat(done.metadata().get("counter")).isEqualTo((long) UPDATERS * perThread);
        assertThat(done.version()).isEqualTo(1L + UPDATERS * perThread);
    }

    @Test
    @DisplayName("S9: labels and metadata round-trip exactly, types included")
    void s9_labelsAndMetadataRoundTripExactly() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("emoji", "\uD83D\uDE80 launch");
        labels.put("quote", "it's \"quoted\"; -- \\ backslash");
        labels.put("multi\u00e9", "line\nbreak\ttab \u05E9\u05DC\u05D5\u05DD");
        labels.put("empty", "");
        labels.put("long", "v".repeat(1024));
        labels.put("k".repeat(128), "longest key");
        Map<String, Object> metadata = hostileJson();
        Session created = sessions().create(NewSession.builder().labels(labels).metadata(metadata).build());
        Session read = sessions().get(created.id()).orElseThrow();
        assertThat(read.labels()).isEqualTo(labels);
        assertSameJson(read.metadata(), metadata);
        assertSameJson(created.metadata(), metadata);
        Session listed = sessions().list(SessionFilter.all()).items().get(0);
        assertSameJson(listed.metadata(), metadata);
        assertThat(listed.labels()).isEqualTo(labels);

        Map<String, Object> other = Map.of("only", List.of(Long.MIN_VALUE, Double.MAX_VALUE, -0.5));
        Session updated = sessions().update(read.withMetadata(other).withLabels(Map.of()));
        assertSameJson(sessions().get(created.id()).orElseThrow().metadata(), other);
        assertThat(sessions().get(created.id()).orElseThrow().labels()).isEmpty();
        assertThat(updated.metadata()).isEqualTo(other);
    }

    @Test
    @DisplayName("S10: delete returns true once and false afterwards")
    void s10_deleteReturnsTrueOnceThenFalse() {
        Session s = sessions().create(NewSession.anonymous());
        assertThat(sessions().delete(s.id())).isTrue();
        assertThat(sessions().delete(s.id())).isFalse();
        assertThat(sessions().get(s.id())).isEmpty();
        assertThat(sessions().delete("never-existed")).isFalse();
    }

    @Test
    @DisplayName("Bad input: every method refuses null, blank, oversized and invalid arguments and writes nothing")
    void badInput_isRefusedBeforeAnythingIsWritten() {
        assertThatThrownBy(() -> sessions().create(null)).isInstanceOf(NullPointerException.class).hasMessage("spec");
        assertThatThrownBy(() -> sessions().update(null)).isInstanceOf(NullPointerException.class).hasMessage("changed");
        assertThatThrownBy(() -> sessions().list(null)).isInstanceOf(NullPointerException.class).hasMessage("filter");
        assertThatThrownBy(() -> sessions().delete(null)).isInstanceOf(NullPointerException.class).hasMessage("id");
        assertThatThrownBy(() -> sessions().delete(" ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("id: must not be blank");
        assertThatThrownBy(() -> sessions().update("x", null)).isInstanceOf(NullPointerException.class).hasMessage("change");
        Map<String, String> tooMany = new LinkedHashMap<>();
        for (int i = 0; i < 65; i++) {
            tooMany.put("k" + i, "v");
        }
        Session s = sessions().create(NewSession.anonymous());
        assertThatThrownBy(() -> sessions().update(s.withMetadata("nan", Double.NaN))).isInstanceOf(IllegalArgumentException.class);
        // a session built by hand skips the with... checks: the store applies the write-time limits itself
        Session byHand = new Session(s.id(), "x".repeat(300), s.status(), s.createdAt(), s.updatedAt(), s.lastActivityAt(), null, tooMany,
                Map.of("big", "x".repeat(70_000)), s.version());
        assertThatThrownBy(() -> sessions().update(byHand)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("userId: at most 255 characters, got 300");
        assertThatThrownBy(() -> sessions().update(byHand.withUserId(null))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("labels: at most 64 entries, got 65");
        assertThat(sessions().get(s.id())).contains(s);
        assertThat(sessions().list(SessionFilter.all()).items()).containsExactly(s);
        assertThat(Optional.of(s.toString())).get().asString().startsWith("Session[" + s.id());
    }
}
