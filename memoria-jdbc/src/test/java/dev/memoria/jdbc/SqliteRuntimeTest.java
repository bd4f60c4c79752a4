package dev.memoria.jdbc;

import dev.memoria.Stores;
import dev.memoria.testkit.RuntimeContract;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.io.TempDir;

class SqliteRuntimeTest extends RuntimeContract {
    @TempDir
    Path dir;

    @Override
    protected Stores newStores(Clock clock) {
        return JdbcStores.sqlite(dir.resolve("memoria.db"), JdbcOptions.defaults().clock(clock));
    }
}
