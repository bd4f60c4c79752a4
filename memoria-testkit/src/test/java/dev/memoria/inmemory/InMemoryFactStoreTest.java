package dev.memoria.inmemory;

import dev.memoria.Stores;
import dev.memoria.testkit.FactStoreContract;
import dev.memoria.testkit.WorkMeter;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;

class InMemoryFactStoreTest extends FactStoreContract {
    private final AtomicLong examined = new AtomicLong();

    @Override
    protected Stores newStores(Clock clock) {
        return InMemoryStores.create(clock, events -> { }, examined::addAndGet);
    }

    /** Facts the searches looked at, as the store reports them. */
    @Override
    protected WorkMeter factWorkMeter() {
        return read -> {
            long before = examined.get();
            read.run();
            return examined.get() - before;
        };
    }
}
