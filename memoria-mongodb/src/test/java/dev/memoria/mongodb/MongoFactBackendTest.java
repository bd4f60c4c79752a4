package dev.memoria.mongodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.ExplainVerbosity;
import com.mongodb.MongoSocketWriteException;
import com.mongodb.MongoWriteException;
import com.mongodb.ServerAddress;
import com.mongodb.WriteError;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import dev.memoria.ConflictException;
import dev.memoria.Page;
import dev.memoria.StoreUnavailableException;
import dev.memoria.Stores;
import dev.memoria.fact.Fact;
import dev.memoria.fact.FactMatch;
import dev.memoria.fact.FactQuery;
import dev.memoria.fact.FactStore;
import dev.memoria.fact.Namespace;
import dev.memoria.fact.NewFact;
import dev.memoria.inmemory.InMemoryStores;
import dev.memoria.testkit.MutableClock;
import dev.memoria.testservers.MongoTestServer;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.assertj.core.data.Offset;
import org.assertj.core.groups.Tuple;
import org.bson.BsonDocument;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.bson.types.Binary;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the MongoDB fact store promises beyond contracts K1–K10: the supersede protocol when a
 * writer stops between its two writes, races across clients, the stored layout, and what a word
 * search costs. Writers are stopped at exact points with {@link Intercepting}.
 */
class MongoFactBackendTest {
    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    private static final Namespace ADA = Namespace.of("users", "ada");

    private final MutableClock clock = new MutableClock(START);
    private final MongoDatabase db = MongoTestServer.get().freshDatabase();

    @AfterEach
    void dropDatabase() {
        db.drop(); // the in-process server keeps every database in memory
    }

    private Stores open(MongoDatabase database) {
        return MongoStores.create(database, MongoOptions.defaults().clock(clock));
    }

    private MongoCollection<Document> raw() {
        return db.getCollection("memoria_facts");
    }

    private static NewFact keyed(String key, String text) {
        return NewFact.builder(ADA, text).key(key).build();
    }

    /** A database whose facts collection dies (as its process would) on the chosen call, once armed. */
    private MongoDatabase dyingOn(String method, AtomicBoolean armed) {
        return Intercepting.database(db, (collection, m, args, proceed) -> {
            if (collection.equals("memoria_facts") && m.getName().equals(method) && armed.getAndSet(false)) {
                throw new IllegalStateException("the process died");
            }
            return proceed.call();
        });
    }

    /** A database whose readers cannot write: what they see is what the documents and the protocol say. */
    private MongoDatabase withoutRepairs() {
        return Intercepting.database(db, (collection, m, args, proceed) -> {
            if (collection.equals("memoria_facts") && m.getName().equals("bulkWrite")) {
                throw new MongoSocketWriteException("no writes for this reader", new ServerAddress(),
                        new IOException("injected"));
            }
            return proceed.call();
        });
    }

    private static List<String> ids(List<FactMatch> matches) {
        return matches.stream().map(m -> m.fact().id()).toList();
    }

