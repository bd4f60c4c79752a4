package dev.memoria.mongodb;

import dev.memoria.Stores;
import dev.memoria.testkit.MemoryStoreContract;
import java.time.Clock;

class MongoMemoryStoreTest extends MemoryStoreContract {
    private final MongoContractSupport mongo = new MongoContractSupport();

    @Override
    protected Stores newStores(Clock clock) {
        return mongo.newStores(clock);
    }

    /** Documents the server returned: each read fetches at most limit + 1 batch documents. */
    @Override
    protected dev.memoria.testkit.WorkMeter workMeter() {
        return MongoContractSupport.documentsReturned();
    }
}
