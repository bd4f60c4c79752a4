package dev.memoria.inmemory;

import dev.memoria.Stores;
import java.time.Clock;
import java.util.Objects;

/**
 * Thread-safe stores that keep everything in this JVM's heap: the reference semantics of every
 * contract, for tests, prototypes and short-lived agents. Nothing survives the process.
 */
public final class InMemoryStores {
    private InMemoryStores() {
    }

    /** @return new, empty stores on the UTC system clock */
    public static Stores create() {
        return create(Clock.systemUTC());
    }

    /**
     * @param clock the clock every store reads "now" from
     * @return new, empty stores
     */
    public static Stores create(Clock clock) {
        Objects.requireNonNull(clock, "clock");
        return Stores.of(new InMemorySessionStore(clock), new InMemoryRunStore(clock), new InMemoryMemoryStore(clock));
    }
}
