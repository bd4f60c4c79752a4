package dev.memoria.mongodb;

import com.mongodb.client.MongoDatabase;
import dev.memoria.Stores;
import java.util.Objects;

/**
 * Memoria's stores in MongoDB.
 *
 * <pre>{@code
 * MongoDatabase db = client.getDatabase("agents");
 * try (Stores stores = MongoStores.create(db)) { ... }   // the client stays open: it is yours
 * }</pre>
 *
 * <p>One document per session and per run; a run's events live in one document per append,
 * so a run has no size limit; one document per fact version. Nothing needs a multi-document
 * transaction: a standalone {@code mongod} works as well as a replica set or a sharded cluster. Indexes are created when
 * the stores open. Thread-safe.
 *
 * <p>Driver failures are {@link dev.memoria.StoreUnavailableException}s saying what failed; when
 * no server answers, an operation waits the client's {@code serverSelectionTimeoutMS} (30 s
 * unless set) and then says so. A call made on a thread whose interrupt flag is already set still
 * runs, and leaves the flag set (the driver alone would refuse it).
 */
public final class MongoStores {
    private MongoStores() {
    }

    /**
     * @param database the database; Memoria never closes its client
     * @return stores with collection prefix {@code memoria_}
     */
    public static Stores create(MongoDatabase database) {
        return create(database, MongoOptions.defaults());
    }

    /**
     * @param database the database; Memoria never closes its client
     * @param options collection prefix and clock
     * @return the stores
     */
    public static Stores create(MongoDatabase database, MongoOptions options) {
        return create(database, options, Endpoint.usersClient(), () -> { });
    }

    static Stores create(MongoDatabase database, MongoOptions options, Endpoint endpoint, AutoCloseable onClose) {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(options, "options");
        Layout collections = new Layout(database, options.collectionPrefix(), options.clock(), endpoint);
        collections.prepare();
        return Stores.of(new MongoSessionStore(collections), new MongoRunStore(collections),
                new MongoMemoryStore(collections), new MongoFactStore(collections), onClose);
    }
}
