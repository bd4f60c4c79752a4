package dev.memoria.inmemory;

import dev.memoria.Stores;
import dev.memoria.testkit.RunStoreContract;
import java.time.Clock;

class InMemoryRunStoreTest extends RunStoreContract {
    @Override
    protected Stores newStores(Clock clock) {
        return InMemoryStores.create(clock);
    }
}
