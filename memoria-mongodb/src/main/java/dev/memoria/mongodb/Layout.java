package dev.memoria.mongodb;

import com.mongodb.MongoException;
import com.mongodb.MongoOperationTimeoutException;
import com.mongodb.MongoSocketException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import dev.memoria.StoreUnavailableException;
import java.time.Clock;
import java.util.Objects;
import java.util.function.Supplier;
import org.bson.Document;
import org.bson.RawBsonDocument;

/**
 * The collections of one prefix, their indexes (created on open, idempotently), the schema
 * version, which a newer Memoria may raise and this one then refuses, and how every operation
 * talks to the driver ({@link #call}).
 *
 * <p>Schema versions: 1 stored every batch's event data and labels as BSON documents. 2 adds the
 * optional fields a version-1 reader would misread: {@code g} on batch documents (the generation
 * of a run's log, see {@link MongoMemoryStore}) and event data and labels as JSON text
 * ({@code dj}, {@code lj}) in batches too large for BSON. Version-1 documents are read and
 * appended to as they are; nothing is rewritten. 3 adds a session's last activity ({@code la}),
 * filled on open for sessions written before, from their runs and events. 4 adds the facts
 * collection ({@link MongoFactStore}) and its corpus statistics in {@code meta}; nothing written
 * before changes.
 */
final class Layout {
    static final int SCHEMA_VERSION = 4;

    final MongoCollection<Document> sessions;
    final MongoCollection<Document> runs;
    final MongoCollection<Document> events;
    /** The events collection for inserting batches already encoded (and measured) as BSON. */
    final MongoCollection<RawBsonDocument> rawEvents;
    final MongoCollection<Document> meta;
    /** One document per fact version: see {@link MongoFactStore}. */
    final MongoCollection<Document> facts;
    final Clock clock;
    final String prefix;
    final Endpoint endpoint;

    Layout(MongoDatabase db, String prefix, Clock clock, Endpoint endpoint) {
        this.sessions = db.getCollection(prefix + "sessions");
        this.runs = db.getCollection(prefix + "runs");
        this.events = db.getCollection(prefix + "events");
        this.rawEvents = db.getCollection(prefix + "events", RawBsonDocument.class);
        this.meta = db.getCollection(prefix + "meta");
        this.facts = db.getCollection(prefix + "facts");
        this.clock = clock;
        this.prefix = prefix;
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    }

    void prepare() {
        call("cannot prepare the '" + prefix + "' collections", () -> {
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
            sessions.createIndex(Indexes.descending("la", "_id"), named("activity"));
            sessions.createIndex(Indexes.compoundIndex(Indexes.ascending("u"), Indexes.descending("la", "_id")),
                    named("user_activity"));
            if (found < 3) {
                fillLastActivity();
            }
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
            prepareFacts();
            meta.updateOne(new Document("_id", "schema"), Updates.max("version", SCHEMA_VERSION), new UpdateOptions().upsert(true));
            return null;
        });
    }

    /**
     * The facts' indexes (see {@link MongoFactStore}). Optional fields are made unique with
     * single-field sparse indexes, which both a real MongoDB and the in-process test server
     * apply alike (partial indexes, which the in-process server ignores, and compound sparse
     * indexes, which a real server fills with every document holding any of their fields, would
     * not do).
     */
    private void prepareFacts() {
        // a word query walks the entries of its rarest word, narrowed by namespace
        facts.createIndex(Indexes.ascending(MongoFactStore.TERMS, MongoFactStore.NS), named("words"));
        // listings, newest first, and namespace deletion
        facts.createIndex(Indexes.compoundIndex(Indexes.ascending(MongoFactStore.NS),
                Indexes.descending(MongoFactStore.CREATED, "_id")), named("listing"));
        // the versions of a key in version order: namespace, key and zero-padded version in one string
        facts.createIndex(Indexes.ascending(MongoFactStore.KEY_VERSION), named("key_versions").sparse(true));
        // at most one fact follows another: what serialises racing puts of a key (see MongoFactStore)
        facts.createIndex(Indexes.ascending(MongoFactStore.FOLLOWS), named("follows").unique(true).sparse(true));
        // at most one fact per namespace and idempotency key
        facts.createIndex(Indexes.ascending(MongoFactStore.IDEMPOTENCY_SLOT), named("idempotency").unique(true).sparse(true));
        // prune
        facts.createIndex(Indexes.ascending(MongoFactStore.EXPIRES), named("expiry").sparse(true));
    }

