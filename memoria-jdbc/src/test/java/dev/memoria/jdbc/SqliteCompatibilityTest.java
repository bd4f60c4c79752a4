package dev.memoria.jdbc;

import dev.memoria.Stores;
import dev.memoria.testkit.CompatibilityContract;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Clock;
import org.junit.jupiter.api.io.TempDir;

class SqliteCompatibilityTest extends CompatibilityContract {
    @TempDir
    Path dir;

    @Override
    protected Stores newStores(Clock clock) {
        return JdbcStores.sqlite(dir.resolve("memoria.db"), JdbcOptions.defaults().clock(clock));
    }

    @Override
    protected RawStorage raw() {
        return new JdbcRawStorage(Dialect.SQLITE, "memoria_", () -> DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("memoria.db")));
    }
}
