package dev.memoria.integration;

import com.mongodb.client.MongoDatabase;
import dev.memoria.Stores;
import dev.memoria.inmemory.InMemoryStores;
import dev.memoria.jdbc.JdbcOptions;
import dev.memoria.jdbc.JdbcStores;
import dev.memoria.mongodb.MongoOptions;
import dev.memoria.mongodb.MongoStores;
import dev.memoria.testkit.ContextContract;
import dev.memoria.testkit.WorkMeter;
import dev.memoria.testservers.MongoTestServer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/**
 * C1–C9 on a mix of backends — sessions in SQLite, runs in memory, memory in MongoDB — to show
 * that the view, its markers and forks need nothing but the store interfaces.
 */
class MixedContextTest extends ContextContract {
    private static final AtomicInteger DATABASES = new AtomicInteger();

    @TempDir
    Path dir;

    @Override
    protected Stores newStores(Clock clock) {
        Stores sqlite = JdbcStores.sqlite(dir.resolve("sessions-" + DATABASES.incrementAndGet() + ".db"), JdbcOptions.defaults().clock(clock));
        MongoDatabase database = MongoTestServer.get().freshDatabase();
        Stores mongo = MongoStores.create(database, MongoOptions.defaults().clock(clock));
        Stores runs = InMemoryStores.create(clock);
        return Stores.of(sqlite.sessions(), runs.runs(), mongo.memory(), () -> {
            sqlite.close();
            mongo.close();
            database.drop();
        });
    }

    /** The documents and the events inside them the MongoDB server returned, as for M7. */
    @Override
    protected WorkMeter workMeter() {
        MongoTestServer server = MongoTestServer.get();
        return read -> {
            long before = server.documentsReturned();
            read.run();
            return server.documentsReturned() - before;
        };
    }
}
