package dev.memoria.mongodb;

import java.time.Clock;
import java.util.Objects;
import java.util.regex.Pattern;

/** Options of the MongoDB stores. Immutable: each method returns a copy. */
public final class MongoOptions {
    private static final Pattern PREFIX = Pattern.compile("[a-z][a-z0-9_]{0,30}");

    private final String collectionPrefix;
    private final Clock clock;

    private MongoOptions(String collectionPrefix, Clock clock) {
        this.collectionPrefix = collectionPrefix;
        this.clock = clock;
    }

    /** @return prefix {@code memoria_} and the UTC system clock */
    public static MongoOptions defaults() {
        return new MongoOptions("memoria_", Clock.systemUTC());
    }

    /**
     * @param prefix prepended to every collection name; {@code [a-z][a-z0-9_]{0,30}}
     * @return a copy with this prefix
     */
    public MongoOptions collectionPrefix(String prefix) {
        Objects.requireNonNull(prefix, "collectionPrefix");
        if (!PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("collectionPrefix: must match [a-z][a-z0-9_]{0,30}, got '" + prefix + "'");
        }
        return new MongoOptions(prefix, clock);
    }

    /**
     * @param clock the clock the stores read "now" from
     * @return a copy with this clock
     */
    public MongoOptions clock(Clock clock) {
        return new MongoOptions(collectionPrefix, Objects.requireNonNull(clock, "clock"));
    }

    /** @return the collection prefix */
    public String collectionPrefix() {
        return collectionPrefix;
    }

    /** @return the clock */
    public Clock clock() {
        return clock;
    }

    @Override
    public String toString() {
        return "MongoOptions[prefix " + collectionPrefix + "]";
    }
}
