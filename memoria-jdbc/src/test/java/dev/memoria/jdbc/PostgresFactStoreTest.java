package dev.memoria.jdbc;

import dev.memoria.Stores;
import dev.memoria.testkit.FactStoreContract;
import dev.memoria.testkit.WorkMeter;
import dev.memoria.testservers.PostgresServer;
import java.time.Clock;

class PostgresFactStoreTest extends FactStoreContract {
    private final ReadCapture capture = new ReadCapture();

    @Override
    protected Stores newStores(Clock clock) {
        // every stores of a test (restore's target too) gets tables of its own
        return JdbcStores.create(capture.wrap(PostgresServer.get().dataSource()),
                JdbcOptions.defaults().clock(clock).tablePrefix(PostgresServer.freshPrefix()));
    }

    @Override
    protected WorkMeter factWorkMeter() {
        return SqlWorkMeters.postgres(capture, PostgresServer.get().dataSource());
    }
}
