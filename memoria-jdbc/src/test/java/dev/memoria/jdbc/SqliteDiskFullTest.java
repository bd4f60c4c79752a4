package dev.memoria.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.memoria.StoreUnavailableException;
import dev.memoria.Stores;
import dev.memoria.memory.Event;
import dev.memoria.memory.EventType;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.run.RunRef;
import dev.memoria.session.NewSession;
import java.nio.file.Path;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk (SQLITE_FULL, made reliable here by capping the file's page count the way a full
 * disk caps it) fails the writes that need space, and once space is back the same stores work
 * again without being reopened.
 */
class SqliteDiskFullTest {
    @TempDir
    Path dir;

    private static List<Event> batch(String tag, int count) {
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            events.add(new Event(tag + "-" + i, EventType.TOOL_RESULT, null, Map.of("pad", "x".repeat(2_000)), Map.of()));
        }
        return events;
    }

    @Test
    @DisplayName("After SQLITE_FULL and space freed again, the same stores write again")
    void theStoresRecoverOnceSpaceIsBack() {
        AtomicLong maxPages = new AtomicLong(1_000_000);
        RunRef run = new RunRef("s", "agent", "r");
        try (Stores stores = JdbcStores.sqlite(dir.resolve("full.db"), JdbcOptions.defaults(), c -> c, c -> {
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA max_page_count = " + maxPages.get());
            }
            return null;
        })) {
            stores.sessions().create(NewSession.builder().id("s").build());
            stores.memory().append(run, batch("before", 100));
            maxPages.set(pageCount(stores) + 20); // the disk fills up: a few pages left
            StoreUnavailableException full = null;
            int written = 0;
            for (int b = 0; b < 50 && full == null; b++) {
                try {
                    stores.memory().append(run, batch("filling-" + b, 100));
                    written++;
                } catch (StoreUnavailableException e) {
                    full = e;
                }
            }
            assertThat(full).as("an append once the disk is full").isNotNull();
            assertThat(full).hasMessageContaining("the disk is full");
            assertThat(full.retryable()).as("retrying the same call at once does not help").isFalse();
            int failedBatch = written;
            assertThatThrownBy(() -> stores.memory().append(run, batch("filling-" + failedBatch, 100)))
                    .as("the same append again, while the disk is still full").isInstanceOf(StoreUnavailableException.class)
                    .hasMessageContaining("the disk is full");
            assertThat(stores.sessions().get("s")).as("reads still work").isPresent();

            maxPages.set(1_000_000); // space is freed
            List<MemoryEvent> after = stores.memory().append(run, batch("after", 100));
            assertThat(after.get(0).sequence()).isEqualTo(100L * (written + 1) + 1);
            stores.sessions().create(NewSession.builder().id("big").metadata("pad", "y".repeat(60_000)).build());
            List<MemoryEvent> all = stores.memory().load(run).events();
            assertThat(all).hasSize(100 * (written + 2));
            assertThat(all).noneMatch(e -> e.key().startsWith("filling-" + failedBatch + "-"));
            for (int i = 0; i < all.size(); i++) {
                assertThat(all.get(i).sequence()).isEqualTo(i + 1);
            }
        }
    }

    private static long pageCount(Stores stores) {
        return JdbcStores.database(stores).read(c -> {
            try (Statement s = c.createStatement(); var rs = s.executeQuery("PRAGMA page_count")) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }
}
