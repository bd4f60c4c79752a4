package dev.memoria.mongodb;

import dev.memoria.Stores;
import dev.memoria.testkit.ContextContract;
import java.time.Clock;

class MongoContextTest extends ContextContract {
    private final MongoContractSupport mongo = new MongoContractSupport();

    @Override
    protected Stores newStores(Clock clock) {
        return mongo.newStores(clock);
    }

    /** Documents and the events inside them the server returned, as for M7. */
    @Override
    protected dev.memoria.testkit.WorkMeter workMeter() {
        return MongoContractSupport.documentsAndEventsReturned();
    }
}
