package dev.memoria.mongodb;

import dev.memoria.testservers.MongoTestServer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import dev.memoria.ConflictException;
import dev.memoria.Stores;
import dev.memoria.run.Run;
import dev.memoria.run.RunStatus;
import dev.memoria.session.Session;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.bson.Document;
import org.junit.jupiter.api.Test;

/**
 * Updates compare and set on exactly the state their change was computed from: the version the
 * caller read. Nothing else of the stored document takes part in the comparison, and
 * {@code update(id, fn)} computes the change from the very read it is checked against.
 */
class MongoUpdateTest {
    private static final long T = 1_767_225_600_000L;

    /** Counts the finds on each collection whose name ends with {@code suffix}. */
    private static MongoDatabase countingFinds(MongoDatabase real, String suffix, AtomicInteger finds) {
        return Intercepting.database(real, (collection, method, args, proceed) -> {
            if (collection.endsWith(suffix) && method.getName().equals("find")) {
                finds.incrementAndGet();
            }
            return proceed.call();
        });
    }

    @Test
    void aSessionStoredWithoutOptionalFieldsIsUpdatedOnItsVersionAlone() {
        MongoDatabase db = MongoTestServer.get().freshDatabase();
        AtomicInteger finds = new AtomicInteger();
        try (Stores stores = MongoStores.create(countingFinds(db, "sessions", finds))) {
            // as a writer that leaves out empty or null fields stores it: no user, labels, metadata or end
            db.getCollection("memoria_sessions").insertOne(new Document("_id", "bare").append("st", "ACTIVE")
                    .append("ca", T).append("ua", T).append("v", 1L));
            finds.set(0);
            Session updated = stores.sessions().update("bare", s -> s.withLabel("k", "v").withMetadata("n", 1L));
            assertThat(updated.version()).isEqualTo(2);
            assertThat(finds).as("reads of one uncontended update(id, fn): the change is checked against its own read")
                    .hasValue(1);
            assertThat(stores.sessions().get("bare")).contains(updated);

            Session again = stores.sessions().update(updated.withLabels(Map.of()));
            assertThat(again.version()).isEqualTo(3);
            assertThatThrownBy(() -> stores.sessions().update(updated.withUserId("late"))).isInstanceOf(ConflictException.class);
            // only the version is compared: a change made without raising it (no store makes one) goes unseen
            db.getCollection("memoria_sessions").updateOne(Filters.eq("_id", "bare"), Updates.set("l", new Document("x", "y")));
            assertThat(stores.sessions().update(again.withUserId("ada")).version()).isEqualTo(4);
        }
    }

    @Test
    void aRunStoredWithoutOptionalFieldsIsUpdatedOnItsVersionAlone() {
        MongoDatabase db = MongoTestServer.get().freshDatabase();
        AtomicInteger finds = new AtomicInteger();
        try (Stores stores = MongoStores.create(countingFinds(db, "runs", finds))) {
            db.getCollection("memoria_runs").insertOne(new Document("_id", "bare").append("s", "session").append("a", "agent")
                    .append("st", "RUNNING").append("sa", T).append("ua", T).append("v", 1L));
            finds.set(0);
            Run updated = stores.runs().update("bare", r -> r.withStatus(RunStatus.PAUSED));
            assertThat(updated.version()).isEqualTo(2);
            assertThat(finds).hasValue(1);
            Run failed = stores.runs().update(updated.failed("gave up"));
            assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
            assertThat(stores.runs().get("bare")).contains(failed);
        }
    }
}
