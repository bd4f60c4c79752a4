package dev.memoria.jdbc;

import dev.memoria.testservers.PostgresServer;
import dev.memoria.Stores;
import dev.memoria.testkit.SessionStoreContract;
import java.time.Clock;

class PostgresSessionStoreTest extends SessionStoreContract {
    private final String prefix = PostgresServer.freshPrefix();

    @Override
    protected Stores newStores(Clock clock) {
        return JdbcStores.create(PostgresServer.get().dataSource(), JdbcOptions.defaults().clock(clock).tablePrefix(prefix));
    }
}
