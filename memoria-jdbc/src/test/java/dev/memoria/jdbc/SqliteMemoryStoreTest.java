package dev.memoria.jdbc;

import dev.memoria.Stores;
import dev.memoria.testkit.MemoryStoreContract;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.io.TempDir;

class SqliteMemoryStoreTest extends MemoryStoreContract {
    @TempDir
    Path dir;

    @Override
    protected Stores newStores(Clock clock) {
        return JdbcStores.sqlite(dir.resolve("memoria.db"), JdbcOptions.defaults().clock(clock));
    }

    @Override
    protected dev.memoria.testkit.WorkMeter workMeter() {
        return SqlWorkMeters.sqlite(stores, dir.resolve("memoria.db"));
    }
}
