package dev.memoria.jdbc;

import dev.memoria.Stores;
import dev.memoria.testkit.SessionStoreContract;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.io.TempDir;

class SqliteSessionStoreTest extends SessionStoreContract {
    @TempDir
    Path dir;

    @Override
    protected Stores newStores(Clock clock) {
        return JdbcStores.sqlite(dir.resolve("memoria.db"), JdbcOptions.defaults().clock(clock));
    }
}
