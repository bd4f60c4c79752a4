package dev.memoria.mongodb;

import dev.memoria.Stores;
import dev.memoria.testkit.RunStoreContract;
import java.time.Clock;

class MongoRunStoreTest extends RunStoreContract {
    private final MongoContractSupport mongo = new MongoContractSupport();

    @Override
    protected Stores newStores(Clock clock) {
        return mongo.newStores(clock);
    }
}