    @Test
    void aWriterThatStopsBetweenItsInsertAndItsSupersedeLeavesExactlyOneCurrentFact() {
        AtomicBoolean armed = new AtomicBoolean(false);
        Fact tea;
        Fact coffee;
        try (Stores dying = open(dyingOn("updateOne", armed))) {
            tea = dying.facts().put(keyed("drink", "Ada prefers green tea"));
            clock.advance(Duration.ofMinutes(5));
            armed.set(true);
            assertThatThrownBy(() -> dying.facts().put(keyed("drink", "Ada prefers black coffee")))
                    .hasMessage("the process died");
        }
        Instant coffeeFrom = START.plus(Duration.ofMinutes(5));
        Document teaDoc = raw().find(Filters.eq("_id", tea.id())).first();
        assertThat(teaDoc).as("the stopped writer never set the tea's validTo").doesNotContainKey("vt");
        coffee = MongoFactStore.fromDocument(raw().find(Filters.eq("k", "drink")).sort(new Document("v", -1)).first());
        assertThat(coffee.version()).isEqualTo(2);

        clock.advance(Duration.ofMinutes(1));
        try (Stores readers = open(withoutRepairs())) {
            FactStore facts = readers.facts();
            assertThat(facts.get(tea.id()).orElseThrow().validTo()).isEqualTo(coffeeFrom);
            assertThat(facts.get(coffee.id()).orElseThrow().isCurrent()).isTrue();
            assertThat(ids(facts.search(FactQuery.in(ADA).key("drink")).items())).containsExactly(coffee.id());
            assertThat(ids(facts.search(FactQuery.in(ADA).text("prefers")).items())).containsExactly(coffee.id());
            assertThat(ids(facts.search(FactQuery.all().text("ada prefers")).items())).containsExactly(coffee.id());
            assertThat(ids(facts.search(FactQuery.in(ADA).text("tea")).items())).isEmpty();
            assertThat(ids(facts.search(FactQuery.in(ADA).text("tea").validAt(START.plus(Duration.ofMinutes(1))))
                    .items())).containsExactly(tea.id());
            assertThat(ids(facts.search(FactQuery.in(ADA).validAt(coffeeFrom)).items())).containsExactly(coffee.id());
            assertThat(facts.search(FactQuery.in(ADA).allVersions()).items()).extracting(m -> m.fact().isCurrent())
                    .containsExactlyInAnyOrder(true, false);
            assertThat(facts.history(ADA, "drink")).extracting(Fact::validTo).containsExactly(coffeeFrom, null);
            assertThat(facts.search(FactQuery.in(ADA).similarTo(new float[] {1f}).allVersions()).items()).isEmpty();
            assertThat(raw().find(Filters.eq("_id", tea.id())).first()).doesNotContainKey("vt");
        }
        try (Stores stores = open(db)) {
            // a reader that may write repairs what it met, with the value the writer would have written
            assertThat(stores.facts().get(tea.id()).orElseThrow().validTo()).isEqualTo(coffeeFrom);
            assertThat(raw().find(Filters.eq("_id", tea.id())).first().get("vt")).isEqualTo(coffeeFrom.toEpochMilli());
            Fact water = stores.facts().put(keyed("drink", "Ada prefers sparkling water"));
            assertThat(water.version()).isEqualTo(3);
            assertThat(stores.facts().history(ADA, "drink")).extracting(Fact::isCurrent).containsExactly(false, false, true);
            assertThat(stores.facts().get(coffee.id()).orElseThrow().validTo()).isEqualTo(water.validFrom());
        }
    }

    @Test
    void theNextPutAfterAStoppedWriterSupersedesTheNewFactAndTheOldStaysSuperseded() {
        AtomicBoolean armed = new AtomicBoolean(false);
        try (Stores dying = open(dyingOn("updateOne", armed))) {
            dying.facts().put(keyed("mood", "calm"));
            clock.advance(Duration.ofSeconds(1));
            armed.set(true);
            assertThatThrownBy(() -> dying.facts().put(keyed("mood", "cheerful"))).hasMessage("the process died");
        }
        try (Stores writer = open(withoutRepairs())) {
            clock.advance(Duration.ofSeconds(1));
            Fact tired = writer.facts().put(keyed("mood", "tired"));
            List<Fact> history = writer.facts().history(ADA, "mood");
            assertThat(history).extracting(Fact::text).containsExactly("calm", "cheerful", "tired");
            assertThat(history).extracting(Fact::validTo).containsExactly(START.plusSeconds(1), START.plusSeconds(2), null);
            assertThat(ids(writer.facts().search(FactQuery.in(ADA).key("mood")).items())).containsExactly(tired.id());
        }
    }