    /**
     * Schema 3: a session's last activity is the latest of its creation, its runs' starts and its
     * events' timestamps. Sessions written before get it once, here (each with two indexed lookups).
     */
    private void fillLastActivity() {
        try (com.mongodb.client.MongoCursor<Document> missing = sessions.find(com.mongodb.client.model.Filters.exists("la", false))
                .projection(com.mongodb.client.model.Projections.include("ca")).iterator()) {
            while (missing.hasNext()) {
                Document s = missing.next();
                long at = ((Number) s.get("ca")).longValue();
                Document run = runs.find(new Document("s", s.get("_id"))).sort(new Document("sa", -1)).limit(1).first();
                if (run != null) {
                    at = Math.max(at, ((Number) run.get("sa")).longValue());
                }
                Document batch = events.find(new Document("sid", s.get("_id"))).sort(new Document("maxTs", -1)).limit(1).first();
                if (batch != null) {
                    at = Math.max(at, ((Number) batch.get("maxTs")).longValue());
                }
                sessions.updateOne(com.mongodb.client.model.Filters.and(com.mongodb.client.model.Filters.eq("_id", s.get("_id")),
                        com.mongodb.client.model.Filters.exists("la", false)), Updates.set("la", at));
            }
        }
    }

    private static IndexOptions named(String name) {
        return new IndexOptions().name(name);
    }

    /**
     * Runs one store operation against the driver: a driver failure becomes a
     * {@link StoreUnavailableException} that says what failed, and a thread whose interrupt flag
     * is set still gets its call done.
     *
     * <p>Why the interrupt flag is cleared for the call and set again afterwards: the driver waits
     * for pooled connections interruptibly, so it refuses any operation on a thread whose flag is
     * already set, while the JDBC backends and the in-memory stores just work. A caller that was
     * interrupted earlier and goes on to record what it did (an agent that caught an interrupt, a
     * runtime writing a run's end) would otherwise lose that write. An interrupt that arrives
     * during the call still aborts it.
     *
     * @param failure what failed, for the message, such as {@code "append failed"}
     * @param operation the driver calls
     * @param <T> its result
     * @return the operation's result
     */
    <T> T call(String failure, Supplier<T> operation) {
        boolean interrupted = Thread.interrupted();
        try {
            return operation.get();
        } catch (MongoException e) {
            throw translate(e, failure);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A driver failure as Memoria reports it: what failed, why, and whether a retry may help. */
    StoreUnavailableException translate(MongoException e, String failure) {
        if (e instanceof MongoTimeoutException && !(e instanceof MongoOperationTimeoutException) && isServerSelection(e)) {
            // the driver's message dumps its whole cluster view; the cause stays attached for it
            return new StoreUnavailableException(failure + ": " + endpoint.unreachable(), e, true);
        }
        boolean retryable = e instanceof MongoSocketException || e instanceof MongoTimeoutException
                || e.hasErrorLabel(MongoException.TRANSIENT_TRANSACTION_ERROR_LABEL)
                || e.hasErrorLabel("RetryableWriteError");
        return new StoreUnavailableException(failure + ": " + endpoint.redact(e.getMessage()), e, retryable);
    }

    /** Server selection timed out (no server answered), as opposed to waiting for a free pooled connection. */
    private static boolean isServerSelection(MongoException e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        return message.contains("waiting for a server") || message.contains("suitable server");
    }
}
