package dev.memoria.spi;

import dev.memoria.ConflictException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Retries an optimistic read-modify-write on {@link ConflictException}, with a short randomised
 * back-off so that writers racing for one record spread out instead of colliding again in step.
 * Used by {@code SessionStore.update(id, fn)} and {@code RunStore.update(id, fn)}.
 */
public final class Retries {
    /** How many attempts before giving up. */
    public static final int MAX_ATTEMPTS = 100;
    private static final int KEPT_FAILURES = 5;

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
                long maxMicros = Math.min(20_000, 50L << Math.min(i, 9));
                LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(maxMicros) * 1000);
            }
        }
        ConflictException last = failures.remove(failures.size() - 1);
        failures.forEach(last::addSuppressed);
        throw last;
    }
}
