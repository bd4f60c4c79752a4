package dev.memoria.mongodb;

import dev.memoria.Stores;
import dev.memoria.testkit.RuntimeContract;
import java.time.Clock;

class MongoRuntimeTest extends RuntimeContract {
    private final MongoContractSupport mongo = new MongoContractSupport();

    @Override
    protected Stores newStores(Clock clock) {
        return mongo.newStores(clock);
    }
}
