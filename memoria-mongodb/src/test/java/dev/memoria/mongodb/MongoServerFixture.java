package dev.memoria.mongodb;

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

/**
 * The MongoDB the tests use: the server named by {@code MEMORIA_MONGODB_URI} (a fresh database per
 * test, dropped afterwards), or the in-process wire-protocol server {@code mongo-java-server},
 * started once per JVM, talked to through the official driver. The client counts the documents
 * every find and getMore returns, which is the work meter of contract M7.
 */
final class MongoServerFixture {
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static volatile MongoServerFixture instance;

    final MongoClient client;
    final AtomicLong documentsReturned = new AtomicLong();
    final String uri;
    final boolean external;

    private MongoServerFixture(String uri, boolean external) {
        this.uri = uri;
        this.external = external;
        CommandListener counter = new CommandListener() {
            @Override
            public void commandSucceeded(CommandSucceededEvent event) {
                BsonDocument cursor = event.getResponse().getDocument("cursor", null);
                if (cursor != null) {
                    BsonArray batch = cursor.containsKey("firstBatch") ? cursor.getArray("firstBatch")
                            : cursor.getArray("nextBatch", new BsonArray());
                    documentsReturned.addAndGet(batch.size());
                }
            }
        };
        MongoClientSettings.Builder settings = MongoClientSettings.builder().applyConnectionString(new ConnectionString(uri))
                .addCommandListener(counter);
        if (!external) {
            // The in-process server does not make concurrent conditional writes to one document
            // atomic (two compare-and-set replaces of the same version can both match: about one
            // update in 2,000 was lost in S8/R4), which every real MongoDB does. Over a single
            // connection it runs commands one at a time, which gives that per-document atomicity
            // back; the tests' threads still interleave between commands exactly as before.
            settings.applyToConnectionPoolSettings(pool -> pool.maxSize(1));
        }
        this.client = MongoClients.create(settings.build());
    }

    static MongoServerFixture get() {
        if (instance == null) {
            synchronized (MongoServerFixture.class) {
                if (instance == null) {
                    String external = System.getenv("MEMORIA_MONGODB_URI");
                    if (external != null && !external.isBlank()) {
                        instance = new MongoServerFixture(external, true);
                    } else {
                        MongoServer server = new MongoServer(new MemoryBackend());
                        InetSocketAddress address = server.bind();
                        instance = new MongoServerFixture("mongodb://" + address.getHostString() + ":" + address.getPort(), false);
                        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow));
                    }
                }
            }
        }
        return instance;
    }

    /** @return a database no other test uses */
    MongoDatabase freshDatabase() {
        return client.getDatabase("memoria_test_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet());
    }
}
