package dev.memoria.inmemory;

import dev.memoria.Stores;
import dev.memoria.testkit.RuntimeContract;
import java.time.Clock;

class InMemoryRuntimeTest extends RuntimeContract {
    @Override
    protected Stores newStores(Clock clock) {
        return InMemoryStores.create(clock);
    }
}