    @Test
    void deletingTheCurrentFactAfterAStoppedWriterDoesNotBringItsPredecessorBack() {
        AtomicBoolean armed = new AtomicBoolean(false);
        Fact tea;
        try (Stores dying = open(dyingOn("updateOne", armed))) {
            tea = dying.facts().put(keyed("drink", "tea"));
            armed.set(true);
            assertThatThrownBy(() -> dying.facts().put(keyed("drink", "coffee"))).hasMessage("the process died");
        }
        try (Stores stores = open(withoutRepairs())) {
            Fact coffee = stores.facts().history(ADA, "drink").get(1);
            assertThat(raw().find(Filters.eq("_id", tea.id())).first()).doesNotContainKey("vt");
            // the delete's own repair is not a reader's: it must not be skipped
            try (Stores deleter = open(db)) {
                assertThat(deleter.facts().delete(coffee.id())).isTrue();
            }
            assertThat(stores.facts().search(FactQuery.in(ADA).key("drink")).items()).isEmpty();
            assertThat(stores.facts().get(tea.id()).orElseThrow().isCurrent()).isFalse();
            Fact juice = stores.facts().put(keyed("drink", "juice"));
            assertThat(juice.version()).as("one more than the newest version left").isEqualTo(2);
            assertThat(ids(stores.facts().search(FactQuery.in(ADA).key("drink")).items())).containsExactly(juice.id());
        }
    }

    @Test
    void aWriterThatStopsBeforeItsInsertChangesNothing() {
        AtomicBoolean armed = new AtomicBoolean(false);
        try (Stores dying = open(dyingOn("insertOne", armed))) {
            Fact tea = dying.facts().put(keyed("drink", "tea"));
            armed.set(true);
            assertThatThrownBy(() -> dying.facts().put(keyed("drink", "coffee"))).hasMessage("the process died");
            assertThat(dying.facts().history(ADA, "drink")).containsExactly(tea);
            assertThat(dying.facts().put(keyed("drink", "coffee")).version()).isEqualTo(2);
        }
    }

    @Test
    void aPutWhoseAcknowledgementWasLostIsNotDuplicatedByItsRetry() {
        AtomicInteger inserts = new AtomicInteger();
        MongoDatabase losing = Intercepting.database(db, (collection, m, args, proceed) -> {
            Object result = proceed.call();
            if (collection.equals("memoria_facts") && m.getName().equals("insertOne") && inserts.incrementAndGet() == 2) {
                throw new MongoSocketWriteException("connection reset after the write", new ServerAddress(),
                        new IOException("injected"));
            }
            return result;
        });
        try (Stores stores = open(losing)) {
            Fact tea = stores.facts().put(keyed("drink", "tea"));
            clock.advance(Duration.ofSeconds(1));
            NewFact coffee = keyed("drink", "coffee");
            assertThatThrownBy(() -> stores.facts().put(coffee)).isInstanceOf(StoreUnavailableException.class)
                    .matches(e -> ((StoreUnavailableException) e).retryable(), "retryable");
            Fact retried = stores.facts().put(coffee);
            assertThat(retried.version()).isEqualTo(2);
            assertThat(stores.facts().history(ADA, "drink")).extracting(Fact::text).containsExactly("tea", "coffee");
            assertThat(stores.facts().get(tea.id()).orElseThrow().validTo()).isEqualTo(retried.validFrom());
            // with an idempotency key, the retry returns the fact even without a key
            inserts.set(1);
            NewFact note = NewFact.builder(ADA, "a note").idempotencyKey("note-1").build();
            assertThatThrownBy(() -> stores.facts().put(note)).isInstanceOf(StoreUnavailableException.class);
            Fact stored = stores.facts().put(note);
            assertThat(stores.facts().search(FactQuery.in(ADA).text("note")).items()).extracting(m -> m.fact().id())
                    .containsExactly(stored.id());
        }
    }

