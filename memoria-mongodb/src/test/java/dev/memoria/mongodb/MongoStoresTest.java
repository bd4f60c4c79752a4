package dev.memoria.mongodb;

import dev.memoria.Stores;
import dev.memoria.testkit.StoresContract;
import java.time.Clock;

class MongoStoresTest extends StoresContract {
    private final MongoContractSupport mongo = new MongoContractSupport();

    @Override
    protected Stores newStores(Clock clock) {
        return mongo.newStores(clock);
    }

    @Override
    protected Stores reopenStores(Clock clock) {
        return mongo.reopen(clock);
    }
}
