package dev.memoria.mongodb;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import dev.memoria.Stores;
import dev.memoria.memory.Event;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.run.RunRef;
import dev.memoria.testservers.MongoTestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Group commit on MongoDB (G1): concurrent appends of one run go into one batch document, those
 * of several runs into one insertMany; a document the chain refuses leaves its appends to the lone
 * path. The first insert is held until every writer has called append, so that a group forms on
 * any machine: the test proves the writers overlapped.
 */
class MongoGroupCommitTest {
    private static final int WRITERS = 8;
    private static final int ROUNDS = 10;

    @Test
    @DisplayName("G1: appends of one run share a batch document, appends of several runs one insertMany")
    void concurrentAppendsShareDocumentsAndInserts() throws Exception {
        MongoDatabase db = MongoTestServer.get().freshDatabase();
        AtomicBoolean holdFirstInsert = new AtomicBoolean(false);
        AtomicInteger entered = new AtomicInteger();
        AtomicInteger insertManys = new AtomicInteger();
        MongoDatabase watched = Intercepting.database(db, (collection, method, args, proceed) -> {
            if (collection.endsWith("events") && method.getName().startsWith("insert")) {
                if (method.getName().equals("insertMany")) {
                    insertManys.incrementAndGet();
                }
                if (holdFirstInsert.compareAndSet(true, false)) {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (entered.get() < WRITERS && System.nanoTime() < deadline) {
                        LockSupport.parkNanos(1_000_000);
                    }
                    LockSupport.parkNanos(50_000_000); // the last ones to enter reach the queue
                }
            }
            return proceed.call();
        });
        RunRef shared = new RunRef("s", "agent", "shared");
        try (Stores stores = MongoStores.create(watched)) {
            holdFirstInsert.set(true);
            runWriters(stores, shared, entered);
            List<MemoryEvent> events = stores.memory().load(shared).events();
            assertThat(events).hasSize(WRITERS / 2 * ROUNDS * 2);
            for (int i = 0; i < events.size(); i++) {
                assertThat(events.get(i).sequence()).isEqualTo(i + 1);
            }
            long documents = db.getCollection("memoria_events").countDocuments(Filters.eq("r", "shared"));
            assertThat(documents).as("batch documents of %d appends to the shared run", WRITERS / 2 * ROUNDS)
                    .isLessThan(WRITERS / 2 * ROUNDS);
            assertThat(insertManys.get()).as("groups of several runs written with one insertMany").isPositive();
            for (int t = 1; t < WRITERS; t += 2) {
                assertThat(stores.memory().load(new RunRef("s", "agent", "own-" + t)).events()).hasSize(ROUNDS * 2);
            }
        }
    }

    @Test
    @DisplayName("G1: a group's document refused because another process appended meanwhile goes the lone way, and nothing is lost")
    void aRefusedDocumentFallsBackToTheLonePath() throws Exception {
        MongoDatabase db = MongoTestServer.get().freshDatabase();
        RunRef shared = new RunRef("s", "agent", "shared");
        AtomicInteger entered = new AtomicInteger();
        try (Stores other = MongoStores.create(db)) {
            other.memory().append(shared, List.of(Event.userMessage("before")));
            AtomicBoolean armed = new AtomicBoolean(true);
            MongoDatabase racing = Intercepting.database(db, (collection, method, args, proceed) -> {
                if (collection.endsWith("events") && method.getName().startsWith("insert") && armed.get()) {
                    if (method.getName().equals("insertOne") && entered.get() < WRITERS) {
                        // the first lone insert waits for the others, so that the next commit is a group
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                        while (entered.get() < WRITERS && System.nanoTime() < deadline) {
                            LockSupport.parkNanos(1_000_000);
                        }
                        LockSupport.parkNanos(50_000_000);
                    } else if (method.getName().equals("insertMany") && armed.compareAndSet(true, false)) {
                        other.memory().append(shared, List.of(Event.userMessage("another process, between tail and insert")));
                    }
                }
                return proceed.call();
            });
            try (Stores stores = MongoStores.create(racing)) {
                runWriters(stores, shared, entered);
                assertThat(armed).as("the other process appended inside a group's commit").isFalse();
                List<MemoryEvent> events = stores.memory().load(shared).events();
                assertThat(events).hasSize(2 + WRITERS / 2 * ROUNDS * 2);
                for (int i = 0; i < events.size(); i++) {
                    assertThat(events.get(i).sequence()).isEqualTo(i + 1);
                }
                assertThat(events).extracting(MemoryEvent::text).contains("another process, between tail and insert");
            }
        }
    }

    /** Half the writers append to the shared run, half to runs of their own; every round at once. */
    private static void runWriters(Stores stores, RunRef shared, AtomicInteger entered) throws Exception {
        CyclicBarrier together = new CyclicBarrier(WRITERS);
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < WRITERS; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    RunRef run = thread % 2 == 0 ? shared : new RunRef("s", "agent", "own-" + thread);
                    for (int r = 0; r < ROUNDS; r++) {
                        together.await();
                        if (r == 0) {
                            entered.incrementAndGet();
                        }
                        List<MemoryEvent> stored = stores.memory().append(run,
                                List.of(Event.userMessage("t" + thread + " r" + r), Event.assistantMessage("ok")));
                        assertThat(stored.get(1).sequence()).isEqualTo(stored.get(0).sequence() + 1);
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(2, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
