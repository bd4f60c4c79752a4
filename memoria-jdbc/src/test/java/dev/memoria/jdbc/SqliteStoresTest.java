package dev.memoria.jdbc;

import dev.memoria.Stores;
import dev.memoria.testkit.StoresContract;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.io.TempDir;

class SqliteStoresTest extends StoresContract {
    @TempDir
    Path dir;

    @Override
    protected Stores newStores(Clock clock) {
        return JdbcStores.sqlite(dir.resolve("memoria.db"), JdbcOptions.defaults().clock(clock));
    }

    @Override
    protected Stores reopenStores(Clock clock) {
        return newStores(clock);
    }
}
