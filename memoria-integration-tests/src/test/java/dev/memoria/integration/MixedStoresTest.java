package dev.memoria.integration;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.memoria.Stores;
import dev.memoria.inmemory.InMemoryStores;
import dev.memoria.jdbc.JdbcOptions;
import dev.memoria.jdbc.JdbcStores;
import dev.memoria.mongodb.MongoOptions;
import dev.memoria.mongodb.MongoStores;
import dev.memoria.testkit.StoresContract;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * X1–X4 on a mix of backends — sessions in SQLite, runs in memory, memory in MongoDB — to show
 * that purge and the session check hold without any foreign key between the stores.
 */
class MixedStoresTest extends StoresContract {
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static MongoServer server;
    private static MongoClient client;

    @TempDir
    Path dir;

    private Stores sqlite;
    private Stores mongo;

    @BeforeAll
    static void startMongo() {
        server = new MongoServer(new MemoryBackend());
        InetSocketAddress address = server.bind();
        client = MongoClients.create("mongodb://" + address.getHostString() + ":" + address.getPort());
    }

    @AfterAll
    static void stopMongo() {
        client.close();
        server.shutdownNow();
    }

    @Override
    protected Stores newStores(Clock clock) {
        sqlite = JdbcStores.sqlite(dir.resolve("sessions-" + DATABASES.incrementAndGet() + ".db"), JdbcOptions.defaults().clock(clock));
        mongo = MongoStores.create(client.getDatabase("mixed" + DATABASES.get()), MongoOptions.defaults().clock(clock));
        Stores runs = InMemoryStores.create(clock);
        Stores a = sqlite;
        Stores b = mongo;
        return Stores.of(a.sessions(), runs.runs(), b.memory(), () -> {
            a.close();
            b.close();
        });
    }

    /** The run store of this mix is in memory: closing loses runs, so X3 checks a fresh mix starts empty. */
    @Override
    protected boolean isDurable() {
        return false;
    }

    @Override
    protected Stores reopenStores(Clock clock) {
        throw new UnsupportedOperationException("the in-memory run store cannot be reopened");
    }
}
