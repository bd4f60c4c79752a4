package dev.memoria.mongodb;

import dev.memoria.Stores;
import dev.memoria.testkit.SessionStoreContract;
import java.time.Clock;

class MongoSessionStoreTest extends SessionStoreContract {
    private final MongoContractSupport mongo = new MongoContractSupport();

    @Override
    protected Stores newStores(Clock clock) {
        return mongo.newStores(clock);
    }
}
