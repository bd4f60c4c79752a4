package dev.memoria.testservers;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandSucceededEvent;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonValue;

/**
 * The MongoDB the tests use: the server named by {@code MEMORIA_MONGODB_URI} (a fresh database per
 * test, dropped afterwards), or the in-process wire-protocol server {@code mongo-java-server},
 * started once per JVM, talked to through the official driver. The client counts what every find,
 * aggregate and getMore returns (each document, plus the events of a batch document), which is
 * the work meter of contract M7.
 *
 * <h2>One connection to the in-process server, and why the stores do not work around it</h2>
 * The in-process server does not make concurrent conditional writes to one document atomic: two
 * {@code replaceOne}s filtered on the same version, arriving on two connections at once, can both
 * match (about one update in 2,000 was lost in S8/R4 with a normal pool). Every real MongoDB
 * applies a single-document write atomically, filter included, and the stores rely on exactly
 * that: an update is compare-and-set on the version its change was computed from, nothing more.
 * Widening the stores' filters to compare whole documents only hid the server's defect (and still
 * lost updates, since the state compared could itself come from a torn read). So the workaround
 * lives here: over a single connection the in-process server runs commands one at a time, which
 * gives back per-document atomicity, while the tests' threads still interleave between commands
 * as before. Tests that need several connections (two clients appending to one run) open their
 * own clients; their inserts are decided by unique indexes, which the server checks and updates
 * under a lock.
 */
public final class MongoTestServer {
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static volatile MongoTestServer instance;

    private final MongoClient client;
    /** Documents returned by the server, plus the events inside batch documents. */
    private final AtomicLong returned = new AtomicLong();
    private final String uri;
    private final boolean external;

    private MongoTestServer(String uri, boolean external) {
        this.uri = uri;
        this.external = external;
        CommandListener counter = new CommandListener() {
            @Override
            public void commandSucceeded(CommandSucceededEvent event) {
                BsonDocument cursor = event.getResponse().getDocument("cursor", null);
                if (cursor != null) {
                    BsonArray batch = cursor.containsKey("firstBatch") ? cursor.getArray("firstBatch")
                            : cursor.getArray("nextBatch", new BsonArray());
                    long work = batch.size();
                    for (BsonValue document : batch) {
                        BsonValue events = document.isDocument() ? document.asDocument().get("e") : null;
                        work += events != null && events.isArray() ? events.asArray().size() : 0;
                    }
                    returned.addAndGet(work);
                }
            }
        };
        MongoClientSettings.Builder settings = MongoClientSettings.builder().applyConnectionString(new ConnectionString(uri))
                .addCommandListener(counter);
        if (!external) {
            // see the class comment: one connection makes the in-process server's writes atomic per document
            settings.applyToConnectionPoolSettings(pool -> pool.maxSize(1));
        }
        this.client = MongoClients.create(settings.build());
    }

    /** @return the server, started on first use */
    public static MongoTestServer get() {
        if (instance == null) {
            synchronized (MongoTestServer.class) {
                if (instance == null) {
                    String external = System.getenv("MEMORIA_MONGODB_URI");
                    if (external != null && !external.isBlank()) {
                        instance = new MongoTestServer(external, true);
                    } else {
                        MongoServer server = new MongoServer(new MemoryBackend());
                        InetSocketAddress address = server.bind();
                        instance = new MongoTestServer("mongodb://" + address.getHostString() + ":" + address.getPort(), false);
                        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow));
                    }
                }
            }
        }
        return instance;
    }

    /** @return the client every test shares (one connection to the in-process server: see the class comment) */
    public MongoClient client() {
        return client;
    }

    /** @return the server's URI, without a database */
    public String uri() {
        return uri;
    }

    /** @return whether the server is the one {@code MEMORIA_MONGODB_URI} names */
    public boolean isExternal() {
        return external;
    }

    /**
     * The work meter of contract M7: what finds, aggregates and getMores returned so far, each
     * document counted once plus the events inside a Memoria batch document (field {@code e}).
     *
     * @return the count since the server was started
     */
    public long documentsReturned() {
        return returned.get();
    }

    /** @return a database no other test uses */
    public MongoDatabase freshDatabase() {
        return client.getDatabase("memoria_test_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet());
    }
}
