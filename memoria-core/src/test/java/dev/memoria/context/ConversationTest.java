package dev.memoria.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.memoria.SessionEndedException;
import dev.memoria.Stores;
import dev.memoria.context.Conversation.Message;
import dev.memoria.inmemory.InMemoryStores;
import dev.memoria.memory.Event;
import dev.memoria.memory.EventType;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.session.Session;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ConversationTest {
    private final AtomicLong examined = new AtomicLong();
    private final Stores stores = InMemoryStores.create(Clock.systemUTC(), examined::addAndGet);
    private final Conversation conversation = Conversation.of(stores, "chat-1", "test-adapter");

    private static Message user(String text) {
        return Message.of(Event.userMessage(text));
    }

    private static Message system(String text) {
        return Message.of(Event.systemMessage(text));
    }

    /** An assistant reply asking for two tools: one message of three events. */
    private static Message toolCalls(String text) {
        return new Message(List.of(Event.assistantMessage(text),
                Event.toolCall(text + "-1", "add", Map.of("a", 1L)),
                Event.toolCall(text + "-2", "mul", Map.of("b", 2L))));
    }

    private List<MemoryEvent> log() {
        return stores.memory().load(conversation.log()).events();
    }

    private long writtenBy(Runnable write) {
        long before = log().size();
        write.run();
        return log().size() - before;
    }

    @Test
    void aFirstWriteCreatesTheSessionAndTheLogRun() {
        assertThat(conversation.exists()).isFalse();
        assertThat(conversation.window()).isEmpty();

        conversation.replaceWindow(List.of(system("be brief"), user("hi")));

        Session session = stores.sessions().get("chat-1").orElseThrow();
        assertThat(session.labels()).containsEntry(Conversation.CONVERSATION_LABEL, "test-adapter");
        assertThat(stores.runs().get(conversation.log().runId())).isPresent();
        assertThat(conversation.log().runId()).isEqualTo(Conversation.logRunId("chat-1")).matches("conversation-[0-9a-f]{32}");
        assertThat(conversation.window()).containsExactly(system("be brief"), user("hi"));
    }

    @Test
    void messagesAddedAtTheEndAreAllThatIsWritten() {
        conversation.replaceWindow(List.of(user("a"), toolCalls("b")));
        long written = writtenBy(() -> conversation.replaceWindow(List.of(user("a"), toolCalls("b"), user("c"), toolCalls("d"))));

        assertThat(written).isEqualTo(4); // c, then d's three events; no marker
        assertThat(conversation.window()).containsExactly(user("a"), toolCalls("b"), user("c"), toolCalls("d"));
    }

    @Test
    void theSameListAgainWritesNothing() {
        List<Message> list = List.of(system("s"), user("a"), user("a"));
        conversation.replaceWindow(list);
        assertThat(writtenBy(() -> conversation.replaceWindow(list))).isZero();
    }

    @Test
    void droppingTheOldestMovesAMarkerAndKeepsTheHistory() {
        conversation.replaceWindow(List.of(system("s"), user("a"), user("b"), user("c")));

        long written = writtenBy(() -> conversation.replaceWindow(List.of(system("s"), user("c"), user("d"))));

        assertThat(written).isEqualTo(2); // d and one marker
        assertThat(conversation.window()).containsExactly(system("s"), user("c"), user("d"));
        assertThat(log()).extracting(e -> e.textIfAny().orElse(e.typeName()))
                .containsExactly("s", "a", "b", "c", "d", "WINDOW");
    }

    @Test
    void droppingOneOfTheKeptMessagesKeepsTheOthersAndNothingDroppedBefore() {
        conversation.replaceWindow(List.of(system("s1"), system("s2"), user("a"), user("b"), user("c")));
        conversation.replaceWindow(List.of(system("s1"), system("s2"), user("c"), user("d")));

        long written = writtenBy(() -> conversation.replaceWindow(List.of(system("s2"), user("c"), user("d"), user("e"))));

        assertThat(written).isEqualTo(2);
        assertThat(conversation.window()).containsExactly(system("s2"), user("c"), user("d"), user("e"));
        assertThat(conversation.latest(10)).containsExactly(system("s2"), user("c"), user("d"), user("e"));
    }

    @Test
    void aListSharingNothingReplacesTheWindowAndDeletesNothing() {
        conversation.replaceWindow(List.of(user("a"), user("b")));
        conversation.replaceWindow(List.of(user("x")));

        assertThat(conversation.window()).containsExactly(user("x"));
        assertThat(log()).hasSize(4);
    }

    @Test
    void anEmptyListEmptiesTheWindowAndMarksTheSessionUntilTheNextWrite() {
        conversation.replaceWindow(List.of(user("a")));
        conversation.replaceWindow(List.of());

        assertThat(conversation.window()).isEmpty();
        assertThat(conversation.isWindowEmpty()).isTrue();
        assertThat(stores.sessions().get("chat-1").orElseThrow().labels()).containsKey(Conversation.EMPTY_LABEL);
        assertThat(log()).extracting(MemoryEvent::type).containsExactly(EventType.USER_MESSAGE, EventType.WINDOW);

        conversation.replaceWindow(List.of(user("a")));
        assertThat(conversation.window()).containsExactly(user("a"));
        assertThat(stores.sessions().get("chat-1").orElseThrow().labels()).doesNotContainKey(Conversation.EMPTY_LABEL);
    }

    @Test
    void clearingAConversationThatWasNeverWrittenCreatesNothing() {
        conversation.clearWindow();
        conversation.replaceWindow(List.of());
        assertThat(conversation.exists()).isFalse();
    }

    @Test
    void appendAddsWithoutComparingAndLatestReadsFromTheEnd() {
        conversation.append(List.of(system("s")));
        for (int i = 0; i < 300; i++) {
            conversation.append(List.of(user("u" + i), toolCalls("t" + i)));
        }

        assertThat(conversation.latest(3)).containsExactly(toolCalls("t298"), user("u299"), toolCalls("t299"));
        assertThat(conversation.latest(1000)).hasSize(601).startsWith(system("s"));
        assertThat(conversation.latestWith(EventType.SYSTEM_MESSAGE)).contains(system("s"));
        assertThat(conversation.latestWith(EventType.TOOL_CALL)).contains(toolCalls("t299"));
        assertThat(conversation.latestWith(EventType.THINKING)).isEmpty();
    }

    @Test
    void latestAndLatestWithSeeTheWindowOnly() {
        conversation.replaceWindow(List.of(system("old"), system("s"), user("a"), user("b")));
        conversation.replaceWindow(List.of(system("s"), user("b"), user("c")));

        assertThat(conversation.latest(10)).containsExactly(system("s"), user("b"), user("c"));
        assertThat(conversation.latest(2)).containsExactly(user("b"), user("c"));
        assertThat(conversation.latestWith(EventType.SYSTEM_MESSAGE)).contains(system("s"));

        conversation.replaceWindow(List.of(user("c")));
        assertThat(conversation.latestWith(EventType.SYSTEM_MESSAGE)).isEmpty();
        assertThat(conversation.latest(10)).containsExactly(user("c"));
    }

    @Test
    void aWindowReadCostsTheWindowNotTheHistory() {
        List<Message> window = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            window.add(user("m" + i));
            if (window.size() > 20) {
                window.remove(0);
            }
            conversation.replaceWindow(List.copyOf(window));
        }
        assertThat(log().size()).isGreaterThan(9_000); // 5,000 messages and a marker for most

        examined.set(0);
        window.remove(0);
        window.add(user("last"));
        conversation.replaceWindow(List.copyOf(window));
        long write = examined.get();
        examined.set(0);
        assertThat(conversation.window()).isEqualTo(window);
        long read = examined.get();

        assertThat(write).isLessThan(100);
        assertThat(read).isLessThan(100);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(longs = {11, 12, 13, 14})
    void everyListWrittenIsTheWindowReadAndNoMessageLeavesTheHistory(long seed) {
        Random random = new Random(seed);
        List<Message> current = new ArrayList<>();
        List<Message> everWritten = new ArrayList<>();
        for (int step = 0; step < 300; step++) {
            List<Message> next = new ArrayList<>(current);
            long expectedWrites = -1;
            switch (random.nextInt(6)) {
                case 0, 1 -> { // a framework adding a message or two
                    expectedWrites = 0;
                    for (int k = random.nextInt(2) + 1; k > 0; k--) {
                        Message added = randomMessage(random);
                        next.add(added);
                        expectedWrites += added.events().size();
                    }
                }
                case 2 -> { // a window dropping its oldest, the system messages in front kept
                    int keep = 0;
                    while (keep < next.size() && next.get(keep).events().get(0).type() == EventType.SYSTEM_MESSAGE) {
                        keep++;
                    }
                    int dropped = 0;
                    for (int k = random.nextInt(3) + 1; k > 0 && next.size() > keep; k--) {
                        next.remove(keep);
                        dropped++;
                    }
                    Message added = randomMessage(random);
                    next.add(added);
                    expectedWrites = added.events().size() + (dropped > 0 ? 1 : 0);
                }
                case 3 -> next.add(0, system("s" + random.nextInt(3)));
                case 4 -> { // anything at all
                    next.clear();
                    for (int k = random.nextInt(5); k > 0; k--) {
                        next.add(randomMessage(random));
                    }
                }
                default -> { // a message replaced in the middle
                    if (!next.isEmpty()) {
                        next.set(random.nextInt(next.size()), randomMessage(random));
                    }
                }
            }
            List<Message> list = next;
            long written = writtenBy(() -> conversation.replaceWindow(list));
            if (expectedWrites >= 0) {
                // repeated messages may let a cheaper reading exist, never a dearer one
                assertThat(written).as("events written at step %d", step).isLessThanOrEqualTo(expectedWrites);
            }
            everWritten.addAll(next);
            current = next;
            assertThat(conversation.window()).as("step %d", step).isEqualTo(next);
        }
        List<Message> history = Conversation.group(log().stream().filter(e -> e.type() != EventType.WINDOW).toList())
                .stream().map(Conversation.Stored::message).toList();
        assertThat(history).containsAll(everWritten);
    }

    private static Message randomMessage(Random random) {
        String text = "m" + random.nextInt(8); // a small alphabet: repeated messages are the hard case
        return switch (random.nextInt(3)) {
            case 0 -> user(text);
            case 1 -> toolCalls(text);
            default -> Message.of(Event.toolResult(text + "-1", "add", 3L, false));
        };
    }

    @Test
    void alignmentFindsTheCheapestReadingInOnePass() {
        List<Conversation.Fingerprint> w = prints("s", "a", "b", "c", "d");
        assertThat(Conversation.align(w, prints("s", "a", "b", "c", "d", "e")))
                .isEqualTo(new Conversation.Alignment(0, 0, List.of()));
        assertThat(Conversation.align(w, prints("s", "c", "d", "e")))
                .isEqualTo(new Conversation.Alignment(3, 1, List.of(0)));
        // "s" before "a" is not the window's order: only "a" can stay in front, the rest is written
        assertThat(Conversation.align(w, prints("a", "s", "d")))
                .isEqualTo(new Conversation.Alignment(5, 1, List.of(1)));
        assertThat(Conversation.align(w, prints("x")))
                .isEqualTo(new Conversation.Alignment(5, 0, List.of()));
        assertThat(Conversation.align(w, prints("s", "b", "x")))
                .isEqualTo(new Conversation.Alignment(5, 2, List.of(0, 2)));
    }

    private static List<Conversation.Fingerprint> prints(String... texts) {
        return java.util.Arrays.stream(texts).map(t -> user(t).fingerprint()).toList();
    }

    @Test
    void aMessageIsTheSameWhateverItsKeyAndTimestamp() {
        Message a = Message.of(Event.userMessage("hi").withKey("k1"));
        Message b = Message.of(Event.userMessage("hi").withKey("k2").withTimestamp(java.time.Instant.EPOCH));
        assertThat(a.fingerprint()).isEqualTo(b.fingerprint());
        assertThat(Message.of(Event.userMessage("hi").withLabel("x", "y")).fingerprint()).isNotEqualTo(a.fingerprint());
    }

    @Test
    void theGroupingLabelIsTheConversationsOwn() {
        assertThatThrownBy(() -> Message.of(Event.userMessage("hi").withLabel(Conversation.MESSAGE_LABEL, "x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(Conversation.MESSAGE_LABEL);
        assertThatThrownBy(() -> new Message(List.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("events");
    }

    @Test
    void anEndedConversationIsReadOnly() {
        conversation.replaceWindow(List.of(user("a")));
        stores.sessions().update("chat-1", Session::ended);

        assertThatThrownBy(() -> conversation.replaceWindow(List.of(user("a"), user("b")))).isInstanceOf(SessionEndedException.class);
        assertThatThrownBy(() -> conversation.append(List.of(user("b")))).isInstanceOf(SessionEndedException.class);
        assertThatThrownBy(conversation::clearWindow).isInstanceOf(SessionEndedException.class);
        assertThat(conversation.window()).containsExactly(user("a"));
        assertThat(log()).hasSize(1);
    }

    @Test
    void aWriteLargerThanOneAppendIsSplitWithTheMarkerLast() {
        List<Message> many = new ArrayList<>();
        for (int i = 0; i < 1500; i++) {
            many.add(toolCalls("c" + i));
        }
        conversation.replaceWindow(List.of(user("a")));
        conversation.replaceWindow(many);

        assertThat(conversation.window()).isEqualTo(many);
        List<MemoryEvent> log = log();
        assertThat(log).hasSize(1 + 4500 + 1);
        assertThat(log.get(log.size() - 1).type()).isEqualTo(EventType.WINDOW);
    }

    @Test
    void deleteRemovesTheSessionTheRunAndTheLog() {
        conversation.replaceWindow(List.of(user("a")));
        conversation.delete();

        assertThat(conversation.exists()).isFalse();
        assertThat(stores.runs().get(conversation.log().runId())).isEmpty();
        assertThat(log()).isEmpty();

        conversation.append(List.of(user("again")));
        assertThat(conversation.window()).containsExactly(user("again"));
        assertThat(stores.runs().get(conversation.log().runId())).isPresent();
    }

    @Test
    void aMarkerWithFieldsItDoesNotKnowIsReadAsFarAsItGoes() {
        conversation.replaceWindow(List.of(user("a"), user("b")));
        stores.memory().append(conversation.log(), List.of(Event.of(EventType.WINDOW, Map.of("from", "later", "keep", List.of("x")))));

        // a marker without a usable start shows what comes after it: nothing yet
        assertThat(conversation.window()).isEmpty();
        conversation.replaceWindow(List.of(user("c")));
        assertThat(conversation.window()).containsExactly(user("c"));
    }

    @Test
    void toStringNamesTheSessionAndTheLog() {
        assertThat(conversation.toString()).contains("chat-1").contains(conversation.log().runId());
    }

    /**
     * A clear racing a write, paused at one of its steps while the other conversation object
     * appends: whatever the interleaving, a listing that confirms the label with isWindowEmpty()
     * sees the window as it is.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"before the label", "before the marker", "after the marker"})
    void aClearRacingAWriteNeverHidesAFilledWindowFromAListing(String pausedAt) throws Exception {
        java.util.concurrent.CountDownLatch paused = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch written = new java.util.concurrent.CountDownLatch(1);
        Thread[] clearer = new Thread[1];
        boolean[] markerDone = new boolean[1];
        Runnable gate = () -> {
            if (Thread.currentThread() == clearer[0] && paused.getCount() > 0) {
                paused.countDown();
                try {
                    written.await(30, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
        };
        dev.memoria.session.SessionStore sessions = stores.sessions();
        dev.memoria.session.SessionStore gatedSessions = new dev.memoria.session.SessionStore() {
            public Session create(dev.memoria.session.NewSession spec) {
                return sessions.create(spec);
            }

            public java.util.Optional<Session> get(String id) {
                if (pausedAt.equals("after the marker") && markerDone[0]) {
                    gate.run();
                }
                return sessions.get(id);
            }

            public Session update(Session changed) {
                if (pausedAt.equals("before the label") && changed.labels().containsKey(Conversation.EMPTY_LABEL)) {
                    gate.run();
                }
                return sessions.update(changed);
            }

            public void touch(String id, java.time.Instant at) {
                sessions.touch(id, at);
            }

            public dev.memoria.Page<Session> list(dev.memoria.session.SessionFilter f) {
                return sessions.list(f);
            }

            public boolean delete(String id) {
                return sessions.delete(id);
            }
        };
        dev.memoria.memory.MemoryStore memory = stores.memory();
        dev.memoria.memory.MemoryStore gatedMemory = new dev.memoria.memory.MemoryStore() {
            public dev.memoria.memory.Snapshot load(dev.memoria.run.RunRef run) {
                return memory.load(run);
            }

            public List<MemoryEvent> append(dev.memoria.run.RunRef run, List<Event> events) {
                return memory.append(run, events);
            }

            public List<MemoryEvent> appendAfter(dev.memoria.run.RunRef run, long expected, List<Event> events) {
                boolean marker = events.get(events.size() - 1).type() == EventType.WINDOW;
                if (marker && pausedAt.equals("before the marker")) {
                    gate.run();
                }
                List<MemoryEvent> stored = memory.appendAfter(run, expected, events);
                markerDone[0] |= marker && Thread.currentThread() == clearer[0];
                return stored;
            }

            public dev.memoria.Page<MemoryEvent> read(dev.memoria.memory.EventQuery query) {
                return memory.read(query);
            }

            public long delete(dev.memoria.run.RunRef run) {
                return memory.delete(run);
            }
        };
        Stores racing = Stores.of(gatedSessions, stores.runs(), gatedMemory);
        Conversation clearing = Conversation.of(racing, "chat-1", "test-adapter");
        Conversation writing = Conversation.of(racing, "chat-1", "test-adapter");
        writing.replaceWindow(List.of(user("old")));

        java.util.concurrent.CompletableFuture<Void> clear = java.util.concurrent.CompletableFuture.runAsync(() -> {
            clearer[0] = Thread.currentThread();
            clearing.clearWindow();
        });
        assertThat(paused.await(30, java.util.concurrent.TimeUnit.SECONDS)).as("the clear reached " + pausedAt).isTrue();
        writing.append(List.of(user("new")));
        written.countDown();
        clear.get(30, java.util.concurrent.TimeUnit.SECONDS);

        boolean labelled = stores.sessions().get("chat-1").orElseThrow().labels().containsKey(Conversation.EMPTY_LABEL);
        boolean listed = !labelled || !conversation.isWindowEmpty();
        assertThat(listed).as("listed after a clear paused %s", pausedAt).isEqualTo(!conversation.window().isEmpty());
        if (conversation.window().isEmpty()) {
            assertThat(labelled).as("an empty window is labelled").isTrue();
        }
    }

    @Test
    void aRememberedWindowIsUsedOnlyWhileTheLogHasNotMoved() {
        Conversation other = Conversation.of(stores, "chat-1", "test-adapter"); // another process, say
        conversation.replaceWindow(List.of(user("a"), user("b")));
        assertThat(conversation.window()).containsExactly(user("a"), user("b"));

        other.replaceWindow(List.of(user("b"), user("c")));
        assertThat(conversation.window()).as("moved by another writer").containsExactly(user("b"), user("c"));

        other.append(List.of(user("d")));
        conversation.replaceWindow(List.of(user("c"), user("d"), user("e")));
        assertThat(other.window()).containsExactly(user("c"), user("d"), user("e"));
        assertThat(log()).filteredOn(e -> e.type() != EventType.WINDOW).extracting(e -> e.text())
                .containsExactly("a", "b", "c", "d", "e");
    }

    @Test
    void aLogPurgedAndWrittenAgainToTheSameSequenceIsReadAgain() {
        conversation.replaceWindow(List.of(user("a"), user("b")));
        assertThat(conversation.window()).hasSize(2);
        Conversation other = Conversation.of(stores, "chat-1", "test-adapter");
        other.delete();
        other.replaceWindow(List.of(user("x"), user("y"))); // the same last sequence, other events

        assertThat(conversation.window()).containsExactly(user("x"), user("y"));
        conversation.replaceWindow(List.of(user("y"), user("z")));
        assertThat(other.window()).containsExactly(user("y"), user("z"));
    }

    @Test
    void aWindowWrittenThroughARememberedWindowReadsBackTheSame() {
        Random random = new Random(5);
        List<Message> current = new ArrayList<>();
        Conversation fresh = Conversation.of(stores, "chat-1", "test-adapter");
        for (int step = 0; step < 200; step++) {
            List<Message> next = new ArrayList<>(current);
            if (!next.isEmpty() && random.nextInt(3) == 0) {
                next.remove(random.nextInt(Math.min(2, next.size())));
            }
            next.add(randomMessage(random));
            if (random.nextInt(10) == 0) {
                next.add(0, system("s" + random.nextInt(2)));
            }
            conversation.replaceWindow(next);
            current = next;
            // a new object reads the log; the writer answers from what it remembers: the same
            assertThat(Conversation.of(stores, "chat-1", "test-adapter").window()).as("step %d", step).isEqualTo(next);
            assertThat(conversation.window()).as("step %d", step).isEqualTo(next);
            if (step % 7 == 0) {
                fresh.append(List.of(user("from elsewhere " + step)));
                current = new ArrayList<>(next);
                current.add(user("from elsewhere " + step));
                assertThat(conversation.window()).isEqualTo(current);
            }
        }
    }
}
