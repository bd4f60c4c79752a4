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

    // ------------------------------------------------------------------ the context view

    /** A clock one millisecond further on every reading, so that markers and events never share one. */
    private static final class TickingClock extends Clock {
        private final AtomicLong millis = new AtomicLong(1_700_000_000_000L);

        @Override
        public java.time.Instant instant() {
            return java.time.Instant.ofEpochMilli(millis.incrementAndGet());
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    private static Message result(String callId, String text) {
        return Message.of(Event.toolResult(callId, "add", text, false));
    }

    private static Message assistant(String text) {
        return Message.of(Event.assistantMessage(text));
    }

    /** The conversation's event of the session's view (messages, tool calls and results) whose text or call id is given. */
    private static MemoryEvent viewed(Stores stores, String sessionId, String textOrCallId) {
        return Context.of(stores).view(sessionId, 1000, Context.CONVERSATION).unsummarized().stream()
                .filter(e -> textOrCallId.equals(e.textIfAny().orElse(null)) || textOrCallId.equals(e.data().get("callId")))
                .findFirst().orElseThrow();
    }

    /** Four turns: a system message, then user, assistant, one with two tool calls and their results. */
    private static List<Message> fourTurns() {
        return List.of(system("be brief"),
                user("q1"), assistant("a1"),
                user("q2"), toolCalls("t2"), result("t2-1", "r2-1"), result("t2-2", "r2-2"), assistant("a2"),
                user("q3"), assistant("a3"),
                user("q4"), assistant("a4"));
    }

    @Test
    void aCompactedConversationReadsItsSummaryThenOnlyTheMessagesAfterTheCut() {
        conversation.append(fourTurns());
        assertThat(conversation.summary()).isEmpty();
        assertThat(conversation.latestInView(100)).isEqualTo(new Conversation.Viewed(java.util.Optional.empty(), fourTurns()));

        Summary recorded = Context.of(stores).compact("chat-1", viewed(stores, "chat-1", "a2"), "Ada asked two sums.", "test");

        assertThat(conversation.summary()).contains(recorded);
        Conversation.Viewed viewed = conversation.latestInView(100);
        assertThat(viewed.summary()).contains(recorded);
        assertThat(viewed.messages()).containsExactly(user("q3"), assistant("a3"), user("q4"), assistant("a4"));
        assertThat(conversation.latestInView(3).messages()).containsExactly(assistant("a3"), user("q4"), assistant("a4"));
        // the system message is not a message the summary stands for: it stays in effect
        assertThat(conversation.latestInViewWith(EventType.SYSTEM_MESSAGE)).contains(system("be brief"));
        // the window as written, and the log, are unchanged
        assertThat(conversation.latest(100)).isEqualTo(fourTurns());
        assertThat(conversation.window()).isEqualTo(fourTurns());

        conversation.append(List.of(user("q5"), assistant("a5")));
        assertThat(conversation.latestInView(100).messages()).containsExactly(user("q3"), assistant("a3"), user("q4"),
                assistant("a4"), user("q5"), assistant("a5"));
        // another object, another process: the same
        assertThat(Conversation.of(stores, "chat-1", "test-adapter").latestInView(100)).isEqualTo(conversation.latestInView(100));

        // a second compaction replaces the first
        Summary second = Context.of(stores).compact("chat-1", viewed(stores, "chat-1", "a4"), "Four sums.", "test");
        assertThat(conversation.summary()).contains(second);
        assertThat(conversation.latestInView(100).messages()).containsExactly(user("q5"), assistant("a5"));
    }

    @Test
    void theMessagesAfterTheCutAreWhatTheContextViewShows() {
        conversation.append(fourTurns());
        Context.of(stores).compact("chat-1", viewed(stores, "chat-1", "q2"), "Ada asked.", "test");
        conversation.append(List.of(user("q5"), toolCalls("t5"), result("t5-1", "r5-1"), result("t5-2", "r5-2")));

        View view = Context.of(stores).view("chat-1", 1000, Context.CONVERSATION);
        List<Object> fromTheView = view.unsummarized().stream().map(e -> (Object) List.of(e.typeName(), e.data())).toList();
        List<Object> fromTheConversation = conversation.latestInView(1000).messages().stream().flatMap(m -> m.events().stream())
                .map(e -> (Object) List.of(e.typeName(), e.data())).toList();
        assertThat(fromTheConversation).isEqualTo(fromTheView);
        assertThat(conversation.latestInView(1000).summary()).isEqualTo(view.summary());
    }

    @Test
    void aCutInsideAMessageKeepsTheWholeMessageAndItsToolResults() {
        conversation.append(fourTurns());
        // the cut is the assistant's text: its tool calls, in the same message, come after it
        MemoryEvent text = viewed(stores, "chat-1", "t2");
        assertThat(text.type()).isEqualTo(EventType.ASSISTANT_MESSAGE);
        Context.of(stores).compact("chat-1", text, "Ada asked.", "test");

        assertThat(conversation.latestInView(100).messages()).containsExactly(toolCalls("t2"), result("t2-1", "r2-1"),
                result("t2-2", "r2-2"), assistant("a2"), user("q3"), assistant("a3"), user("q4"), assistant("a4"));
        assertThat(conversation.latestInView(5).messages()).containsExactly(assistant("a2"), user("q3"), assistant("a3"),
                user("q4"), assistant("a4"));
    }

    @Test
    void aCompactionUpToAToolCallCoversNeitherTheCallNorItsResults() {
        conversation.append(fourTurns());
        // a cut inside an open call moves back before it (C3): here before the message that holds it
        Summary summary = Context.of(stores).compact("chat-1", viewed(stores, "chat-1", "t2-2"), "Ada asked.", "test");
        assertThat(summary.upTo().sequence()).isLessThan(viewed(stores, "chat-1", "t2-1").sequence());

        assertThat(conversation.latestInView(100).messages()).startsWith(toolCalls("t2"), result("t2-1", "r2-1"),
                result("t2-2", "r2-2"), assistant("a2"));
    }

    @Test
    void aRewindHidesWhatItRewoundTheSystemMessageIncludedAndLaterMessagesShow() {
        Stores ticking = InMemoryStores.create(new TickingClock());
        Conversation chat = Conversation.of(ticking, "chat-2", "test-adapter");
        chat.append(List.of(system("be brief"), user("q1"), assistant("a1")));
        chat.append(List.of(system("be verbose"), user("q2"), toolCalls("t2"), result("t2-1", "r"), result("t2-2", "r")));
        assertThat(chat.latestInViewWith(EventType.SYSTEM_MESSAGE)).contains(system("be verbose"));

        Context.of(ticking).rewind("chat-2", viewed(ticking, "chat-2", "a1"));

        assertThat(chat.summary()).isEmpty();
        assertThat(chat.latestInView(100).messages()).containsExactly(system("be brief"), user("q1"), assistant("a1"));
        assertThat(chat.latestInViewWith(EventType.SYSTEM_MESSAGE)).contains(system("be brief"));
        assertThat(chat.latestInViewWith(EventType.TOOL_CALL)).isEmpty();
        assertThat(chat.latest(100)).as("the window as written").hasSize(8);

        chat.append(List.of(user("q2 again"), assistant("a2")));
        assertThat(chat.latestInView(100).messages()).containsExactly(system("be brief"), user("q1"), assistant("a1"),
                user("q2 again"), assistant("a2"));
        assertThat(chat.latestInView(2).messages()).containsExactly(user("q2 again"), assistant("a2"));

        // compacted after the rewind: the summary, then what came after the cut and was not rewound
        Context.of(ticking).compact("chat-2", viewed(ticking, "chat-2", "q1"), "Ada said hi.", "test");
        assertThat(chat.latestInView(100).messages()).containsExactly(assistant("a1"), user("q2 again"), assistant("a2"));
        assertThat(chat.summary()).map(Summary::text).contains("Ada said hi.");

        // a rewind to before what the summary covers voids it: what is left before the rewind shows again
        MemoryEvent first = ticking.memory().load(chat.log()).events().get(0);
        assertThat(first.type()).isEqualTo(EventType.SYSTEM_MESSAGE);
        Context.of(ticking).rewind("chat-2", first);
        assertThat(chat.summary()).isEmpty();
        assertThat(chat.latestInView(100).messages()).containsExactly(system("be brief"));
        chat.append(List.of(user("q3")));
        assertThat(chat.latestInView(100).messages()).containsExactly(system("be brief"), user("q3"));
    }

    @Test
    void aViewedReadCostsTheWindowNotTheConversation() {
        for (int i = 0; i < 2000; i++) {
            conversation.append(List.of(user("q" + i), toolCalls("t" + i), result("t" + i + "-1", "r"), result("t" + i + "-2", "r"),
                    assistant("a" + i)));
        }
        // the window's start moved to the last ten turns (a framework's window, as a store writes it)
        conversation.replaceWindow(conversation.latest(50));
        Context.of(stores).compact("chat-1", viewed(stores, "chat-1", "a1990"), "Many sums.", "test");
        conversation.latestInView(20); // reads the markers once

        examined.set(0);
        Conversation.Viewed viewed = conversation.latestInView(20);
        long read = examined.get();
        examined.set(0);
        conversation.latest(20);
        long plain = examined.get();

        assertThat(viewed.messages()).hasSize(20).last().isEqualTo(assistant("a1999"));
        assertThat(read).as("events examined for a viewed read").isLessThan(plain + 10).isLessThan(100);

        // a new object reads the markers too: still a small read
        examined.set(0);
        assertThat(Conversation.of(stores, "chat-1", "test-adapter").latestInView(20)).isEqualTo(viewed);
        assertThat(examined.get()).isLessThan(100);
    }

    @Test
    void withoutMarkersTheViewedWindowIsTheWindow() {
        conversation.replaceWindow(List.of(system("old"), system("s"), user("a"), user("b")));
        conversation.replaceWindow(List.of(system("s"), user("b"), user("c")));
        for (int max = 1; max <= 4; max++) {
            assertThat(conversation.latestInView(max).messages()).as("max %d", max).isEqualTo(conversation.latest(max));
        }
        assertThat(conversation.latestInViewWith(EventType.SYSTEM_MESSAGE)).contains(system("s"));
        assertThat(Conversation.of(stores, "never-written", "test-adapter").latestInView(5))
                .isEqualTo(new Conversation.Viewed(java.util.Optional.empty(), List.of()));
        assertThatThrownBy(() -> conversation.latestInView(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max");
    }

    @Test
    void theSystemTextWithASummary() {
        conversation.append(List.of(user("q1"), assistant("a1"), user("q2")));
        Summary summary = Context.of(stores).compact("chat-1", viewed(stores, "chat-1", "a1"), "Ada said hi.", "test");
        assertThat(Conversation.withSummary("Be brief.", summary))
                .isEqualTo("Be brief.\n\nSummary of the conversation so far: Ada said hi.");
        assertThat(Conversation.withSummary(null, summary)).isEqualTo("Summary of the conversation so far: Ada said hi.");
    }
}
