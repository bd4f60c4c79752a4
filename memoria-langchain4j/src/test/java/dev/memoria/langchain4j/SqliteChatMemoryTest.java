package dev.memoria.langchain4j;

import dev.memoria.Stores;
import dev.memoria.jdbc.JdbcStores;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteChatMemoryTest extends ChatMemoryContract {
    @TempDir
    Path dir;

    @Override
    protected Stores newStores() {
        return JdbcStores.sqlite(dir.resolve("memoria.db"));
    }
}
