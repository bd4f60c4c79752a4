package dev.memoria.inmemory;

import dev.memoria.Stores;
import dev.memoria.testkit.ContextContract;
import dev.memoria.testkit.WorkMeter;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;

class InMemoryContextTest extends ContextContract {
    private final AtomicLong examined = new AtomicLong();

    @Override
    protected Stores newStores(Clock clock) {
        return InMemoryStores.create(clock, examined::addAndGet);
    }

    /** Events the reads looked at, as the stores report them. */
    @Override
    protected WorkMeter workMeter() {
        return read -> {
            long before = examined.get();
            read.run();
            return examined.get() - before;
        };
    }
}
