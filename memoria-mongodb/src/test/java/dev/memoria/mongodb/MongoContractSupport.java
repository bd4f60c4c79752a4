package dev.memoria.mongodb;

import dev.memoria.testservers.MongoTestServer;
import com.mongodb.client.MongoDatabase;
import dev.memoria.Stores;
import dev.memoria.testkit.WorkMeter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Opens fresh stores in a fresh database for each test, and drops the previous test's databases
 * then: on a real server so that tests leave nothing behind, on the in-process server so that its
 * memory does not fill up with every test's data. The database outlives {@code close()}, which
 * the durability contract (X3) needs. A test that opens more stores (a copy's target) gets another
 * database, and its first one stays: each call's stores are independent of the others.
 */
final class MongoContractSupport {
    /** The databases of the current test, and whose they are (one support per test instance). */
    private static final List<Map.Entry<MongoContractSupport, MongoDatabase>> OPENED = new ArrayList<>();
    private MongoDatabase database;

    static {
        // the last test's database, on a real server; the in-process server may be gone already
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                dropAllBut(null);
            } catch (RuntimeException alreadyShutDown) {
                // nothing left to clean
            }
        }));
    }

    Stores newStores(Clock clock) {
        dropAllBut(this);
        database = MongoTestServer.get().freshDatabase();
        remember(this, database);
        return reopen(clock);
    }

    Stores reopen(Clock clock) {
        return MongoStores.create(database, MongoOptions.defaults().clock(clock), Endpoint.usersClient(), () -> { });
    }

    private static synchronized void remember(MongoContractSupport owner, MongoDatabase db) {
        OPENED.add(Map.entry(owner, db));
    }

    /** Drops the databases of earlier tests (every one for null). */
    private static synchronized void dropAllBut(MongoContractSupport current) {
        for (Iterator<Map.Entry<MongoContractSupport, MongoDatabase>> i = OPENED.iterator(); i.hasNext(); ) {
            Map.Entry<MongoContractSupport, MongoDatabase> opened = i.next();
            if (opened.getKey() != current) {
                opened.getValue().drop();
                i.remove();
            }
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
