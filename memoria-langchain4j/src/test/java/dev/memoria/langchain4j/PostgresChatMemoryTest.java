package dev.memoria.langchain4j;

import dev.memoria.Stores;
import dev.memoria.jdbc.JdbcOptions;
import dev.memoria.jdbc.JdbcStores;
import dev.memoria.testservers.PostgresServer;

class PostgresChatMemoryTest extends ChatMemoryContract {
    @Override
    protected Stores newStores() {
        return JdbcStores.create(PostgresServer.get().dataSource(), JdbcOptions.defaults().tablePrefix(PostgresServer.freshPrefix()));
    }
}
