package dev.memoria.mongodb;

import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import dev.memoria.Stores;
import dev.memoria.run.RunRef;
import dev.memoria.run.RunStatus;
import dev.memoria.spi.Json;
import dev.memoria.testkit.CompatibilityContract;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.bson.Document;

/**
 * Documents written by hand in the layout the stores read: sessions and runs as
 * {@link MongoSessionStore} and {@link MongoRunStore} write them, and batch documents
 * {@code {r, sid, a, p, last, n, minTs, maxTs, e: [{s, k, t, ts, d, l}]}} without a generation,
 * as every version before generations wrote them (schema version 1), so the tests also prove that
 * such logs stay readable and appendable.
 */
class MongoCompatibilityTest extends CompatibilityContract {
    private final MongoContractSupport mongo = new MongoContractSupport();

    @Override
    protected Stores newStores(Clock clock) {
        return mongo.newStores(clock);
    }

    @Override
    protected RawStorage raw() {
        MongoDatabase db = mongo.database();
        return new RawStorage() {
            @Override
            public void insertSession(String id, long createdAtMillis, String labelsJson, String metadataJson) {
                db.getCollection("memoria_sessions").insertOne(new Document("_id", id).append("u", null).append("st", "ACTIVE")
                        .append("ca", createdAtMillis).append("ua", createdAtMillis).append("ea", null)
                        .append("l", UserData.toBson(Json.parseObject(labelsJson)))
                        .append("m", UserData.toBson(Json.parseObject(metadataJson))).append("v", 1L));
            }

            @Override
            public void insertRun(String id, String sessionId, String agentId, String status, long startedAtMillis,
                                  String labelsJson, String error) {
                boolean ended = RunStatus.valueOf(status).isTerminal();
                db.getCollection("memoria_runs").insertOne(new Document("_id", id).append("s", sessionId).append("a", agentId)
                        .append("p", null).append("st", status).append("sa", startedAtMillis).append("ua", startedAtMillis)
                        .append("ea", ended ? startedAtMillis : null).append("l", UserData.toBson(Json.parseObject(labelsJson)))
                        .append("m", new Document()).append("err", error).append("v", 1L));
            }

            @Override
            public void insertEvents(RunRef run, List<RawEvent> events) {
                var collection = db.getCollection("memoria_events");
                Document tail = collection.find(Filters.eq("r", run.runId())).sort(Sorts.descending("last")).first();
                long after = tail == null ? 0 : tail.getLong("last");
                List<Document> docs = new ArrayList<>();
                long minTs = Long.MAX_VALUE;
                long maxTs = Long.MIN_VALUE;
                for (RawEvent e : events) {
                    minTs = Math.min(minTs, e.timestampMillis());
                    maxTs = Math.max(maxTs, e.timestampMillis());
                    docs.add(new Document("s", e.sequence()).append("k", e.key()).append("t", e.typeName())
                            .append("ts", e.timestampMillis()).append("d", UserData.toBson(Json.parseObject(e.dataJson())))
                            .append("l", UserData.toBson(Json.parseObject(e.labelsJson()))));
                }
                collection.insertOne(new Document("r", run.runId()).append("sid", run.sessionId()).append("a", run.agentId())
                        .append("p", after).append("last", after + events.size()).append("n", (long) events.size())
                        .append("minTs", minTs).append("maxTs", maxTs).append("e", docs));
            }
        };
    }
}
