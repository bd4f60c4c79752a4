package dev.memoria.integration;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.memoria.Page;
import dev.memoria.Stores;
import dev.memoria.inmemory.InMemoryStores;
import dev.memoria.jdbc.JdbcOptions;
import dev.memoria.jdbc.JdbcStores;
import dev.memoria.memory.MemoryStore;
import dev.memoria.memory.Snapshot;
import dev.memoria.mongodb.MongoOptions;
import dev.memoria.mongodb.MongoStores;
import dev.memoria.testkit.ContextContract;
import dev.memoria.testkit.WorkMeter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * C1–C9 on a mix of backends — sessions in SQLite, runs in memory, memory in MongoDB — to show
 * that the view, its markers and forks need nothing but the store interfaces.
 */
class MixedContextTest extends ContextContract {
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static MongoServer server;
    private static MongoClient client;
    private final AtomicLong eventsReturned = new AtomicLong();

    @TempDir
    Path dir;

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
        Stores sqlite = JdbcStores.sqlite(dir.resolve("sessions-" + DATABASES.incrementAndGet() + ".db"), JdbcOptions.defaults().clock(clock));
        Stores mongo = MongoStores.create(client.getDatabase("mixedcontext" + DATABASES.get()), MongoOptions.defaults().clock(clock));
        Stores runs = InMemoryStores.create(clock);
        return Stores.of(sqlite.sessions(), runs.runs(), counting(mongo.memory()), () -> {
            sqlite.close();
            mongo.close();
        });
    }

    /** The memory store, counting the events its reads return. */
    private MemoryStore counting(MemoryStore real) {
        return (MemoryStore) Proxy.newProxyInstance(MemoryStore.class.getClassLoader(), new Class<?>[] {MemoryStore.class},
                (proxy, method, args) -> {
                    Object value;
                    try {
                        value = method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (value instanceof Page<?> page) {
                        eventsReturned.addAndGet(1 + page.items().size());
                    } else if (value instanceof Snapshot snapshot) {
                        eventsReturned.addAndGet(1 + snapshot.events().size());
                    }
                    return value;
                });
    }

    /** Reads and the events they returned: the MongoDB server of these tests reports no more than that. */
    @Override
    protected WorkMeter workMeter() {
        return read -> {
            long before = eventsReturned.get();
            read.run();
            return eventsReturned.get() - before;
        };
    }
}
