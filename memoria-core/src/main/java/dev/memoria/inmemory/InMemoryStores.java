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
        return create(clock, examined -> { });
    }

    /**
     * Stores that report how much each read of the memory store looked at: the kit's work meter
     * of contract M7 uses it to show that {@code latest(n)} and typed reads do not scan whole
     * runs, and so can a test or a benchmark of yours.
     *
     * @param clock the clock every store reads "now" from
     * @param eventsExamined told, after each read, how many stored events it looked at
     * @return new, empty stores
     */
    public static Stores create(Clock clock, java.util.function.LongConsumer eventsExamined) {
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(eventsExamined, "eventsExamined");
        return create(clock, eventsExamined, examined -> { });
    }

    /**
     * Stores that report how much each read of the memory store and each fact search looked at:
     * the work meters of contracts M7 and K10.
     *
     * @param clock the clock every store reads "now" from
     * @param eventsExamined told, after each read, how many stored events it looked at
     * @param factsExamined told, after each fact search, how many stored facts it looked at
     * @return new, empty stores
     */
    public static Stores create(Clock clock, java.util.function.LongConsumer eventsExamined,
                                java.util.function.LongConsumer factsExamined) {
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(eventsExamined, "eventsExamined");
        Objects.requireNonNull(factsExamined, "factsExamined");
        return Stores.of(new InMemorySessionStore(clock), new InMemoryRunStore(clock),
                new InMemoryMemoryStore(clock, eventsExamined), new InMemoryFactStore(clock, factsExamined));
    }
}
