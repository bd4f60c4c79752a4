package dev.memoria.springai;

import dev.memoria.Stores;
import dev.memoria.inmemory.InMemoryStores;

class InMemorySpringAiTest extends SpringAiContract {
    @Override
    protected Stores newStores() {
        return InMemoryStores.create();
    }
}
