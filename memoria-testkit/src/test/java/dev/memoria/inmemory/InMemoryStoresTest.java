package dev.memoria.inmemory;

import dev.memoria.Stores;
import dev.memoria.testkit.StoresContract;
import java.time.Clock;

class InMemoryStoresTest extends StoresContract {
    @Override
    protected Stores newStores(Clock clock) {
        return InMemoryStores.create(clock);
    }

    /** In-memory stores keep nothing across close: X3 checks that a new instance starts empty. */
    @Override
    protected boolean isDurable() {
        return false;
    }

    @Override
    protected Stores reopenStores(Clock clock) {
        throw new UnsupportedOperationException("in-memory stores cannot be reopened");
    }
}
