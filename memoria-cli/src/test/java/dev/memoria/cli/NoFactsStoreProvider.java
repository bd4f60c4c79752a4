package dev.memoria.cli;

import dev.memoria.Stores;
import dev.memoria.spi.StoreProvider;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code nofacts:NAME}: in-memory stores without a fact store ({@link Stores#of(dev.memoria.session.SessionStore,
 * dev.memoria.run.RunStore, dev.memoria.memory.MemoryStore)}), kept by name for the life of the test JVM, so that
 * the commands' handling of a backend that keeps no facts is tested whatever the real backends support.
 */
public final class NoFactsStoreProvider implements StoreProvider {
    private static final Map<String, Stores> STORES = new ConcurrentHashMap<>();

    /** Called by {@link java.util.ServiceLoader}. */
    public NoFactsStoreProvider() {
    }

    @Override
    public List<String> schemes() {
        return List.of("nofacts:");
    }

    @Override
    public Stores open(String uri, Clock clock) {
        Stores base = STORES.computeIfAbsent(uri, u -> Stores.open("memory:", clock));
        return Stores.of(base.sessions(), base.runs(), base.memory());
    }
}
