package dev.memoria.mongodb;

import com.mongodb.client.MongoDatabase;
import dev.memoria.Stores;
import dev.memoria.testkit.WorkMeter;
import java.time.Clock;

/** Opens fresh stores in a fresh database, and drops it after the test on a real server. */
final class MongoContractSupport {
    private MongoDatabase database;

    Stores newStores(Clock clock) {
        if (database != null && MongoServerFixture.get().external) {
            database.drop();
        }
        database = MongoServerFixture.get().freshDatabase();
        return reopen(clock);
    }

    Stores reopen(Clock clock) {
        return MongoStores.create(database, MongoOptions.defaults().clock(clock), () -> {
            if (MongoServerFixture.get().external) {
                database.drop();
            }
        });
    }

    static WorkMeter documentsReturned() {
        MongoServerFixture fixture = MongoServerFixture.get();
        return read -> {
            long before = fixture.documentsReturned.get();
            read.run();
            return fixture.documentsReturned.get() - before;
        };
    }
}
