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

    /**
     * Documents the server returned plus the events inside them: counting documents alone would
     * rate a batch of 1,000 events like one of a single event, and a read that fetched whole
     * batches to return one event of each would look as cheap as one that fetched only that event.
     */
    @Override
    protected dev.memoria.testkit.WorkMeter workMeter() {
        return MongoContractSupport.documentsAndEventsReturned();
    }
}
