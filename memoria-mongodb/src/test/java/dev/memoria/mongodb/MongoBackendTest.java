package dev.memoria.mongodb;

import dev.memoria.testservers.MongoTestServer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.MongoSocketWriteException;
import com.mongodb.ServerAddress;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import dev.memoria.StoreUnavailableException;
import dev.memoria.Stores;
import dev.memoria.memory.Event;
import dev.memoria.memory.EventType;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.run.RunRef;
import dev.memoria.session.NewSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.bson.Document;
import org.junit.jupiter.api.Test;

/** What the MongoDB backend promises beyond the shared contracts. */
class MongoBackendTest {
    private final RunRef run = new RunRef("s", "agent", "r");

    private static List<Event> batch(int from, int count) {
        List<Event> events = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            events.add(Event.of(EventType.USER_MESSAGE, Map.of("text", "m" + i, "i", i)));
        }
        return events;
    }

    /** A database whose events collection writes its {@code nth} insert, then loses the acknowledgement. */
    private static MongoDatabase losingAcknowledgement(MongoDatabase real, int nth) {
        AtomicInteger inserts = new AtomicInteger();
        return Intercepting.database(real, (collection, method, args, proceed) -> {
            Object result = proceed.call();
            if (collection.endsWith("events") && method.getName().equals("insertOne") && inserts.incrementAndGet() == nth) {
                throw new MongoSocketWriteException("connection reset after the write", new ServerAddress(),
                        new java.io.IOException("injected"));
            }
            return result;
        });
    }

    @Test
    void m3_aBatchWhoseAcknowledgementWasLostIsNotDuplicatedByItsRetry() {
        MongoDatabase db = MongoTestServer.get().freshDatabase();
        try (Stores stores = MongoStores.create(losingAcknowledgement(db, 2))) {
            stores.memory().append(run, batch(0, 3));
            List<Event> second = batch(3, 500);
            assertThatThrownBy(() -> stores.memory().append(run, second)).isInstanceOf(StoreUnavailableException.class)
                    .matches(e -> ((StoreUnavailableException) e).retryable(), "retryable");
            List<MemoryEvent> retried = stores.memory().append(run, second);
            assertThat(retried).extracting(MemoryEvent::sequence).first().isEqualTo(4L);
            List<Event> mixed = new ArrayList<>(second.subList(0, 10));
            mixed.addAll(batch(503, 5));
            assertThat(stores.memory().append(run, mixed)).extracting(MemoryEvent::sequence)
                    .containsExactly(4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 504L, 505L, 506L, 507L, 508L);
            List<MemoryEvent> all = stores.memory().load(run).events();
            assertThat(all).hasSize(508);
            for (int i = 0; i < all.size(); i++) {
                assertThat(all.get(i).sequence()).isEqualTo(i + 1);
                assertThat(all.get(i).data().get("i")).isEqualTo((long) i);
            }
        }
    }

    @Test
    void m9_aRunHoldsMoreThanSixteenMebibytesOfEvents() {
        try (Stores stores = MongoStores.create(MongoTestServer.get().freshDatabase())) {
            String mebibyte = "x".repeat(1024 * 1024 - 20);
            for (int i = 0; i < 20; i++) {
                stores.memory().append(run, List.of(Event.of(EventType.TOOL_RESULT, Map.of("blob", mebibyte))));
            }
            List<MemoryEvent> events = stores.memory().load(run).events();
            assertThat(events).hasSize(20).allMatch(e -> e.data().get("blob").equals(mebibyte));
        }
    }

    @Test
    void m5_twoClientsAppendingToOneRunLeaveAGapFreeLog() throws Exception {
        MongoDatabase db = MongoTestServer.get().freshDatabase();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            int writer = w;
            writers.add(new Thread(() -> {
                try (MongoClient own = MongoClients.create(MongoTestServer.get().uri());
                     Stores stores = MongoStores.create(own.getDatabase(db.getName()))) {
                    for (int i = 0; i < 150; i++) {
                        stores.memory().append(run, List.of(Event.of(EventType.USER_MESSAGE,
                                Map.of("text", "w", "writer", writer, "i", i))));
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        writers.forEach(Thread::start);
        for (Thread t : writers) {
            t.join();
        }
        assertThat(failures).isEmpty();
        try (Stores stores = MongoStores.create(db)) {
            List<MemoryEvent> events = stores.memory().load(run).events();
            assertThat(events).hasSize(300);
            for (int i = 0; i < 300; i++) {
                assertThat(events.get(i).sequence()).isEqualTo(i + 1);
            }
        }
    }

    @Test
    void openNeedsADatabaseInTheUriAndClosesOnlyTheClientItCreated() {
        assertThatThrownBy(() -> Stores.open("mongodb://localhost:1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("uri: name the database, as in mongodb://localhost:27017/memoria");
        assertThatThrownBy(() -> Stores.open("mongodb://")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("uri: not a MongoDB connection string");
        String uri = MongoTestServer.get().uri() + "/opened_by_uri";
        try (Stores stores = Stores.open(uri)) {
            stores.sessions().create(NewSession.builder().id("via-uri").build());
        }
        MongoDatabase db = MongoTestServer.get().freshDatabase();
        MongoStores.create(db).close();
        assertThat(db.getCollection("memoria_meta").countDocuments()).as("the caller's client still works").isEqualTo(1);
        assertThat(MongoTestServer.get().client().getDatabase("opened_by_uri").getCollection("memoria_sessions")
                .countDocuments()).isEqualTo(1);
    }

    @Test
    void aDatabaseWithANewerSchemaIsRefused() {
        MongoDatabase db = MongoTestServer.get().freshDatabase();
        MongoStores.create(db).close();
        db.getCollection("memoria_meta").updateOne(new Document("_id", "schema"), new Document("$set", new Document("version", 7)));
        assertThatThrownBy(() -> MongoStores.create(db)).isInstanceOf(StoreUnavailableException.class)
                .hasMessage("the database's Memoria schema ('memoria_' collections) is at version 7, newer than this"
                        + " Memoria's version " + Layout.SCHEMA_VERSION + ": upgrade Memoria to open it");
        assertThatThrownBy(() -> MongoOptions.defaults().collectionPrefix("Bad")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("collectionPrefix: must match [a-z][a-z0-9_]{0,30}, got 'Bad'");
    }

    @Test
    void keysMongoDbTreatsSpeciallyAreStoredEscapedAndReadBackExactly() {
        assertThat(UserData.escapeKey("$set")).isEqualTo("%24set");
        assertThat(UserData.escapeKey("a.b")).isEqualTo("a%2Eb");
        assertThat(UserData.escapeKey("100%")).isEqualTo("100%25");
        assertThat(UserData.escapeKey("")).isEqualTo("%");
        assertThat(UserData.escapeKey("plain")).isEqualTo("plain");
        for (String key : List.of("$set", "a.b", "$", "", "%", "%2E", "%24x", ".$.%", "x$y", "\u00e9.\uD83D\uDE00")) {
            assertThat(UserData.unescapeKey(UserData.escapeKey(key))).as(key).isEqualTo(key);
        }
        try (Stores stores = MongoStores.create(MongoTestServer.get().freshDatabase())) {
            Map<String, Object> data = Map.of("$where", "sleep(1000)", "a.b.c", Map.of("$gt", 1L), "", List.of(1.5));
            MemoryEvent stored = stores.memory().append(run, List.of(Event.of(EventType.TOOL_CALL, data))).get(0);
            assertThat(stores.memory().load(run).events()).containsExactly(stored);
            assertThat(stored.data()).isEqualTo(data);
        }
    }

    @Test
    void m12_aBatchTooLargeForBsonKeepsItsDataAsJsonTextInOneDocument() {
        MongoDatabase db = MongoTestServer.get().freshDatabase();
        try (Stores stores = MongoStores.create(db)) {
            stores.memory().append(run, List.of(Event.userMessage("before")));
            // about 1 MB of JSON each, but 7 MB of BSON: three of them pass what one document holds
            List<Event> dense = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                dense.add(new Event("dense-" + i, EventType.TOOL_RESULT, null,
                        Map.of("zeros", java.util.Collections.nCopies(500_000, (long) i)), Map.of("part", "p" + i)));
            }
            List<MemoryEvent> written = stores.memory().append(run, dense);
            stores.memory().append(run, List.of(Event.assistantMessage("after")));

            List<Document> batches = db.getCollection("memoria_events").find().sort(new Document("p", 1)).into(new ArrayList<>());
            assertThat(batches).as("one document per batch, the large one included").hasSize(3);
            for (Document e : batches.get(1).getList("e", Document.class)) {
                assertThat(e).containsKeys("dj", "lj").doesNotContainKeys("d", "l");
            }
            assertThat(batches.get(2).getList("e", Document.class).get(0)).containsKeys("d", "l");

            List<MemoryEvent> all = stores.memory().load(run).events();
            assertThat(all.subList(1, 4)).isEqualTo(written);
            assertThat(all).extracting(MemoryEvent::sequence).containsExactly(1L, 2L, 3L, 4L, 5L);
            assertThat(all.get(3).data().get("zeros")).isEqualTo(java.util.Collections.nCopies(500_000, 2L));
            assertThat(all.get(3).labels()).isEqualTo(Map.of("part", "p2"));
            assertThat(stores.memory().read(dev.memoria.memory.EventQuery.run(run).latest(2)).items())
                    .containsExactly(written.get(2), all.get(4));
            assertThat(stores.memory().read(dev.memoria.memory.EventQuery.run(run).after(2).limit(1)).items())
                    .containsExactly(written.get(1));
            assertThat(stores.memory().read(dev.memoria.memory.EventQuery.run(run).types(EventType.TOOL_RESULT).latest(1)).items())
                    .containsExactly(written.get(2));
            assertThat(stores.memory().read(dev.memoria.memory.EventQuery.session(run.sessionId())).items()).isEqualTo(all);
            assertThat(stores.memory().append(run, dense)).as("a retry of the batch is recognised").isEqualTo(written);
        }
    }

    @Test
    void compatibility_eventsOfTypesThisVersionDoesNotKnowAreFoundByTypeUnknown() {
        MongoDatabase db = MongoTestServer.get().freshDatabase();
        try (Stores stores = MongoStores.create(db)) {
            List<Document> events = new ArrayList<>();
            String[] types = {"USER_MESSAGE", "DIGEST", "ASSISTANT_MESSAGE", "FROM_THE_FUTURE"};
            for (int i = 0; i < types.length; i++) {
                events.add(new Document("s", (long) i + 1).append("k", "k" + i).append("t", types[i]).append("ts", 1000L + i)
                        .append("dj", "{\"text\":\"t" + i + "\"}").append("lj", "{}"));
            }
            // a batch as a newer Memoria may write it: types this one does not know, data as JSON text
            db.getCollection("memoria_events").insertOne(new Document("r", run.runId()).append("sid", run.sessionId())
                    .append("a", run.agentId()).append("p", 0L).append("last", 4L).append("n", 4L).append("minTs", 1000L)
                    .append("maxTs", 1003L).append("e", events));
            var query = dev.memoria.memory.EventQuery.run(run);
            assertThat(stores.memory().read(query.types(EventType.UNKNOWN)).items()).extracting(MemoryEvent::typeName)
                    .containsExactly("DIGEST", "FROM_THE_FUTURE");
            assertThat(stores.memory().read(query.types(EventType.UNKNOWN, EventType.USER_MESSAGE).latest(2)).items())
                    .extracting(MemoryEvent::key).containsExactly("k1", "k3");
            assertThat(stores.memory().read(dev.memoria.memory.EventQuery.session(run.sessionId()).types(EventType.UNKNOWN))
                    .items()).extracting(e -> e.textIfAny().orElseThrow()).containsExactly("t1", "t3");
            assertThat(stores.memory().read(query.types(EventType.ASSISTANT_MESSAGE)).items()).extracting(MemoryEvent::key)
                    .containsExactly("k2");
        }
    }
}
