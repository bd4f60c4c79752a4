package dev.memoria.spi;

import java.util.function.Supplier;

/**
 * For backends: the retry budget and back-off of Memoria's optimistic read-modify-writes, so that
 * a backend whose writers race (compare-and-set updates, appenders competing for a log's tail)
 * spreads them out and gives up alike. Each lost race waits a random time up to a cap that
 * doubles from 50 µs to 20 ms (full jitter); {@value #MAX_ATTEMPTS} lost races in a row give up.
 */
public final class Retries {
    /** How many attempts before giving up. */
    public static final int MAX_ATTEMPTS = dev.memoria.internal.Retries.MAX_ATTEMPTS;

    private Retries() {
    }

    /**
     * @param attempt one read-modify-write; it may run several times and must have no other side effects
     * @param <T> its result
     * @return the first result that did not conflict
     * @throws dev.memoria.ConflictException if every attempt conflicted
     */
    public static <T> T onConflict(Supplier<T> attempt) {
        return dev.memoria.internal.Retries.onConflict(attempt);
    }

    /**
     * Waits after the {@code lost}-th lost race in a row.
     *
     * @param lost how many races in a row were lost before this one, from 0
     */
    public static void backOff(int lost) {
        dev.memoria.internal.Retries.backOff(lost);
    }
}
