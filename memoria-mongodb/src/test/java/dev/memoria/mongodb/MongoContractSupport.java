package dev.memoria.mongodb;

import dev.memoria.testservers.MongoTestServer;
import com.mongodb.client.MongoDatabase;
import dev.memoria.Stores;
import dev.memoria.testkit.WorkMeter;
import java.time.Clock;

/**
 * Opens fresh stores in a fresh database for each test, and drops the previous test's database
 * then: on a real server so that tests leave nothing behind, on the in-process server so that its
 * memory does not fill up with every test's data. The database outlives {@code close()}, which
 * the durability contract (X3) needs.
 */
final class MongoContractSupport {
    private static MongoDatabase previous;
    private MongoDatabase database;

    static {
        // the last test's database, on a real server; the in-process server may be gone already
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                dropPrevious();
            } catch (RuntimeException alreadyShutDown) {
                // nothing left to clean
            }
        }));
    }

    Stores newStores(Clock clock) {
        dropPrevious();
        database = MongoTestServer.get().freshDatabase();
        remember(database);
        return reopen(clock);
    }

    Stores reopen(Clock clock) {
        return MongoStores.create(database, MongoOptions.defaults().clock(clock), Endpoint.usersClient(), () -> { });
    }

    private static synchronized void remember(MongoDatabase db) {
        previous = db;
    }

    private static synchronized void dropPrevious() {
        if (previous != null) {
            previous.drop();
            previous = null;
        }
    }

    /** @return the meter of contract M7: documents the server returned, plus the events inside them */
    static WorkMeter documentsAndEventsReturned() {
        MongoTestServer fixture = MongoTestServer.get();
        return read -> {
            long before = fixture.documentsReturned();
            read.run();
            return fixture.documentsReturned() - before;
        };
    }

    /** @return the database of the stores last opened */
    MongoDatabase database() {
        return database;
    }
}
