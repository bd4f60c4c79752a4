package dev.memoria.inmemory;

import dev.memoria.Stores;
import dev.memoria.spi.StoreProvider;
import java.util.List;

/**
 * Opens {@code memory:} URIs: new, empty in-memory stores each time. Found through
 * {@link java.util.ServiceLoader}; users call {@link Stores#open(String)}.
 */
public final class InMemoryStoreProvider implements StoreProvider {
    /** Called by {@link java.util.ServiceLoader}. */
    public InMemoryStoreProvider() {
    }

    @Override
    public List<String> schemes() {
        return List.of("memory:");
    }

    @Override
    public Stores open(String uri, java.time.Clock clock) {
        if (!uri.equals("memory:")) {
            throw new IllegalArgumentException("uri: the in-memory store takes no path, use exactly 'memory:', got '"
                    + uri + "'");
        }
        return InMemoryStores.create(clock);
    }
}
