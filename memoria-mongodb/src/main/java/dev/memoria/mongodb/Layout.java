package dev.memoria.mongodb;

import com.mongodb.MongoException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import dev.memoria.StoreUnavailableException;
import java.time.Clock;
import org.bson.Document;

/**
 * The collections of one prefix, their indexes (created on open, idempotently) and the schema
 * version, which a newer Memoria may raise and this one then refuses.
 */
final class Layout {
    static final int SCHEMA_VERSION = 1;

    final MongoCollection<Document> sessions;
    final MongoCollection<Document> runs;
    final MongoCollection<Document> events;
    final MongoCollection<Document> meta;
    final Clock clock;
    final String prefix;

    Layout(MongoDatabase db, String prefix, Clock clock) {
        this.sessions = db.getCollection(prefix + "sessions");
        this.runs = db.getCollection(prefix + "runs");
        this.events = db.getCollection(prefix + "events");
        this.meta = db.getCollection(prefix + "meta");
        this.clock = clock;
        this.prefix = prefix;
    }

    void prepare() {
        try {
            Document schema = meta.find(new Document("_id", "schema")).first();
            int found = schema == null ? 0 : schema.getInteger("version", 0);
            if (found > SCHEMA_VERSION) {
                throw new StoreUnavailableException("the database's Memoria schema ('" + prefix + "' collections) is at version "
                        + found + ", newer than this Memoria's version " + SCHEMA_VERSION + ": upgrade Memoria to open it",
                        null, false);
            }
            sessions.createIndex(Indexes.descending("ca", "_id"), named("created"));
            sessions.createIndex(Indexes.compoundIndex(Indexes.ascending("u"), Indexes.descending("ca", "_id")), named("user"));
            sessions.createIndex(Indexes.ascending("st", "ua"), named("status"));
            runs.createIndex(Indexes.ascending("sa", "_id"), named("started"));
            runs.createIndex(Indexes.ascending("s", "sa", "_id"), named("session"));
            runs.createIndex(Indexes.ascending("p", "sa", "_id"), named("parent"));
            runs.createIndex(Indexes.ascending("st", "ua"), named("status"));
            // one document per append batch; these two unique indexes keep each run's chain linear
            // and each idempotency key unique within its run
            events.createIndex(Indexes.ascending("r", "p"), named("chain").unique(true));
            events.createIndex(Indexes.ascending("r", "e.k"), named("key").unique(true));
            events.createIndex(Indexes.ascending("r", "last"), named("tail"));
            events.createIndex(Indexes.ascending("r", "e.t", "last"), named("type"));
            events.createIndex(Indexes.ascending("sid", "minTs"), named("session_min"));
            events.createIndex(Indexes.ascending("sid", "maxTs"), named("session_max"));
            meta.updateOne(new Document("_id", "schema"), Updates.max("version", SCHEMA_VERSION), new UpdateOptions().upsert(true));
        } catch (MongoException e) {
            throw UserData.translate(e, "cannot prepare the '" + prefix + "' collections");
        }
    }

    private static IndexOptions named(String name) {
        return new IndexOptions().name(name);
    }
}
