package dev.memoria.springai;

import dev.memoria.Stores;
import dev.memoria.mongodb.MongoStores;
import dev.memoria.testservers.MongoTestServer;

class MongoSpringAiTest extends SpringAiContract {
    @Override
    protected Stores newStores() {
        return MongoStores.create(MongoTestServer.get().freshDatabase());
    }
}
