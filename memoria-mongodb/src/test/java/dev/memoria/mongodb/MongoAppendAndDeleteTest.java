package dev.memoria.mongodb;

import dev.memoria.testservers.MongoTestServer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.MongoWriteException;
import com.mongodb.ServerAddress;
import com.mongodb.WriteError;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import dev.memoria.StoreUnavailableException;
import dev.memoria.Stores;
import dev.memoria.memory.Event;
import dev.memoria.memory.EventQuery;
import dev.memoria.memory.EventType;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.run.RunRef;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.bson.BsonDocument;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;

/**
 * Appends that lose races, deletes that race appends, and reads that fail half-way: the moments
 * are placed exactly with {@link Intercepting}, so each test is deterministic.
 */
class MongoAppendAndDeleteTest {
    private final RunRef run = new RunRef("s", "agent", "r");

    private static List<Event> batch(int from, int count) {
        List<Event> events = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            events.add(Event.of(EventType.USER_MESSAGE, Map.of("text", "m" + i, "i", i)));
        }
        return events;
    }

    private static List<Long> sequences(List<MemoryEvent> events) {
        return events.stream().map(MemoryEvent::sequence).toList();
    }

    private static boolean isEventInsertAfterTheStart(String collection, java.lang.reflect.Method method, Object[] args) {
        if (!collection.endsWith("events") || !method.getName().equals("insertOne")) {
            return false;
        }
        Object p = args[0] instanceof RawBsonDocument raw ? raw.getInt64("p").longValue() : ((Document) args[0]).get("p");
        return ((Number) p).longValue() > 0;
    }

    /** The run's batch documents, by position. */
    private static List<Document> chain(MongoDatabase db, String runId) {
        return db.getCollection("memoria_events").find(Filters.eq("r", runId)).sort(Sorts.ascending("p")).into(new ArrayList<>());
    }

    @Test
    void anAppendThatKeepsLosingRacesBacksOffAfterEachAndGivesUpRetryably() {
        MongoDatabase db = MongoTestServer.get().freshDatabase();
        AtomicInteger inserts = new AtomicInteger();
        // every insert is refused as if another appender had taken the position first
        MongoDatabase alwaysTaken = Intercepting.database(db, (collection, method, args, proceed) -> {
            if (collection.endsWith("events") && method.getName().equals("insertOne")) {
                inserts.incrementAndGet();
                throw new MongoWriteException(new WriteError(11000, "E11000 duplicate key error (injected)", new BsonDocument()),
                        new ServerAddress(), Set.of());
            }
            return proceed.call();
        });
        Layout layout = new Layout(alwaysTaken, "memoria_", Clock.systemUTC(), Endpoint.usersClient());
        layout.prepare();
        List<Integer> backOffs = new CopyOnWriteArrayList<>();
        MongoMemoryStore memory = new MongoMemoryStore(layout, 12, backOffs::add);

        assertThatThrownBy(() -> memory.append(run, batch(0, 3))).isInstanceOf(StoreUnavailableException.class)
                .hasMessage("append to run r lost 12 races in a row to other appenders, backing off after"
                        + " each; nothing of the batch was written: retry it")
                .matches(e -> ((StoreUnavailableException) e).retryable(), "retryable");
        assertThat(inserts).as("insert attempts").hasValue(12);
        assertThat(backOffs).as("a back-off after each lost race, growing with the losses")
                .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        assertThat(memory.load(run).isEmpty()).isTrue();
    }

    @Test
    void anAppendWhoseTailWasReadBeforeADeleteStartsAFreshLogAtOne() {
        MongoDatabase db = MongoTestServer.get().freshDatabase();
        try (Stores other = MongoStores.create(db)) {
            AtomicBoolean armed = new AtomicBoolean();
            AtomicLong deleted = new AtomicLong(-1);
            MongoDatabase racing = Intercepting.database(db, (collection, method, args, proceed) -> {
                if (isEventInsertAfterTheStart(collection, method, args) && armed.compareAndSet(true, false)) {
                    deleted.set(other.memory().delete(run)); // after this appender read the tail, before its insert
                }
                return proceed.call();
            });
            try (Stores appender = MongoStores.create(racing)) {
                appender.memory().append(run, batch(0, 3));
                armed.set(true);
                List<MemoryEvent> written = appender.memory().append(run, batch(3, 2));

                assertThat(armed).as("the delete ran inside the append").isFalse();
                assertThat(deleted).hasValue(3);
                assertThat(sequences(written)).as("a fresh log").containsExactly(1L, 2L);
                assertThat(other.memory().load(run).events()).isEqualTo(written);
                assertThat(chain(db, run.runId())).singleElement().matches(d -> d.getLong("p") == 0 && d.getLong("last") == 2);
                assertThat(sequences(other.memory().append(run, batch(5, 1)))).containsExactly(3L);
            }
        }
    }

    @Test
    void anAppendInsertedJustBeforeADeleteFinishedIsTakenBackAndWrittenAsAFreshLog() {
        MongoDatabase db = MongoTestServer.get().freshDatabase();
        try (Stores other = MongoStores.create(db)) {
            AtomicBoolean armed = new AtomicBoolean();
            AtomicLong deleted = new AtomicLong(-1);
            MongoDatabase racing = Intercepting.database(db, (collection, method, args, proceed) -> {
                Object result = proceed.call();
                if (isEventInsertAfterTheStart(collection, method, args) && armed.compareAndSet(true, false)) {
                    deleted.set(other.memory().delete(run)); // after the insert, before the appender checks its log
                }
                return result;
            });
            try (Stores appender = MongoStores.create(racing)) {
                appender.memory().append(run, batch(0, 3));
                armed.set(true);
                List<MemoryEvent> written = appender.memory().append(run, batch(3, 2));

                assertThat(armed).isFalse();
                assertThat(deleted).as("the delete counts the batch it removed, which the appender then writes again")
                        .hasValue(5);
                assertThat(sequences(written)).containsExactly(1L, 2L);
                assertThat(written).extracting(e -> e.data().get("i")).containsExactly(3L, 4L);
                assertThat(other.memory().load(run).events()).isEqualTo(written);
                assertThat(chain(db, run.runId())).hasSize(1);
            }
        }
    }

    /**
     * The case a check of the previous batch alone gets wrong: another appender follows the orphan
     * while it is still there, and the orphan is taken back right after. Its follower must not be
     * kept either.
     */
    @Test
    void aBatchThatFollowedAnOrphanIsNotKeptEither() {
        MongoDatabase db = MongoTestServer.get().freshDatabase();
        try (Stores other = MongoStores.create(db)) {
            AtomicBoolean armed = new AtomicBoolean();
            List<MemoryEvent> follower = new ArrayList<>();
            MongoDatabase racing = Intercepting.database(db, (collection, method, args, proceed) -> {
                if (!(isEventInsertAfterTheStart(collection, method, args) && armed.compareAndSet(true, false))) {
                    return proceed.call();
                }
                other.memory().delete(run);                              // the log goes away,
                Object result = proceed.call();                          // this batch lands after it (an orphan),
                follower.addAll(other.memory().append(run, batch(10, 4))); // and someone appends after the orphan
                return result;
            });
            try (Stores appender = MongoStores.create(racing)) {
                appender.memory().append(run, batch(0, 3));
                armed.set(true);
                List<MemoryEvent> written = appender.memory().append(run, batch(3, 2));

                assertThat(sequences(follower)).as("the follower started a fresh log").containsExactly(1L, 2L, 3L, 4L);
                assertThat(sequences(written)).as("the orphan's append went after it").containsExactly(5L, 6L);
                List<MemoryEvent> log = other.memory().load(run).events();
                assertThat(sequences(log)).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
                assertThat(log).extracting(e -> e.data().get("i")).containsExactly(10L, 11L, 12L, 13L, 3L, 4L);
                assertThat(chain(db, run.runId())).extracting(d -> d.getLong("p")).containsExactly(0L, 4L);
            }
        }
    }

    @Test
    void appendersRacingRepeatedDeletesLeaveOneGapFreeLogThatKeepsEveryLaterAppend() throws Exception {
        MongoDatabase db = MongoTestServer.get().freshDatabase();
        int writers = 4;
        int appendsEach = 60;
        try (Stores stores = MongoStores.create(db)) {
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicInteger deletesThatRemovedEvents = new AtomicInteger();
            AtomicLong lastDeleteFinished = new AtomicLong(Long.MIN_VALUE);
            // each append's start time and its events' keys
            List<Map.Entry<Long, List<String>>> appends = new CopyOnWriteArrayList<>();
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            Thread deleter = new Thread(() -> {
                try {
                    while (writing.get()) {
                        if (stores.memory().delete(run) > 0 && writing.get()) {
                            deletesThatRemovedEvents.incrementAndGet();
                        }
                        lastDeleteFinished.set(System.nanoTime());
                        java.util.concurrent.locks.LockSupport.parkNanos(3_000_000);
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            });
            List<Thread> appenders = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                appenders.add(new Thread(() -> {
                    try {
                        for (int i = 0; i < appendsEach; i++) {
                            List<Event> events = batch(writer * 1000 + i * 2, 2);
                            long started = System.nanoTime();
                            stores.memory().append(run, events);
                            appends.add(Map.entry(started, events.stream().map(Event::key).toList()));
                        }
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                }));
            }
            deleter.start();
            appenders.forEach(Thread::start);
            for (Thread t : appenders) {
                t.join();
            }
            writing.set(false);
            deleter.join();

            assertThat(failures).isEmpty();
            assertThat(deletesThatRemovedEvents.get()).as("deletes that removed events while appenders were running")
                    .isGreaterThanOrEqualTo(2);
            List<MemoryEvent> log = stores.memory().load(run).events();
            assertThat(sequences(log)).as("one log, from 1, without gaps")
                    .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, log.size()).boxed().toList());
            List<Document> chain = chain(db, run.runId());
            for (int i = 0; i < chain.size(); i++) {
                assertThat(chain.get(i).getLong("p")).as("batch %d follows the one before", i)
                        .isEqualTo(i == 0 ? 0 : chain.get(i - 1).getLong("last"));
                assertThat(chain.get(i).get("g")).as("every batch belongs to the live log").isEqualTo(chain.get(0).get("g"));
            }
            Set<String> stored = new java.util.HashSet<>(log.stream().map(MemoryEvent::key).toList());
            List<String> later = appends.stream().filter(a -> a.getKey() > lastDeleteFinished.get())
                    .flatMap(a -> a.getValue().stream()).toList();
            assertThat(stored).as("every append begun after the last delete").containsAll(later);
        }
    }

    @Test
    void deleteRemovesALogInBoundedChunksAndCountsItsEvents() {
        MongoDatabase db = MongoTestServer.get().freshDatabase();
        try (Stores plain = MongoStores.create(db)) {
            // 2,500 batches written straight into the collection, as a long-lived run would have them
            MongoCollection<Document> events = db.getCollection("memoria_events");
            List<Document> batches = new ArrayList<>();
            for (long p = 0; p < 2500; p++) {
                batches.add(new Document("r", run.runId()).append("sid", run.sessionId()).append("a", run.agentId())
                        .append("p", p).append("last", p + 1).append("n", 1L).append("minTs", 0L).append("maxTs", 0L)
                        .append("e", List.of(new Document("s", p + 1).append("k", "k" + p).append("t", "USER_MESSAGE")
                                .append("ts", 0L).append("d", new Document("text", "x")).append("l", new Document()))));
            }
            events.insertMany(batches);
            AtomicInteger largestIdList = new AtomicInteger();
            MongoDatabase watched = Intercepting.database(db, (collection, method, args, proceed) -> {
                if (collection.endsWith("events") && method.getName().equals("deleteMany")) {
                    BsonDocument filter = ((org.bson.conversions.Bson) args[0]).toBsonDocument();
                    int ids = filter.containsKey("_id") ? filter.getDocument("_id").getArray("$in").size() : 0;
                    largestIdList.accumulateAndGet(ids, Math::max);
                }
                return proceed.call();
            });
            try (Stores deleting = MongoStores.create(watched)) {
                assertThat(deleting.memory().delete(run)).isEqualTo(2500);
            }
            assertThat(largestIdList.get()).as("batch ids named by one delete command").isBetween(1, 1000);
            assertThat(events.countDocuments(Filters.eq("r", run.runId()))).isZero();
            assertThat(plain.memory().load(run).isEmpty()).isTrue();
            assertThat(sequences(plain.memory().append(run, batch(0, 1)))).containsExactly(1L);
        }
    }

    @Test
    void whatADeleteThatStoppedHalfWayLeftIsNeverReadAndIsRemovedByTheNextAppendOrDelete() {
        MongoDatabase db = MongoTestServer.get().freshDatabase();
        try (Stores stores = MongoStores.create(db)) {
            stores.memory().append(run, batch(0, 2));
            stores.memory().append(run, batch(2, 2));
            stores.memory().append(run, batch(4, 2));
            // a delete that removed the first batch and then died
            MongoCollection<Document> events = db.getCollection("memoria_events");
            events.deleteOne(Filters.and(Filters.eq("r", run.runId()), Filters.eq("p", 0L)));

            assertThat(stores.memory().load(run).isEmpty()).isTrue();
            assertThat(stores.memory().read(EventQuery.run(run).latest(5)).items()).isEmpty();
            assertThat(stores.memory().read(EventQuery.run(run).after(2)).items()).isEmpty();
            assertThat(stores.memory().read(EventQuery.run(run).types(EventType.USER_MESSAGE)).items()).isEmpty();
            List<MemoryEvent> fresh = stores.memory().append(run, batch(6, 1));
            assertThat(sequences(fresh)).containsExactly(1L);
            assertThat(stores.memory().load(run).events()).isEqualTo(fresh);
            assertThat(chain(db, run.runId())).hasSize(1);

            // and a second delete finishes a first one's job
            stores.memory().append(run, batch(7, 3));
            events.deleteOne(Filters.and(Filters.eq("r", run.runId()), Filters.eq("p", 0L)));
            assertThat(stores.memory().delete(run)).as("the leftover batch's events").isEqualTo(3);
            assertThat(chain(db, run.runId())).isEmpty();
        }
    }

    @Test
    void aReadThatFailsHalfWayClosesItsCursor() {
        MongoDatabase db = MongoTestServer.get().freshDatabase();
        Set<Object> open = java.util.concurrent.ConcurrentHashMap.newKeySet();
        try (Stores stores = MongoStores.create(Intercepting.trackingCursors(db, open))) {
            for (int i = 0; i < 150; i++) {
                stores.memory().append(run, batch(i, 1));
            }
            assertThat(open).as("cursors left open by appends").isEmpty();
            // a batch damaged by hand: its event has lost its key, so reading it fails half-way
            db.getCollection("memoria_events").updateOne(Filters.and(Filters.eq("r", run.runId()), Filters.eq("last", 2L)),
                    Updates.unset("e.0.k"));
            assertThatThrownBy(() -> stores.memory().load(run)).isInstanceOf(NullPointerException.class).hasMessage("key");
            assertThat(open).as("cursors left open by a failed load").isEmpty();
            assertThatThrownBy(() -> stores.memory().read(EventQuery.run(run).limit(1000)))
                    .isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> stores.memory().read(EventQuery.run(run).after(1).limit(3)))
                    .isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> stores.memory().read(EventQuery.session(run.sessionId()).limit(1000)))
                    .isInstanceOf(NullPointerException.class);
            assertThat(open).as("cursors left open by failed reads").isEmpty();
            assertThat(stores.memory().delete(run)).isEqualTo(150);
            assertThat(open).isEmpty();
        }
    }
}
