package dev.memoria.langchain4j;

import dev.memoria.Stores;

class InMemoryChatMemoryTest extends ChatMemoryContract {
    @Override
    protected Stores newStores() {
        return Stores.inMemory();
    }
}
