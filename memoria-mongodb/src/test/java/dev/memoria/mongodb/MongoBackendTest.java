package dev.memoria.mongodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.MongoSocketWriteException;
import com.mongodb.ServerAddress;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import dev.memoria.StoreUnavailableException;
import dev.memoria.Stores;
import dev.memoria.memory.Event;
import dev.memoria.memory.EventType;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.run.RunRef;
import dev.memoria.session.NewSession;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
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
        return (MongoDatabase) Proxy.newProxyInstance(MongoBackendTest.class.getClassLoader(),
                new Class<?>[] {MongoDatabase.class}, (proxy, method, args) -> {
                    Object result = invoke(real, method, args);
                    if (method.getName().equals("getCollection") && ((String) args[0]).endsWith("events")) {
                        MongoCollection<?> collection = (MongoCollection<?>) result;
                        return Proxy.newProxyInstance(MongoBackendTest.class.getClassLoader(),
                                new Class<?>[] {MongoCollection.class}, (p, m, a) -> {
                                    Object r = invoke(collection, m, a);
                                    if (m.getName().equals("insertOne") && inserts.incrementAndGet() == nth) {
                                        throw new MongoSocketWriteException("connection reset after the write",
                                                new ServerAddress(), new java.io.IOException("injected"));
                                    }
                                    return r;
                                });
                    }
                    return result;
                });
    }

    private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    @Test
    void m3_aBatchWhoseAcknowledgementWasLostIsNotDuplicatedByItsRetry() {
        MongoDatabase db = MongoServerFixture.get().freshDatabase();
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
        try (Stores stores = MongoStores.create(MongoServerFixture.get().freshDatabase())) {
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
        MongoDatabase db = MongoServerFixture.get().freshDatabase();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            int writer = w;
            writers.add(new Thread(() -> {
                try (MongoClient own = MongoClients.create(MongoServerFixture.get().uri);
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
        String uri = MongoServerFixture.get().uri + "/opened_by_uri";
        try (Stores stores = Stores.open(uri)) {
            stores.sessions().create(NewSession.builder().id("via-uri").build());
        }
        MongoDatabase db = MongoServerFixture.get().freshDatabase();
        MongoStores.create(db).close();
        assertThat(db.getCollection("memoria_meta").countDocuments()).as("the caller's client still works").isEqualTo(1);
        assertThat(MongoServerFixture.get().client.getDatabase("opened_by_uri").getCollection("memoria_sessions")
                .countDocuments()).isEqualTo(1);
    }

    @Test
    void aDatabaseWithANewerSchemaIsRefused() {
        MongoDatabase db = MongoServerFixture.get().freshDatabase();
        MongoStores.create(db).close();
        db.getCollection("memoria_meta").updateOne(new Document("_id", "schema"), new Document("$set", new Document("version", 7)));
        assertThatThrownBy(() -> MongoStores.create(db)).isInstanceOf(StoreUnavailableException.class)
                .hasMessage("the database's Memoria schema ('memoria_' collections) is at version 7, newer than this"
                        + " Memoria's version 1: upgrade Memoria to open it");
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
        try (Stores stores = MongoStores.create(MongoServerFixture.get().freshDatabase())) {
            Map<String, Object> data = Map.of("$where", "sleep(1000)", "a.b.c", Map.of("$gt", 1L), "", List.of(1.5));
            MemoryEvent stored = stores.memory().append(run, List.of(Event.of(EventType.TOOL_CALL, data))).get(0);
            assertThat(stores.memory().load(run).events()).containsExactly(stored);
            assertThat(stored.data()).isEqualTo(data);
        }
    }
}
