package dev.memoria.jdbc;

import dev.memoria.testservers.PostgresServer;
import dev.memoria.Stores;
import dev.memoria.testkit.CompatibilityContract;
import java.time.Clock;

class PostgresCompatibilityTest extends CompatibilityContract {
    private final String prefix = PostgresServer.freshPrefix();

    @Override
    protected Stores newStores(Clock clock) {
        return JdbcStores.create(PostgresServer.get().dataSource(), JdbcOptions.defaults().clock(clock).tablePrefix(prefix));
    }

    @Override
    protected RawStorage raw() {
        return new JdbcRawStorage(Dialect.POSTGRESQL, prefix, () -> PostgresServer.get().dataSource().getConnection());
    }
}
