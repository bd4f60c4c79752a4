package dev.memoria.langchain4j;

import com.mongodb.client.MongoDatabase;
import dev.memoria.Stores;
import dev.memoria.mongodb.MongoStores;
import dev.memoria.testservers.MongoTestServer;
import org.junit.jupiter.api.AfterEach;

class MongoChatMemoryTest extends ChatMemoryContract {
    private MongoDatabase database;

    @Override
    protected Stores newStores() {
        database = MongoTestServer.get().freshDatabase();
        return MongoStores.create(database);
    }

    /** Runs after the contract closed the stores: the database outlives them. */
    @AfterEach
    void drop() {
        database.drop();
    }
}
