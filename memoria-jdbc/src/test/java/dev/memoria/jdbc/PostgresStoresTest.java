package dev.memoria.jdbc;

import dev.memoria.testservers.PostgresServer;
import dev.memoria.Stores;
import dev.memoria.testkit.StoresContract;
import java.time.Clock;

class PostgresStoresTest extends StoresContract {
    private final String prefix = PostgresServer.freshPrefix();

    @Override
    protected Stores newStores(Clock clock) {
        return JdbcStores.create(PostgresServer.get().dataSource(), JdbcOptions.defaults().clock(clock).tablePrefix(prefix));
    }

    @Override
    protected Stores reopenStores(Clock clock) {
        return newStores(clock);
    }
}
