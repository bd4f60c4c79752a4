package dev.memoria.jdbc;

import dev.memoria.Stores;
import dev.memoria.testkit.ContextContract;
import dev.memoria.testservers.PostgresServer;
import java.time.Clock;

class PostgresContextTest extends ContextContract {
    private final String prefix = PostgresServer.freshPrefix();
    private final ReadCapture capture = new ReadCapture();

    @Override
    protected Stores newStores(Clock clock) {
        return JdbcStores.create(capture.wrap(PostgresServer.get().dataSource()),
                JdbcOptions.defaults().clock(clock).tablePrefix(prefix));
    }

    @Override
    protected dev.memoria.testkit.WorkMeter workMeter() {
        return SqlWorkMeters.postgres(capture, PostgresServer.get().dataSource());
    }
}