    @Test
    void aPutThatKeepsLosingRacesBacksOffAfterEachAndGivesUpRetryably() {
        AtomicInteger inserts = new AtomicInteger();
        // every insert is refused as if another put had followed the same fact first
        MongoDatabase alwaysTaken = Intercepting.database(db, (collection, m, args, proceed) -> {
            if (collection.equals("memoria_facts") && m.getName().equals("insertOne")) {
                inserts.incrementAndGet();
                throw new MongoWriteException(new WriteError(11000,
                        "E11000 duplicate key error (injected)", new BsonDocument()), new ServerAddress(), Set.of());
            }
            return proceed.call();
        });
        Layout layout = new Layout(alwaysTaken, "memoria_", clock, Endpoint.usersClient());
        layout.prepare();
        List<Integer> backOffs = new CopyOnWriteArrayList<>();
        MongoFactStore facts = new MongoFactStore(layout, 12, backOffs::add);
        assertThatThrownBy(() -> facts.put(keyed("drink", "tea"))).isInstanceOf(StoreUnavailableException.class)
                .hasMessage("put of key drink in users/ada lost 12 races in a row to other writers, backing off after each;"
                        + " nothing was written: retry it")
                .matches(e -> ((StoreUnavailableException) e).retryable(), "retryable");
        assertThat(inserts).as("insert attempts").hasValue(12);
        assertThat(backOffs).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        assertThat(facts.history(ADA, "drink")).isEmpty();
    }

