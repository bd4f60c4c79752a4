package dev.memoria.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.memoria.ConflictException;
import dev.memoria.KeyConflictException;
import dev.memoria.SequenceConflictException;
import dev.memoria.Limits;
import dev.memoria.Page;
import dev.memoria.memory.Event;
import dev.memoria.memory.EventQuery;
import dev.memoria.memory.EventType;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.memory.MemoryStore;
import dev.memoria.memory.Snapshot;
import dev.memoria.run.RunRef;
import dev.memoria.spi.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Contracts M1–M12 and G1 of the memory store. To run them against a backend, extend this class and
 * implement {@link #newStores(java.time.Clock)} and {@link #workMeter()}.
 */
public abstract class MemoryStoreContract extends ContractSupport {
    private final RunRef run = new RunRef("session-1", "agent", "run-1");

    /**
     * How much the backend reads to answer a query (for M7). Called after {@code newStores}, so it
     * may use {@link #stores}.
     *
     * @return a meter of the backend's read work
     */
    protected abstract WorkMeter workMeter();

    private MemoryStore memory() {
        return stores.memory();
    }

    private static Event numbered(int i) {
        return Event.of(EventType.USER_MESSAGE, Map.of("text", "message " + i, "i", i));
    }

    private static List<Event> numbered(int from, int count) {
        List<Event> events = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            events.add(numbered(i));
        }
        return events;
    }

    private static List<Long> sequences(List<MemoryEvent> events) {
        return events.stream().map(MemoryEvent::sequence).toList();
    }

    private static List<Long> range(long from, long toInclusive) {
        List<Long> out = new ArrayList<>();
        for (long i = from; i <= toInclusive; i++) {
            out.add(i);
        }
        return out;
    }

    @Test
    @DisplayName("M1: append numbers events from 1 without gaps, in list order, and returns them as stored")
    void m1_appendNumbersEventsWithoutGapsInListOrder() {
        List<MemoryEvent> first = memory().append(run, List.of(Event.userMessage("hi"), Event.thinking("hmm")));
        assertThat(sequences(first)).containsExactly(1L, 2L);
        assertThat(first.get(0).text()).isEqualTo("hi");
        assertThat(first.get(0).run()).isEqualTo(run);
        assertThat(first.get(0).timestamp()).isEqualTo(START);
        clock.advance(Duration.ofSeconds(1));
        List<MemoryEvent> second = memory().append(run, List.of(Event.assistantMessage("hello"),
                Event.toolCall("c1", "search", Map.of("q", "x")), Event.toolResult("c1", "search", List.of(1L), false)));
        assertThat(sequences(second)).containsExactly(3L, 4L, 5L);
        assertThat(second.get(1).toolCall().arguments()).isEqualTo(Map.of("q", "x"));
        assertThat(second.get(2).toolResult().result()).isEqualTo(List.of(1L));
        assertThat(second.get(0).timestamp()).isEqualTo(START.plusSeconds(1));
        List<MemoryEvent> all = memory().load(run).events();
        assertThat(all.subList(0, 2)).isEqualTo(first);
        assertThat(all.subList(2, 5)).isEqualTo(second);
        RunRef other = new RunRef("session-1", "agent", "run-2");
        assertThat(sequences(memory().append(other, List.of(Event.userMessage("own log"))))).containsExactly(1L);
    }

    @Test
    @DisplayName("M2: append is all or nothing: one invalid event and nothing of the batch is written")
    void m2_oneInvalidEventWritesNothingOfTheBatch() {
        memory().append(run, List.of(Event.userMessage("before")));
        List<Event> withNull = new ArrayList<>(numbered(0, 3));
        withNull.add(null);
        assertThatThrownBy(() -> memory().append(run, withNull)).isInstanceOf(NullPointerException.class).hasMessage("events[3]");
        Event dup = Event.userMessage("a").withKey("same");
        assertThatThrownBy(() -> memory().append(run, List.of(numbered(9), dup, dup)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("events[2]: key 'same' appears twice in one append");
        assertThatThrownBy(() -> memory().append(run, numbered(0, 1001)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("events: at most 1000 per append, got 1001");
        String big = "x".repeat(Limits.MAX_EVENT_DATA_BYTES - 20);
        List<Event> tooMuch = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            tooMuch.add(Event.of(EventType.USER_MESSAGE, Map.of("text", big)));
        }
        assertThatThrownBy(() -> memory().append(run, tooMuch)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("events: at most 8388608 bytes of data and labels per append (8 MiB), exceeded at events[8]");
        memory().append(run, List.of(Event.userMessage("held").withKey("taken")));
        assertThatThrownBy(() -> memory().append(run, List.of(numbered(1), Event.userMessage("other").withKey("taken"))))
                .isInstanceOf(ConflictException.class);
        assertThat(memory().load(run).events()).extracting(MemoryEvent::text).containsExactly("before", "held");
    }

    @Test
    @DisplayName("M3: the same key with the same content writes nothing and returns the stored event")
    void m3_sameKeySameContentIsNotWrittenAgain() {
        Event e = Event.toolCall("c1", "search", Map.of("q", "cats")).withKey("k-1").withLabel("l", "v");
        MemoryEvent stored = memory().append(run, List.of(e)).get(0);
        clock.advance(Duration.ofMinutes(1));
        List<MemoryEvent> again = memory().append(run, List.of(e.withTimestamp(clock.instant())));
        assertThat(again).containsExactly(stored);
        assertThat(memory().load(run).events()).containsExactly(stored);
    }

    @Test
    @DisplayName("M3: the same key with other content throws ConflictException and writes nothing of the batch")
    void m3_sameKeyOtherContentConflictsAndWritesNothing() {
        memory().append(run, List.of(Event.userMessage("original").withKey("k-1")));
        assertThatThrownBy(() -> memory().append(run, List.of(numbered(1), Event.userMessage("changed").withKey("k-1"))))
                .isInstanceOf(KeyConflictException.class)
                .hasMessage("run run-1 already holds key 'k-1' with other content (an idempotency key names one event)");
        assertThatThrownBy(() -> memory().append(run, List.of(Event.assistantMessage("original").withKey("k-1"))))
                .as("another type").isInstanceOf(ConflictException.class);
        assertThatThrownBy(() -> memory().append(run, List.of(Event.userMessage("original").withKey("k-1").withLabel("a", "b"))))
                .as("other labels").isInstanceOf(ConflictException.class);
        assertThat(memory().load(run).events()).extracting(MemoryEvent::text).containsExactly("original");
    }

    @Test
    @DisplayName("M3: retrying a whole batch after a timeout is safe")
    void m3_retryingAWholeBatchIsSafe() {
        List<Event> batch = numbered(0, 10);
        List<MemoryEvent> first = memory().append(run, batch.subList(0, 4)); // as if the rest was lost
        List<MemoryEvent> retry = memory().append(run, batch);
        assertThat(retry.subList(0, 4)).isEqualTo(first);
        assertThat(sequences(retry)).containsExactlyElementsOf(range(1, 10));
        List<MemoryEvent> retryAgain = memory().append(run, batch);
        assertThat(retryAgain).isEqualTo(retry);
        assertThat(memory().load(run).events()).isEqualTo(retry);
    }

    @Test
    @DisplayName("M4: load returns every event by ascending sequence; an unknown run gives an empty snapshot")
    void m4_loadReturnsEverythingInOrderAndUnknownRunIsEmpty() {
        Snapshot empty = memory().load(new RunRef("session-1", "agent", "never"));
        assertThat(empty.isEmpty()).isTrue();
        assertThat(empty.lastSequence()).isZero();
        for (int i = 0; i < 5; i++) {
            memory().append(run, numbered(i * 10, 10));
        }
        Snapshot snapshot = memory().load(run);
        assertThat(sequences(snapshot.events())).containsExactlyElementsOf(range(1, 50));
        assertThat(snapshot.lastSequence()).isEqualTo(50);
        assertThat(snapshot.events().get(49).data().get("i")).isEqualTo(49L);
    }

    @Test
    @DisplayName("M4 (S9): event data and labels round-trip exactly, types included")
    void m4_eventDataRoundTripsExactly() {
        Map<String, Object> data = hostileJson();
        Event event = new Event("key '\"; --", EventType.TOOL_RESULT, START.plusMillis(123), data,
                Map.of("k\u00e9y", "\uD83D\uDE00\n", "sql", "' OR 1=1 --"));
        MemoryEvent stored = memory().append(run, List.of(event)).get(0);
        MemoryEvent loaded = memory().load(run).events().get(0);
        assertSameJson(loaded.data(), data);
        assertSameJson(stored.data(), data);
        assertThat(loaded).isEqualTo(stored);
        assertThat(loaded.key()).isEqualTo("key '\"; --");
        assertThat(loaded.timestamp()).isEqualTo(START.plusMillis(123));
        assertThat(loaded.labels()).isEqualTo(event.labels());
        assertSameJson(memory().read(EventQuery.run(run)).items().get(0).data(), data);
        assertSameJson(memory().read(EventQuery.session("session-1")).items().get(0).data(), data);
    }

    @Test
    @DisplayName("M5: K threads appending M events each to one run leave exactly K×M events, 1…K×M, each thread's in its order")
    void m5_concurrentAppendersLeaveAGapFreeLog() {
        int perThread = 100;
        onThreads(t -> {
            for (int i = 0; i < perThread; i += 2) {
                memory().append(run, List.of(
                        Event.of(EventType.USER_MESSAGE, Map.of("text", "x", "thread", t, "i", i)),
                        Event.of(EventType.USER_MESSAGE, Map.of("text", "x", "thread", t, "i", i + 1))));
            }
            return null;
        });
        List<MemoryEvent> events = memory().load(run).events();
        assertThat(sequences(events)).containsExactlyElementsOf(range(1, (long) THREADS * perThread));
        Map<Long, List<Long>> byThread = new HashMap<>();
        for (MemoryEvent e : events) {
            byThread.computeIfAbsent((Long) e.data().get("thread"), k -> new ArrayList<>()).add((Long) e.data().get("i"));
        }
        assertThat(byThread).hasSize(THREADS);
        for (List<Long> order : byThread.values()) {
            assertThat(order).containsExactlyElementsOf(range(0, perThread - 1));
        }
    }

    @Test
    @DisplayName("M6: a reader polling read(after(lastSeen)) while writers append sees every event once, in order")
    void m6_tailingReaderNeverMissesAnEvent() throws Exception {
        int writers = THREADS - 1;
        int perWriter = 100;
        long total = (long) writers * perWriter;
        AtomicBoolean gapSeen = new AtomicBoolean();
        AtomicBoolean writing = new AtomicBoolean(true);
        // the reads that found part of the log while writers were still appending: proof of overlap
        AtomicInteger partialReadsWhileWriting = new AtomicInteger();
        List<Long> seen = Collections.synchronizedList(new ArrayList<>());
        Thread reader = new Thread(() -> {
            long lastSeen = 0;
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while (lastSeen < total && System.nanoTime() < deadline) {
                boolean writersRunning = writing.get();
                Page<MemoryEvent> page = memory().read(EventQuery.run(run).after(lastSeen).limit(37));
                for (MemoryEvent e : page.items()) {
                    if (e.sequence() != lastSeen + 1) {
                        gapSeen.set(true);
                    }
                    seen.add(e.sequence());
                    lastSeen = e.sequence();
                }
                if (writersRunning && !page.items().isEmpty() && lastSeen < total) {
                    partialReadsWhileWriting.incrementAndGet();
                }
            }
        });
        reader.start();
        try {
            onThreads(t -> {
                if (t < writers) {
                    for (int i = 0; i < perWriter; i++) {
                        memory().append(run, List.of(numbered(t * 1000 + i)));
                        LockSupport.parkNanos(20_000); // leave the reader room on a store that is faster than it
                    }
                }
                return null;
            });
        } finally {
            writing.set(false);
        }
        reader.join();
        assertThat(gapSeen).as("a sequence became visible before a lower one").isFalse();
        assertThat(seen).containsExactlyElementsOf(range(1, total));
        assertThat(partialReadsWhileWriting.get()).as("reads that saw part of the log while writers appended")
                .isGreaterThanOrEqualTo(2);
    }

    @Test
    @DisplayName("M7: latest(n) and types(...) return the right events without reading the whole run")
    void m7_latestAndTypeFiltersDoNotReadTheWholeRun() {
        RunRef small = new RunRef("session-1", "agent", "small");
        RunRef large = new RunRef("session-1", "agent", "large");
        fill(small, 100);
        fill(large, 100_000);
        WorkMeter meter = workMeter();
        // a meter that reports a constant, or nothing, would pass everything below: calibrate it first
        long fullLoad = meter.workOf(() -> memory().load(large));
        long lastOne = meter.workOf(() -> memory().read(EventQuery.run(large).latest(1)));
        assertThat(fullLoad).as("work of loading a 100,000-event run vs reading its latest event (%d)", lastOne)
                .isGreaterThan(100 * Math.max(1, lastOne));
        for (RunRef ref : List.of(small, large)) {
            long last = ref == small ? 100 : 100_000;
            Page<MemoryEvent> latest = memory().read(EventQuery.run(ref).latest(50));
            assertThat(sequences(latest.items())).containsExactlyElementsOf(range(last - 49, last));
            assertThat(latest.nextCursor()).isNull();
            List<MemoryEvent> calls = memory().read(EventQuery.run(ref).types(EventType.TOOL_CALL).latest(10)).items();
            assertThat(calls).hasSize(10).allMatch(e -> e.type() == EventType.TOOL_CALL);
            assertThat(calls.get(9).sequence()).isEqualTo(last - 2);
            assertThat(sequences(calls)).isSorted();
            List<MemoryEvent> tail = memory().read(EventQuery.run(ref).after(last - 30)).items();
            assertThat(sequences(tail)).containsExactlyElementsOf(range(last - 29, last));
            List<MemoryEvent> firstCalls = memory().read(EventQuery.run(ref).types(EventType.TOOL_CALL).limit(5)).items();
            assertThat(sequences(firstCalls)).containsExactly(2L, 6L, 10L, 14L, 18L);
        }
        List<Runnable> queries = List.of(
                () -> memory().read(EventQuery.run(small).latest(50)),
                () -> memory().read(EventQuery.run(small).types(EventType.TOOL_CALL).latest(10)),
                () -> memory().read(EventQuery.run(small).after(70)),
                () -> memory().read(EventQuery.run(small).types(EventType.TOOL_CALL).limit(5)));
        List<Runnable> largeQueries = List.of(
                () -> memory().read(EventQuery.run(large).latest(50)),
                () -> memory().read(EventQuery.run(large).types(EventType.TOOL_CALL).latest(10)),
                () -> memory().read(EventQuery.run(large).after(99_970)),
                () -> memory().read(EventQuery.run(large).types(EventType.TOOL_CALL).limit(5)));
        for (int q = 0; q < queries.size(); q++) {
            long smallWork = meter.workOf(queries.get(q));
            long largeWork = meter.workOf(largeQueries.get(q));
            assertThat(smallWork).as("work of query %d on a 100-event run", q).isPositive();
            assertThat(largeWork).as("work of query %d on a 100,000-event run vs %d on a 100-event run", q, smallWork)
                    .isLessThanOrEqualTo(2 * smallWork + 10);
        }
    }

    /** Appends {@code count} events in batches: every 4th event (2, 6, 10, …) is a TOOL_CALL. */
    private void fill(RunRef ref, int count) {
        for (int from = 0; from < count; from += Limits.MAX_EVENTS_PER_APPEND) {
            List<Event> batch = new ArrayList<>();
            for (int i = from; i < Math.min(count, from + Limits.MAX_EVENTS_PER_APPEND); i++) {
                batch.add(i % 4 == 1 ? Event.toolCall("c" + i, "tool", Map.of("i", i))
                        : Event.of(EventType.ASSISTANT_MESSAGE, Map.of("text", "event " + i)));
            }
            memory().append(ref, batch);
        }
    }

    @Test
    @DisplayName("M8: read(session(id)) spans every run, ordered by (timestamp, run id, sequence), paged with a cursor")
    void m8_sessionReadSpansRunsInTimestampOrder() {
        RunRef a = new RunRef("s", "agent", "run-a");
        RunRef b = new RunRef("s", "agent", "run-b");
        RunRef elsewhere = new RunRef("other", "agent", "run-c");
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            clock.advance(Duration.ofMillis(10));
            memory().append(b, List.of(Event.userMessage("b" + i)));
            memory().append(a, List.of(Event.userMessage("a" + i), Event.toolCall("c" + i, "t", Map.of())));
            memory().append(elsewhere, List.of(Event.userMessage("x" + i)));
            expected.addAll(List.of("a" + i, "tool", "b" + i)); // same millisecond: run id, then sequence
        }
        List<String> walked = new ArrayList<>();
        EventQuery query = EventQuery.session("s").limit(7);
        Page<MemoryEvent> page = memory().read(query);
        int pages = 1;
        while (true) {
            page.items().forEach(e -> walked.add(e.type() == EventType.TOOL_CALL ? "tool" : e.text()));
            if (!page.hasNext()) {
                break;
            }
            page = memory().read(query.cursor(page.nextCursor()));
            pages++;
        }
        assertThat(walked).containsExactlyElementsOf(expected);
        assertThat(pages).isEqualTo(5);
        assertThat(memory().read(EventQuery.session("s").types(EventType.USER_MESSAGE).latest(3)).items())
                .extracting(MemoryEvent::text).containsExactly("b8", "a9", "b9");
        assertThat(memory().read(EventQuery.session("s").types(EventType.TOOL_CALL)).items()).hasSize(10);
        assertThat(memory().read(EventQuery.session("nobody")).items()).isEmpty();
        String cursor = memory().read(EventQuery.session("s").limit(2)).nextCursor();
        assertThatThrownBy(() -> memory().read(EventQuery.session("other").limit(2).cursor(cursor)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("other filters");
        assertThatThrownBy(() -> memory().read(EventQuery.run(a).cursor(cursor)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("cursor: invalid");
        assertThatThrownBy(() -> EventQuery.session("s").after(3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("after: applies to run queries; page a session query with cursor(...)");
    }

    @Test
    @DisplayName("M9: a run holds at least 100,000 events, and single events up to the 1 MiB data limit")
    void m9_runHoldsOneHundredThousandEventsAndOneMebibyteEvents() {
        for (int from = 0; from < 100_000; from += 1000) {
            List<MemoryEvent> stored = memory().append(run, numbered(from, 1000));
            assertThat(stored.get(999).sequence()).isEqualTo(from + 1000L);
        }
        String text = "\u00e9".repeat((Limits.MAX_EVENT_DATA_BYTES - 11) / 2) + "x";
        Map<String, Object> data = Map.of("text", text);
        assertThat(Json.encodedSize(data)).isEqualTo(Limits.MAX_EVENT_DATA_BYTES);
        MemoryEvent big = memory().append(run, List.of(Event.of(EventType.ASSISTANT_MESSAGE, data))).get(0);
        assertThat(big.sequence()).isEqualTo(100_001);
        assertThatThrownBy(() -> Event.of(EventType.ASSISTANT_MESSAGE, Map.of("text", text + "x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("data: at most 1,048,576 bytes of JSON, got 1,048,577");
        List<MemoryEvent> latest = memory().read(EventQuery.run(run).latest(2)).items();
        assertThat(latest.get(1).text()).isEqualTo(text);
        assertThat(latest.get(0).data().get("i")).isEqualTo(99_999L);
        Page<MemoryEvent> firstPage = memory().read(EventQuery.run(run).limit(1000));
        assertThat(sequences(firstPage.items())).containsExactlyElementsOf(range(1, 1000));
        assertThat(memory().load(run).events()).hasSize(100_001);
    }

    @Test
    @DisplayName("M10: delete removes a run's events and returns how many; another sessionId conflicts; an empty append is a no-op")
    void m10_deleteCountsAndRefMismatchConflicts() {
        assertThat(memory().append(run, List.of())).isEmpty();
        assertThat(memory().load(run).isEmpty()).isTrue();
        memory().append(run, numbered(0, 7));
        assertThatThrownBy(() -> memory().append(new RunRef("another-session", "agent", "run-1"), List.of(numbered(8))))
                .isInstanceOf(ConflictException.class).hasMessageContaining("belongs to session session-1");
        assertThatThrownBy(() -> memory().append(new RunRef("session-1", "another-agent", "run-1"), List.of(numbered(8))))
                .isInstanceOf(ConflictException.class);
        assertThat(memory().append(run, List.of())).isEmpty();
        assertThat(memory().load(run).events()).hasSize(7);
        assertThat(memory().delete(run)).isEqualTo(7);
        assertThat(memory().delete(run)).isZero();
        assertThat(memory().load(run).isEmpty()).isTrue();
        assertThat(memory().read(EventQuery.session("session-1")).items()).isEmpty();
        assertThat(sequences(memory().append(run, numbered(0, 2)))).as("a deleted run starts again at 1").containsExactly(1L, 2L);
    }

    @Test
    @DisplayName("M11: appendAfter writes only if the last sequence is the expected one, else ConflictException with the actual one")
    void m11_appendAfterWritesOnlyOnTheExpectedLastSequence() {
        assertThat(sequences(memory().appendAfter(run, 0, numbered(0, 2)))).containsExactly(1L, 2L);
        SequenceConflictException e = org.junit.jupiter.api.Assertions.assertThrows(SequenceConflictException.class,
                () -> memory().appendAfter(run, 1, List.of(numbered(5))));
        assertThat(e.actualLastSequence()).isEqualTo(2);
        assertThat(e).hasMessage("append conflict on run run-1: expected last sequence 1, actual 2");
        assertThat(memory().load(run).events()).hasSize(2);
        assertThat(sequences(memory().appendAfter(run, 2, numbered(6, 3)))).containsExactly(3L, 4L, 5L);
        SequenceConflictException empty = org.junit.jupiter.api.Assertions.assertThrows(SequenceConflictException.class,
                () -> memory().appendAfter(new RunRef("session-1", "agent", "fresh"), 3, List.of(numbered(1))));
        assertThat(empty.actualLastSequence()).isZero();
        assertThatThrownBy(() -> memory().appendAfter(run, -1, List.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expectedLastSequence: must not be negative, got -1");
    }

    @Test
    @DisplayName("M11: writers racing with the same expectation: exactly one wins")
    void m11_racingCompareAndAppendHasExactlyOneWinner() {
        for (int round = 0; round < 20; round++) {
            long expected = round;
            AtomicInteger winners = new AtomicInteger();
            AtomicInteger losers = new AtomicInteger();
            onThreads(t -> {
                try {
                    memory().appendAfter(run, expected, List.of(Event.of(EventType.PLANNER_NOTE,
                            Map.of("text", "round", "thread", t))));
                    winners.incrementAndGet();
                } catch (SequenceConflictException lost) {
                    assertThat(lost.actualLastSequence()).isEqualTo(expected + 1);
                    losers.incrementAndGet();
                }
                return null;
            });
            assertThat(winners).as("winners of round %d", round).hasValue(1);
            assertThat(losers).hasValue(THREADS - 1);
        }
        assertThat(sequences(memory().load(run).events())).containsExactlyElementsOf(range(1, 20));
    }

    private static List<Event> keyedBatch(String prefix, int thread, int round, int size) {
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            events.add(new Event(prefix + "-" + thread + "-" + round + "-" + i, EventType.TOOL_RESULT, null,
                    Map.of("thread", (long) thread, "round", (long) round, "i", (long) i), Map.of()));
        }
        return events;
    }

    private static void assertContiguous(List<MemoryEvent> stored, int size, String what) {
        assertThat(stored).as(what).hasSize(size);
        for (int i = 1; i < stored.size(); i++) {
            assertThat(stored.get(i).sequence()).as("%s: sequence after %d", what, stored.get(i - 1).sequence())
                    .isEqualTo(stored.get(i - 1).sequence() + 1);
        }
    }

    @Test
    @DisplayName("G1: concurrent callers' batches, in one shared run and in runs of their own, stay contiguous, whole and idempotent")
    void g1_concurrentBatchesStayContiguousWholeAndIdempotent() throws Exception {
        int rounds = 15;
        int size = 5;
        java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(THREADS);
        onThreads(t -> {
            RunRef own = new RunRef("session-1", "agent", "own-" + t);
            for (int r = 0; r < rounds; r++) {
                together.await(); // every round, all callers append at the same moment
                List<Event> batch = keyedBatch("g1", t, r, size);
                List<MemoryEvent> shared = memory().append(run, batch);
                assertContiguous(shared, size, "thread " + t + " round " + r);
                assertThat(shared).extracting(e -> e.data().get("thread")).containsOnly((long) t);
                assertThat(sequences(memory().append(run, batch))).as("the same batch again is a retry")
                        .isEqualTo(sequences(shared));
                assertThat(sequences(memory().append(own, batch))).containsExactlyElementsOf(range((long) r * size + 1,
                        (long) r * size + size));
            }
            return null;
        });
        assertThat(sequences(memory().load(run).events())).containsExactlyElementsOf(range(1, (long) THREADS * rounds * size));
    }

    @Test
    @DisplayName("G1: a conflict in one caller's batch (a reused key, a stale expectation, another session's run) fails that caller alone")
    void g1_aConflictInOneCallersBatchFailsThatCallerAlone() throws Exception {
        memory().append(run, List.of(new Event("taken", EventType.PLANNER_NOTE, null, Map.of("text", "first"), Map.of())));
        RunRef otherSession = new RunRef("another-session", "agent", run.runId());
        int rounds = 15;
        java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(THREADS);
        AtomicInteger refused = new AtomicInteger();
        onThreads(t -> {
            for (int r = 0; r < rounds; r++) {
                together.await();
                List<Event> batch = keyedBatch("g1c", t, r, 3);
                try {
                    switch (t) {
                        case 0 -> {
                            List<Event> reused = new ArrayList<>(batch);
                            reused.add(new Event("taken", EventType.PLANNER_NOTE, null, Map.of("text", "other"), Map.of()));
                            memory().append(run, reused);
                        }
                        case 1 -> memory().appendAfter(run, 0, batch);
                        case 2 -> memory().append(otherSession, batch);
                        default -> assertContiguous(memory().append(run, batch), 3, "thread " + t + " round " + r);
                    }
                    assertThat(t).as("thread %d's batch must have been refused", t).isGreaterThan(2);
                } catch (dev.memoria.ConflictException expected) {
                    assertThat(t).as("only the conflicting callers fail: %s", expected).isLessThanOrEqualTo(2);
                    refused.incrementAndGet();
                }
            }
            return null;
        });
        assertThat(refused).hasValue(3 * rounds);
        List<MemoryEvent> events = memory().load(run).events();
        assertThat(events).hasSize(1 + rounds * (THREADS - 3) * 3);
        assertThat(events.stream().skip(1).map(e -> (Long) e.data().get("thread")).collect(java.util.stream.Collectors.toSet()))
                .as("nothing of a refused batch is stored").doesNotContain(0L, 1L, 2L);
        assertThat(sequences(events)).containsExactlyElementsOf(range(1, events.size()));
    }

    @Test
    @DisplayName("M11: a batch whose every key is stored is a retry and returns the stored events whatever the expectation")
    void m11_aRetryOfAWrittenBatchReturnsTheStoredEventsWhateverTheExpectation() {
        List<Event> batch = numbered(0, 3);
        List<MemoryEvent> written = memory().appendAfter(run, 0, batch);
        memory().append(run, numbered(10, 2));
        assertThat(memory().appendAfter(run, 0, batch)).as("the same expectation as the first time").isEqualTo(written);
        assertThat(memory().appendAfter(run, 4, batch)).as("an expectation that never held").isEqualTo(written);
        assertThat(memory().appendAfter(run, 5, batch)).as("the current last sequence").isEqualTo(written);
        assertThat(sequences(memory().load(run).events())).containsExactlyElementsOf(range(1, 5));
    }

    @Test
    @DisplayName("M11: a batch mixing stored and new keys under a stale expectation throws and writes nothing")
    void m11_aMixedBatchUnderAStaleExpectationWritesNothing() {
        List<Event> first = numbered(0, 2);
        memory().appendAfter(run, 0, first);
        List<Event> mixed = new ArrayList<>(first);
        mixed.add(numbered(7));
        SequenceConflictException stale = org.junit.jupiter.api.Assertions.assertThrows(SequenceConflictException.class,
                () -> memory().appendAfter(run, 0, mixed));
        assertThat(stale.actualLastSequence()).isEqualTo(2);
        assertThat(memory().load(run).events()).hasSize(2);
        List<MemoryEvent> current = memory().appendAfter(run, 2, mixed);
        assertThat(sequences(current)).as("under the current expectation the new key is written after the stored ones")
                .containsExactly(1L, 2L, 3L);
    }

    @Test
    @DisplayName("M12: a ref naming the right run but another session or agent reads nothing; events carry the stored ref")
    void m12_aRefWithAnotherSessionOrAgentReadsNothing() {
        memory().append(run, numbered(0, 5));
        for (RunRef wrong : List.of(new RunRef("another-session", run.agentId(), run.runId()),
                new RunRef(run.sessionId(), "another-agent", run.runId()))) {
            assertThat(memory().load(wrong).events()).as("load(%s)", wrong).isEmpty();
            assertThat(memory().load(wrong).run()).isEqualTo(wrong);
            assertThat(memory().read(EventQuery.run(wrong)).items()).as("read(%s)", wrong).isEmpty();
            assertThat(memory().read(EventQuery.run(wrong).latest(3)).items()).as("latest(%s)", wrong).isEmpty();
            assertThat(memory().read(EventQuery.run(wrong).after(2)).items()).as("after(%s)", wrong).isEmpty();
            assertThat(memory().read(EventQuery.run(wrong).types(EventType.USER_MESSAGE).latest(2)).items()).isEmpty();
        }
        assertThat(memory().load(run).events()).hasSize(5).allMatch(e -> e.run().equals(run));
        assertThat(memory().read(EventQuery.run(run).latest(2)).items()).allMatch(e -> e.run().equals(run));
        assertThat(memory().read(EventQuery.session(run.sessionId())).items()).hasSize(5).allMatch(e -> e.run().equals(run));
    }

    @Test
    @DisplayName("M12: a run read by its id alone returns its events with their stored ref")
    void m12_aRunIdAloneReadsTheLogWithItsStoredRef() {
        memory().append(run, numbered(0, 5));
        memory().append(new RunRef("other-session", "agent", "run-2"), numbered(10, 2));
        assertThat(memory().read(EventQuery.run("run-1")).items()).extracting(MemoryEvent::sequence)
                .containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(memory().read(EventQuery.run("run-1")).items()).allMatch(e -> e.run().equals(run));
        assertThat(memory().read(EventQuery.run("run-1").latest(2)).items()).extracting(MemoryEvent::sequence)
                .containsExactly(4L, 5L);
        assertThat(memory().read(EventQuery.run("run-1").after(3).limit(10)).items()).extracting(MemoryEvent::sequence)
                .containsExactly(4L, 5L);
        assertThat(memory().read(EventQuery.run("run-2")).items()).hasSize(2)
                .allMatch(e -> e.run().equals(new RunRef("other-session", "agent", "run-2")));
        assertThat(memory().read(EventQuery.run("no-such-run")).items()).isEmpty();
        Page<MemoryEvent> first = memory().read(EventQuery.run("run-1").limit(2));
        assertThat(memory().read(EventQuery.run("run-1").limit(2).cursor(first.nextCursor())).items())
                .extracting(MemoryEvent::sequence).containsExactly(3L, 4L);
    }

    @Test
    @DisplayName("M8: labels and time bounds filter run and session reads, with paging and latest(n)")
    void m8_labelsAndTimeBoundsFilterReads() {
        RunRef other = new RunRef("session-1", "agent", "run-2");
        for (int i = 0; i < 12; i++) {
            clock.advance(Duration.ofSeconds(1));
            Event e = numbered(i).withLabel("parity", i % 2 == 0 ? "even" : "odd");
            memory().append(i % 3 == 0 ? other : run, List.of(i % 4 == 0 ? e.withLabel("flag", "x") : e));
        }
        java.util.function.Function<EventQuery, List<Long>> is = q -> {
            List<Long> out = new ArrayList<>();
            Page<MemoryEvent> page = memory().read(q);
            page.items().forEach(e -> out.add((Long) e.data().get("i")));
            while (page.hasNext()) {
                page = memory().read(q.cursor(page.nextCursor()));
                page.items().forEach(e -> out.add((Long) e.data().get("i")));
            }
            return out;
        };
        assertThat(is.apply(EventQuery.run(run).label("parity", "even").limit(2))).containsExactly(2L, 4L, 8L, 10L);
        assertThat(is.apply(EventQuery.run(run).labels(Map.of("parity", "even", "flag", "x")))).containsExactly(4L, 8L);
        assertThat(is.apply(EventQuery.run(run).timestampAfter(START.plusSeconds(5)).timestampBefore(START.plusSeconds(11))))
                .containsExactly(5L, 7L, 8L);
        assertThat(memory().read(EventQuery.run(run).label("parity", "odd").latest(2)).items())
                .extracting(e -> e.data().get("i")).containsExactly(7L, 11L);
        assertThat(is.apply(EventQuery.session("session-1").label("flag", "x").limit(1))).containsExactly(0L, 4L, 8L);
        assertThat(is.apply(EventQuery.session("session-1").timestampAfter(START.plusSeconds(9)).limit(2)))
                .containsExactly(9L, 10L, 11L);
        assertThat(memory().read(EventQuery.session("session-1").label("parity", "even").latest(3)).items())
                .extracting(e -> e.data().get("i")).containsExactly(6L, 8L, 10L);
        assertThat(is.apply(EventQuery.session("session-1").types(EventType.USER_MESSAGE).label("parity", "odd")
                .timestampBefore(START.plusSeconds(6)))).containsExactly(1L, 3L);
    }

    @Test
    @DisplayName("M12: every backend accepts and refuses the same batches; labels count towards the per-append limit")
    void m12_everyBackendAcceptsTheBatchesTheLimitsAccept() {
        // labels alone over the limit: 1,000 events x 64 labels of about 130 bytes each
        List<Event> labelled = new ArrayList<>();
        Map<String, String> labels = new java.util.LinkedHashMap<>();
        for (int l = 0; l < Limits.MAX_LABELS; l++) {
            labels.put("label-" + l, "v".repeat(120));
        }
        for (int i = 0; i < Limits.MAX_EVENTS_PER_APPEND; i++) {
            labelled.add(new Event(null, EventType.PLANNER_NOTE, null, Map.of("text", "n" + i), labels));
        }
        assertThatThrownBy(() -> memory().append(run, labelled)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("events: at most 8388608 bytes of data and labels per append (8 MiB), exceeded at events[");
        assertThat(memory().load(run).isEmpty()).isTrue();
        // just inside the limit in JSON, but several times larger in a binary encoding: small numbers, short keys
        List<Event> dense = new ArrayList<>();
        long budget = Limits.MAX_APPEND_DATA_BYTES;
        int perEvent = 8;
        while (dense.size() < perEvent) {
            List<Object> zeros = new ArrayList<>(Collections.nCopies(500_000, 0L));
            Map<String, Object> data = Map.of("zeros", zeros);
            budget -= Json.encodedSize(data);
            dense.add(Event.of(EventType.TOOL_RESULT, data));
        }
        assertThat(budget).as("the batch fits the JSON limit").isNotNegative();
        List<MemoryEvent> stored = memory().append(run, dense);
        assertThat(sequences(stored)).containsExactlyElementsOf(range(1, perEvent));
        List<MemoryEvent> loaded = memory().load(run).events();
        assertThat(loaded).hasSize(perEvent);
        assertThat(loaded.get(perEvent - 1).data()).isEqualTo(dense.get(perEvent - 1).data());
        // labels that fit are kept exactly beside data
        Event oneLabelled = labelled.get(0);
        assertThat(memory().append(run, List.of(oneLabelled)).get(0).labels()).isEqualTo(labels);
    }

    @Test
    @DisplayName("Bad input: every method refuses null and invalid arguments and writes nothing")
    void badInput_isRefusedBeforeAnythingIsWritten() {
        assertThatThrownBy(() -> memory().append(null, List.of())).isInstanceOf(NullPointerException.class).hasMessage("run");
        assertThatThrownBy(() -> memory().append(run, null)).isInstanceOf(NullPointerException.class).hasMessage("events");
        assertThatThrownBy(() -> memory().appendAfter(null, 0, List.of())).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> memory().load(null)).isInstanceOf(NullPointerException.class).hasMessage("run");
        assertThatThrownBy(() -> memory().read(null)).isInstanceOf(NullPointerException.class).hasMessage("query");
        assertThatThrownBy(() -> memory().delete(null)).isInstanceOf(NullPointerException.class).hasMessage("run");
        assertThatThrownBy(() -> memory().read(EventQuery.run(run).cursor("\u0000bad"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cursor: invalid");
        assertThat(memory().load(run).isEmpty()).isTrue();
    }
}
