package dev.memoria.jdbc;

import dev.memoria.Stores;
import dev.memoria.testkit.MemoryStoreContract;
import java.time.Clock;

class PostgresMemoryStoreTest extends MemoryStoreContract {
    private final String prefix = PostgresServer.freshPrefix();

    @Override
    protected Stores newStores(Clock clock) {
        return JdbcStores.create(PostgresServer.get().dataSource(), JdbcOptions.defaults().clock(clock).tablePrefix(prefix));
    }

    @Override
    protected dev.memoria.testkit.WorkMeter workMeter() {
        return SqlWorkMeters.postgres(stores, PostgresServer.get().dataSource());
    }
}
