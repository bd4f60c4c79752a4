package dev.memoria.jdbc;

import dev.memoria.Stores;
import dev.memoria.testkit.ContextContract;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.io.TempDir;

class SqliteContextTest extends ContextContract {
    private final ReadCapture capture = new ReadCapture();
    @TempDir
    Path dir;

    @Override
    protected Stores newStores(Clock clock) {
        return JdbcStores.sqlite(dir.resolve("memoria.db"), JdbcOptions.defaults().clock(clock), capture::wrap, null);
    }

    @Override
    protected dev.memoria.testkit.WorkMeter workMeter() {
        return SqlWorkMeters.sqlite(capture, dir.resolve("memoria.db"));
    }
}
