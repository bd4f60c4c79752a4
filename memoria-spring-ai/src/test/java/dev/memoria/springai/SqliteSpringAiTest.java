package dev.memoria.springai;

import dev.memoria.Stores;
import dev.memoria.jdbc.JdbcStores;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteSpringAiTest extends SpringAiContract {
    @TempDir
    Path dir;

    @Override
    protected Stores newStores() {
        return JdbcStores.sqlite(dir.resolve("memoria.db"));
    }
}
