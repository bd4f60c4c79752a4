package dev.memoria.inmemory;

import dev.memoria.Stores;
import dev.memoria.testkit.SessionStoreContract;
import java.time.Clock;

class InMemorySessionStoreTest extends SessionStoreContract {
    @Override
    protected Stores newStores(Clock clock) {
        return InMemoryStores.create(clock);
    }
}
