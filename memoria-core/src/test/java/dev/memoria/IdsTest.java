package dev.memoria;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

class IdsTest {

    @Test
    void idsAreVersion7UuidsCarryingTheCurrentTime() {
        long before = System.currentTimeMillis();
        String id = Ids.next();
        long after = System.currentTimeMillis();
        UUID uuid = UUID.fromString(id);
        assertThat(uuid.version()).isEqualTo(7);
        assertThat(uuid.variant()).isEqualTo(2);
        long millis = uuid.getMostSignificantBits() >>> 16;
        assertThat(millis).isBetween(before, after + 1);
        assertThat(id).isEqualTo(uuid.toString());
    }

    @Test
    void idsIncreaseStrictlyEvenWithinOneMillisecondAndAcrossThreads() throws Exception {
        List<String> sequential = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            sequential.add(Ids.next());
        }
        for (int i = 1; i < sequential.size(); i++) {
            assertThat(sequential.get(i)).isGreaterThan(sequential.get(i - 1));
        }
        ConcurrentLinkedQueue<String> all = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Thread thread = new Thread(() -> {
                String last = "";
                for (int i = 0; i < 10_000; i++) {
                    String id = Ids.next();
                    assertThat(id).isGreaterThan(last);
                    last = id;
                    all.add(id);
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        List<String> sorted = new ArrayList<>(all);
        Collections.sort(sorted);
        assertThat(sorted).doesNotHaveDuplicates().hasSize(80_000);
    }
}
