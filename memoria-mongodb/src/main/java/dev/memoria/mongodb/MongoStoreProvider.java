package dev.memoria.mongodb;

import com.mongodb.ConnectionString;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import dev.memoria.Stores;
import dev.memoria.spi.StoreProvider;
import java.util.List;

/**
 * Opens {@code mongodb://HOST[:PORT]/DATABASE[?options]} (and {@code mongodb+srv://}) through
 * {@link Stores#open(String)}; closing the stores closes the client it created.
 */
public final class MongoStoreProvider implements StoreProvider {
    /** Called by {@link java.util.ServiceLoader}. */
    public MongoStoreProvider() {
    }

    @Override
    public List<String> schemes() {
        return List.of("mongodb:", "mongodb+srv:");
    }

    @Override
    public Stores open(String uri, java.time.Clock clock) {
        ConnectionString connection;
        try {
            connection = new ConnectionString(uri);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("uri: not a MongoDB connection string: " + e.getMessage(), e);
        }
        if (connection.getDatabase() == null || connection.getDatabase().isBlank()) {
            throw new IllegalArgumentException("uri: name the database, as in mongodb://localhost:27017/memoria");
        }
        MongoClient client = MongoClients.create(connection);
        try {
            return MongoStores.create(client.getDatabase(connection.getDatabase()), MongoOptions.defaults().clock(clock), client::close);
        } catch (RuntimeException | Error e) {
            client.close();
            throw e;
        }
    }

}
