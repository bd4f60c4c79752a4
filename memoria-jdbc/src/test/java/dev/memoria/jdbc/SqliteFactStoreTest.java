package dev.memoria.jdbc;

import dev.memoria.Stores;
import dev.memoria.testkit.FactStoreContract;
import dev.memoria.testkit.WorkMeter;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.io.TempDir;

class SqliteFactStoreTest extends FactStoreContract {
    private final ReadCapture capture = new ReadCapture();
    @TempDir
    Path dir;
    private int opened;

    @Override
    protected Stores newStores(Clock clock) {
        // the first stores of a test are the ones the meter reads; restore's target gets a file of its own
        Path file = dir.resolve(opened++ == 0 ? "memoria.db" : "target-" + opened + ".db");
        return JdbcStores.sqlite(file, JdbcOptions.defaults().clock(clock), capture::wrap, null);
    }

    @Override
    protected WorkMeter factWorkMeter() {
        return SqlWorkMeters.sqliteFacts(capture, dir.resolve("memoria.db"), "memoria_");
    }
}
