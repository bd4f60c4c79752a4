package dev.memoria.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memoria.Stores;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What every contract suite shares: fresh stores on a {@link MutableClock} before each test, and
 * closing them after. A backend implements {@link #newStores(Clock)}.
 */
public abstract class ContractSupport {
    /** The instant every test starts at. */
    protected static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    /** Threads used by the concurrency contracts. */
    protected static final int THREADS = 8;
    /** Threads of the read-modify-write contracts (S8, R4), where lost races pile up fastest. */
    protected static final int UPDATERS = 16;

    /** The clock given to the stores under test; advance it instead of sleeping. */
    protected MutableClock clock;
    /** The stores under test, fresh and empty for each test. */
    protected Stores stores;

    /**
     * Creates fresh, empty stores for one test. Called before each test, so that subclasses can
     * use {@code @TempDir} fields or servers started in {@code @BeforeAll}; a few tests call it
     * once more (a copy's target, say), and each call must return stores of their own, empty and
     * independent of the others (another file, another table prefix, another database).
     *
     * @param clock the clock every store must read "now" from
     * @return the stores; the kit closes them after the test
     */
    protected abstract Stores newStores(Clock clock);

    @BeforeEach
    final void openStores() {
        clock = new MutableClock(START);
        stores = newStores(clock);
        assertThat(stores).as("newStores(clock)").isNotNull();
    }

    @AfterEach
    final void closeStores() {
        if (stores != null) {
            stores.close();
        }
    }

    /**
     * Runs {@code task} on {@link #THREADS} threads released at once, and waits for all of them,
     * rethrowing the first failure.
     *
     * @param task the work of thread {@code i}
     * @param <T> the result type
     * @return each thread's result, by thread index
     */
    protected static <T> List<T> onThreads(ThreadTask<T> task) {
        return onThreads(THREADS, task);
    }

    /**
     * Runs {@code task} on {@code threads} threads released at once, and waits for all of them,
     * rethrowing the first failure.
     *
     * @param threads how many threads
     * @param task the work of thread {@code i}
     * @param <T> the result type
     * @return each thread's result, by thread index
     */
    protected static <T> List<T> onThreads(int threads, ThreadTask<T> task) {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch gate = new CountDownLatch(1);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int index = i;
                futures.add(pool.submit(() -> {
                    gate.await();
                    return task.run(index);
                }));
            }
            gate.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get(5, TimeUnit.MINUTES));
            }
            return results;
        } catch (Exception e) {
            throw new AssertionError("a thread failed: " + e, e);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The work of one thread in {@link #onThreads(ThreadTask)}.
     *
     * @param <T> the result type
     */
    @FunctionalInterface
    protected interface ThreadTask<T> {
        /**
         * @param thread the thread's index, 0 to {@link #THREADS} - 1
         * @return a result
         * @throws Exception any failure, which fails the test
         */
        T run(int thread) throws Exception;
    }

    /**
     * JSON values that every backend must keep exactly, types included (S9, M4): any Unicode but
     * NUL, nesting, extreme longs and doubles, booleans, nulls and empty collections.
     *
     * @return the values
     */
    protected static Map<String, Object> hostileJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("emoji", "\uD83D\uDE00 \uD83D\uDC4D\uD83C\uDFFD family: \uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67");
        m.put("lines", "line 1\nline 2\r\n\ttabbed \u0001 \u001f \u007f");
        m.put("rtl", "\u0645\u0631\u062D\u0628\u0627 \u05E9\u05DC\u05D5\u05DD \u202Eevil\u202C");
        m.put("sql", "'; DROP TABLE memoria_events; -- \\ \" $1 ?");
        m.put("mongo", Map.of("$set", "x", "a.b", "dotted", "$", "dollar"));
        m.put("min", Long.MIN_VALUE);
        m.put("max", Long.MAX_VALUE);
        m.put("zero", 0L);
        m.put("one", 1.0);
        m.put("huge", 1e308);
        m.put("tiny", 5e-324);
        m.put("third", 1.0 / 3);
        m.put("negative", -2.5e-7);
        m.put("big double", 1e18);
        m.put("yes", true);
        m.put("no", false);
        m.put("nothing", null);
        m.put("", "empty key");
        m.put("emptyMap", Map.of());
        m.put("emptyList", List.of());
        List<Object> mixed = new ArrayList<>();
        mixed.add(1L);
        mixed.add(2.0);
        mixed.add("three");
        mixed.add(null);
        mixed.add(List.of(List.of(List.of())));
        mixed.add(Map.of("k", List.of(true, false)));
        m.put("list", mixed);
        Map<String, Object> deep = new LinkedHashMap<>();
        deep.put("level", 10L);
        Object nested = deep;
        for (int i = 9; i > 0; i--) {
            nested = Map.of("level", (long) i, "child", nested);
        }
        m.put("nested", nested);
        return m;
    }

    /**
     * Asserts two JSON values are equal with the same Java types at every level (a Long must not
     * come back as a Double, nor the reverse).
     *
     * @param actual what the store returned
     * @param expected what was written
     */
    protected static void assertSameJson(Object actual, Object expected) {
        assertThat(actual).isEqualTo(expected);
        assertSameTypes(actual, expected, "$");
    }

    private static void assertSameTypes(Object actual, Object expected, String path) {
        if (expected == null) {
            assertThat(actual).as(path).isNull();
            return;
        }
        assertThat(actual).as(path).isNotNull();
        if (expected instanceof Map<?, ?> em) {
            assertThat(actual).as(path).isInstanceOf(Map.class);
            Map<?, ?> am = (Map<?, ?>) actual;
            for (Map.Entry<?, ?> e : em.entrySet()) {
                assertSameTypes(am.get(e.getKey()), e.getValue(), path + "." + e.getKey());
            }
        } else if (expected instanceof List<?> el) {
            assertThat(actual).as(path).isInstanceOf(List.class);
            List<?> al = (List<?>) actual;
            for (int i = 0; i < el.size(); i++) {
                assertSameTypes(al.get(i), el.get(i), path + "[" + i + "]");
            }
        } else {
            assertThat(actual.getClass()).as(path + " type").isEqualTo(expected.getClass());
        }
    }
}
