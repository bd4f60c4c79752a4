package dev.memoria.springai;

import dev.memoria.Stores;
import dev.memoria.jdbc.JdbcOptions;
import dev.memoria.jdbc.JdbcStores;
import dev.memoria.testservers.PostgresServer;

class PostgresSpringAiTest extends SpringAiContract {
    @Override
    protected Stores newStores() {
        return JdbcStores.create(PostgresServer.get().dataSource(), JdbcOptions.defaults().tablePrefix(PostgresServer.freshPrefix()));
    }
}
