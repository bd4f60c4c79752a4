package dev.memoria.internal;

import dev.memoria.ConflictException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Retries an optimistic read-modify-write on {@link ConflictException}, with a short randomised
 * back-off so that writers racing for one record spread out instead of colliding again in step.
 * Used by {@code SessionStore.update(id, fn)} and {@code RunStore.update(id, fn)}, and by
 * backends whose appenders race (see {@link #backOff(int)}). Not an API: backends use {@link dev.memoria.spi.Retries}.
 *
 * <p>The budget is large enough that a writer among 16 hammering one record does not run out:
 * each lost race waits a random time up to a cap that doubles from 50 µs to 20 ms, so a writer
 * gives up only after about {@value #MAX_ATTEMPTS} lost races, tens of seconds of contention.
 */
public final class Retries {
    /** How many attempts before giving up. */
    public static final int MAX_ATTEMPTS = 1000;
    private static final int KEPT_FAILURES = 5;
    private static final long MAX_BACKOFF_MICROS = 20_000;

    private Retries() {
    }

    /**
     * @param attempt one read-modify-write; it may run several times and must have no other side effects
     * @param <T> its result
     * @return the first result that did not conflict
     * @throws ConflictException if every attempt conflicted; the last one, with up to five
     *     earlier ones attached as suppressed exceptions
     */
    public static <T> T onConflict(Supplier<T> attempt) {
        List<ConflictException> failures = new ArrayList<>();
        for (int i = 0; i < MAX_ATTEMPTS; i++) {
            try {
                return attempt.get();
            } catch (ConflictException e) {
                if (failures.size() == KEPT_FAILURES) {
                    failures.remove(0);
                }
                failures.add(e);
                backOff(i);
            }
        }
        ConflictException last = failures.remove(failures.size() - 1);
        failures.forEach(last::addSuppressed);
        throw last;
    }

    /**
     * Waits after the {@code lost}-th lost race in a row: a random time up to a cap that doubles
     * with each loss from 50 µs to 20 ms (full jitter).
     *
     * @param lost how many races in a row were lost before this one, from 0
     */
    public static void backOff(int lost) {
        long maxMicros = Math.min(MAX_BACKOFF_MICROS, 50L << Math.min(lost, 9));
        LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(maxMicros) * 1000);
    }
}
