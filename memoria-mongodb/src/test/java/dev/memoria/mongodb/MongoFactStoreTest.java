package dev.memoria.mongodb;

import dev.memoria.Stores;
import dev.memoria.testkit.FactStoreContract;
import dev.memoria.testkit.WorkMeter;
import java.time.Clock;

class MongoFactStoreTest extends FactStoreContract {
    private final MongoContractSupport mongo = new MongoContractSupport();

    @Override
    protected Stores newStores(Clock clock) {
        return mongo.newStores(clock);
    }

    /**
     * Documents the server returned for the search: the facts of the first read (one small
     * document per match of every query word, in the namespace), the page's facts read whole,
     * one count per query word and the corpus document. The server's own work is the index
     * entries of the rarest word in the namespace (see MongoFactStore), which this follows.
     */
    @Override
    protected WorkMeter factWorkMeter() {
        return MongoContractSupport.documentsAndEventsReturned();
    }
}