    @Test
    void twoClientsPuttingOneKeyLeaveOneCurrentFactAndEveryVersion() throws Exception {
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> stored = new ConcurrentLinkedQueue<>();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            int writer = w;
            writers.add(new Thread(() -> {
                try (MongoClient own = MongoClients.create(MongoTestServer.get().uri());
                     Stores stores = open(own.getDatabase(db.getName()))) {
                    for (int i = 0; i < 60; i++) {
                        stored.add(stores.facts().put(keyed("mood", "writer " + writer + " mood " + i)).id());
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
        try (Stores stores = open(db)) {
            List<Fact> history = stores.facts().history(ADA, "mood");
            assertThat(history).extracting(Fact::id).containsExactlyInAnyOrderElementsOf(stored).hasSize(120);
            assertThat(history).extracting(Fact::version).doesNotHaveDuplicates().contains(1L, 120L);
            assertThat(history.stream().filter(Fact::isCurrent)).hasSize(1);
            for (int i = 1; i < history.size(); i++) {
                assertThat(history.get(i - 1).validTo()).isEqualTo(history.get(i).validFrom());
            }
            assertThat(raw().countDocuments(Filters.and(Filters.eq("k", "mood"), Filters.exists("vt", false)))).isEqualTo(1);
        }
    }

    @Test
    void aRestoreRacingAPutOfTheSameKeyLosesCleanly() {
        Fact exported = new Fact("exported-1", ADA, "drink", "juice", Map.of(), Map.of(), null, 7, START, START, null, null,
                null, null);
        AtomicReference<Stores> other = new AtomicReference<>();
        AtomicBoolean armed = new AtomicBoolean(true);
        // a put of the key lands between the restore's look at the key and its insert
        MongoDatabase racing = Intercepting.database(db, (collection, m, args, proceed) -> {
            if (collection.equals("memoria_facts") && m.getName().equals("insertOne") && armed.getAndSet(false)) {
                other.get().facts().put(keyed("drink", "tea"));
            }
            return proceed.call();
        });
        try (Stores restoring = open(racing); Stores putting = open(db)) {
            other.set(putting);
            assertThatThrownBy(() -> restoring.facts().restore(exported)).isInstanceOf(ConflictException.class)
                    .hasMessageContaining("already has a current fact");
            assertThat(putting.facts().history(ADA, "drink")).extracting(Fact::text).containsExactly("tea");
            assertThat(putting.facts().get("exported-1")).isEmpty();
            // and a put racing a restore that won: the put supersedes the restored fact
            putting.facts().delete(putting.facts().history(ADA, "drink").get(0).id());
            armed.set(true);
            MongoDatabase racingPut = Intercepting.database(db, (collection, m, args, proceed) -> {
                if (collection.equals("memoria_facts") && m.getName().equals("insertOne") && armed.getAndSet(false)) {
                    putting.facts().restore(exported);
                }
                return proceed.call();
            });
            try (Stores late = open(racingPut)) {
                Fact water = late.facts().put(keyed("drink", "water"));
                assertThat(water.version()).isEqualTo(8);
                assertThat(late.facts().history(ADA, "drink")).extracting(Fact::id).containsExactly("exported-1", water.id());
                assertThat(ids(late.facts().search(FactQuery.in(ADA).key("drink")).items())).containsExactly(water.id());
            }
        }
    }

    @Test
    void aFactIsOneDocumentWithItsWordsAsCoreNormalisedThem() {
        try (Stores stores = open(db)) {
            Fact f = stores.facts().put(NewFact.builder(ADA, "Café, CAFE and café: Straße!").key("k").idempotencyKey("i")
                    .vector(new float[] {0.5f, -2f}).build());
            Document d = raw().find(Filters.eq("_id", f.id())).first();
            assertThat(d.getList("terms", String.class)).containsExactly("cafe", "and", "strasse");
            assertThat(d.get("tfm", Document.class)).containsExactlyEntriesOf(Map.of("cafe", 3));
            assertThat(d.get("wc")).isEqualTo(5);
            assertThat(d.getString("ns")).isEqualTo("users/ada");
            assertThat(d.getString("kv")).isEqualTo("users/ada\u001fk\u001f0000000000000000001");
            assertThat(d.getString("iks")).isEqualTo("users/ada\u001fi");
            assertThat(d.getString("follows")).isEqualTo("\u001fusers/ada\u001fk");
            assertThat(d).doesNotContainKeys("vt", "x", "src");
            assertThat(d.get("vec", Binary.class).getData()).hasSize(8);
            assertThat(db.getCollection("memoria_meta").find(Filters.eq("_id", "fact_corpus")).first())
                    .containsEntry("n", 1L).containsEntry("w", 5L);
            // the unique indexes hold without the store's help
            Document copy = new Document(d).append("_id", "copy");
            assertThatThrownBy(() -> raw().insertOne(copy)).isInstanceOf(MongoWriteException.class);
            // a document written before the optional fields existed still reads
            raw().insertOne(new Document("_id", "bare").append("ns", "users/ada").append("t", "bare fact").append("v", 1L)
                    .append("ca", START.toEpochMilli()).append("vf", START.toEpochMilli()));
            Fact bare = stores.facts().get("bare").orElseThrow();
            assertThat(bare.data()).isEmpty();
            assertThat(bare.labels()).isEmpty();
            assertThat(bare.key()).isNull();
            assertThat(stores.facts().search(FactQuery.in(ADA).limit(10)).items()).hasSize(2);
        }
    }

    /**
     * The figures of K10 at a tenth of its size: a word search returns each match twice (the
     * ranking read and the whole fact), one count per query word and the corpus document, and
     * nothing else, whatever the size of the namespace. On a real server, its query also
     * examines only the index entries of the rarest word in the namespace.
     */
    @Test
    void aWordSearchReadsTheMatchesOfItsRarestWordOnly() {
        AtomicReference<Bson> wordQuery = new AtomicReference<>();
        MongoDatabase watched = Intercepting.database(db, (collection, m, args, proceed) -> {
            if (collection.equals("memoria_facts") && m.getName().equals("find") && args != null && args.length == 1
                    && args[0] instanceof Bson filter && filter.toBsonDocument().toJson().contains("$all")) {
                wordQuery.set(filter);
            }
            return proceed.call();
        });
        try (Stores stores = open(watched)) {
            FactStore facts = stores.facts();
            for (Namespace ns : List.of(Namespace.of("big"), Namespace.of("small"))) {
                int count = ns.equals(Namespace.of("big")) ? 10_000 : 100;
                List<NewFact> batch = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    batch.add(NewFact.of(ns, "common fact " + i + (i % (count / 10) == 0 ? " needle" : "")));
                    if (batch.size() == 1000 || i == count - 1) {
                        facts.putAll(batch);
                        batch.clear();
                    }
                }
            }
            var meter = MongoContractSupport.documentsAndEventsReturned();
            long small = meter.workOf(() -> assertThat(facts.search(FactQuery.in("small").text("needle")).items()).hasSize(10));
            long big = meter.workOf(() -> assertThat(facts.search(FactQuery.in("big").text("needle")).items()).hasSize(10));
            long both = meter.workOf(() -> assertThat(facts.search(FactQuery.in("big").text("common needle").limit(5))
                    .items()).hasSize(5));
            Bson rarestFirst = wordQuery.get();
            assertThat(rarestFirst.toBsonDocument().toJson()).contains("{\"terms\": {\"$all\": [\"needle\", \"common\"]}}");
            long common = meter.workOf(() -> facts.search(FactQuery.in("small").text("common").limit(20)));
            assertThat(small).isEqualTo(10 + 10 + 1 + 1);
            assertThat(big).isEqualTo(small);
            assertThat(both).isEqualTo(10 + 5 + 2 + 1);
            assertThat(common).isEqualTo(100 + 20 + 1 + 1);

            if (MongoTestServer.get().isExternal()) {
                // the rarest word drives the index scan: the plan examines the 20 facts holding
                // "needle" (10 in the namespace), not the 10,000 holding "common"
                Document plan = raw().find(rarestFirst).explain(ExplainVerbosity.EXECUTION_STATS);
                Document stats = plan.get("executionStats", Document.class);
                assertThat(((Number) stats.get("totalKeysExamined")).longValue()).as("%s", plan.toJson()).isLessThanOrEqualTo(25);
                assertThat(((Number) stats.get("totalDocsExamined")).longValue()).as("%s", plan.toJson()).isLessThanOrEqualTo(25);
            }
        }
    }

    @Test
    void aNamespaceDeletionThatStoppedHalfWayIsFinishedByTheNextCall() {
        AtomicInteger deletes = new AtomicInteger();
        MongoDatabase dying = Intercepting.database(db, (collection, m, args, proceed) -> {
            if (collection.equals("memoria_facts") && m.getName().equals("deleteMany") && deletes.incrementAndGet() == 2) {
                throw new IllegalStateException("the process died");
            }
            return proceed.call();
        });
        try (Stores stores = open(dying)) {
            List<NewFact> batch = new ArrayList<>();
            for (int i = 0; i < 2_500; i++) {
                batch.add(NewFact.of(ADA.child("notes"), "note " + i));
                if (batch.size() == 1000 || i == 2_499) {
                    stores.facts().putAll(batch);
                    batch.clear();
                }
            }
            Fact kept = stores.facts().put(NewFact.of(Namespace.of("users", "adam"), "kept"));
            assertThatThrownBy(() -> stores.facts().deleteNamespace(ADA)).hasMessage("the process died");
            assertThat(raw().countDocuments(Filters.eq("ns", "users/ada/notes"))).isEqualTo(1_500);
            assertThat(stores.facts().deleteNamespace(ADA)).isEqualTo(1_500);
            assertThat(stores.facts().get(kept.id())).isPresent();
            Set<Object> left = new HashSet<>();
            raw().find().forEach(d -> left.add(d.get("_id")));
            assertThat(left).containsExactly(kept.id());
            assertThat(db.getCollection("memoria_meta").find(Filters.eq("_id", "fact_corpus")).first())
                    .containsEntry("n", 1L).containsEntry("w", 1L);
        }
    }

    /**
     * The same writes on this store and on the reference (in-memory) store give the same
     * results: the same facts in the same order, the same bm25 scores (this store's corpus is the
     * reference's: every stored fact version), the same histories, through puts one by one and
     * batches that mix facts with and without keys.
     */
    @Test
    void findsRanksAndListsLikeTheReferenceStore() {
        try (Stores mongo = open(db); Stores reference = InMemoryStores.create(clock)) {
            for (Stores stores : List.of(mongo, reference)) {
                clock.set(START);
                List<NewFact> batch = new ArrayList<>();
                for (int i = 0; i < 60; i++) {
                    String text = "note " + i + " about tea" + " and tea".repeat(i % 4) + (i % 3 == 0 ? " with green leaves" : "")
                            + " word".repeat(i % 7);
                    NewFact.Builder b = NewFact.builder(i % 5 == 0 ? ADA.child("work") : ADA, text);
                    if (i % 6 == 0) {
                        b.key("k" + (i % 4));
                    }
                    batch.add(b.build());
                    if (batch.size() == 25) {
                        stores.facts().putAll(batch);
                        batch.clear();
                        clock.advance(Duration.ofSeconds(1));
                    }
                }
                stores.facts().putAll(batch);
                stores.facts().put(NewFact.of(Namespace.of("users", "bob"), "bob drinks green tea"));
                clock.advance(Duration.ofSeconds(1));
                stores.facts().put(keyed("k0", "tea superseding the key again"));
            }
            List<FactQuery> queries = List.of(FactQuery.in(ADA).text("tea").limit(1000), FactQuery.in(ADA).text("green tea"),
                    FactQuery.all().text("tea leaves").limit(7), FactQuery.in(ADA).text("word").allVersions().limit(1000),
                    FactQuery.in(ADA.child("work")).text("tea"), FactQuery.in(ADA).text("tea").key("k2"),
                    FactQuery.in(ADA).limit(1000), FactQuery.in(ADA).allVersions().limit(13), FactQuery.all().limit(1000),
                    FactQuery.in(ADA).text("tea").validAt(START.plusSeconds(1)).limit(1000));
            for (FactQuery q : queries) {
                List<FactMatch> fromMongo = walk(mongo.facts(), q);
                List<FactMatch> fromReference = walk(reference.facts(), q);
                assertThat(fromMongo).as("%s", q).hasSameSizeAs(fromReference);
                for (int i = 0; i < fromMongo.size(); i++) {
                    FactMatch m = fromMongo.get(i);
                    FactMatch r = fromReference.get(i);
                    assertThat(m.fact().text()).as("%s, match %d", q, i).isEqualTo(r.fact().text());
                    assertThat(m.fact().version()).isEqualTo(r.fact().version());
                    assertThat(m.fact().validTo()).isEqualTo(r.fact().validTo());
                    assertThat(m.score()).as("%s, score of %s", q, m.fact().text())
                            .isCloseTo(r.score(), Offset.offset(1e-9));
                }
            }
            for (String key : List.of("k0", "k1", "k2", "k3")) {
                assertThat(mongo.facts().history(ADA, key)).extracting(Fact::text, Fact::version, Fact::validTo)
                        .isEqualTo(reference.facts().history(ADA, key).stream()
                                .map(f -> Tuple.tuple(f.text(), f.version(), f.validTo())).toList());
            }
        }
    }

    /** Every page of a query, walked with its cursors. */
    private static List<FactMatch> walk(FactStore facts, FactQuery query) {
        List<FactMatch> all = new ArrayList<>();
        String cursor = null;
        do {
            Page<FactMatch> page = facts.search(query.cursor(cursor));
            all.addAll(page.items());
            cursor = page.nextCursor();
        } while (cursor != null);
        return all;
    }

    /**
     * A clock that went back (another process's, say): the new version starts when the one it
     * supersedes did, never before it, and the old one held for no time, as in the reference.
     */
    @Test
    void aClockThatWentBackMakesTheNewVersionStartAtTheOldOnesValidFrom() {
        try (Stores mongo = open(db); Stores reference = InMemoryStores.create(clock)) {
            for (Stores stores : List.of(mongo, reference)) {
                clock.set(START.plusSeconds(60));
                Fact first = stores.facts().put(keyed("city", "lives in Paris"));
                clock.set(START);
                Fact second = stores.facts().put(keyed("city", "lives in Rome"));
                assertThat(second.version()).isEqualTo(2);
                assertThat(second.validFrom()).isEqualTo(first.validFrom());
                assertThat(second.createdAt()).isEqualTo(first.validFrom());
                List<Fact> history = stores.facts().history(ADA, "city");
                assertThat(history).extracting(Fact::validFrom, Fact::validTo).containsExactly(
                        Tuple.tuple(first.validFrom(), first.validFrom()), Tuple.tuple(first.validFrom(), null));
                assertThat(stores.facts().search(FactQuery.in(ADA).text("lives")).items())
                        .extracting(m -> m.fact().id()).containsExactly(second.id());
                assertThat(stores.facts().search(FactQuery.in(ADA).validAt(first.validFrom())).items())
                        .extracting(m -> m.fact().id()).containsExactly(second.id());
            }
        }
    }
}
