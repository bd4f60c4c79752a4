package dev.memoria.inmemory;

import dev.memoria.Stores;
import dev.memoria.testkit.MemoryStoreContract;
import java.time.Clock;

class InMemoryMemoryStoreTest extends MemoryStoreContract {
    @Override
    protected Stores newStores(Clock clock) {
        return InMemoryStores.create(clock);
    }

    @Override
    protected dev.memoria.testkit.WorkMeter workMeter() {
        InMemoryMemoryStore memory = (InMemoryMemoryStore) stores.memory();
        return read -> {
            long before = memory.eventsExamined.get();
            read.run();
            return memory.eventsExamined.get() - before;
        };
    }
}
