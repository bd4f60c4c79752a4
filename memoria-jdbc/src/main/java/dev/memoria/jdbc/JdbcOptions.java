package dev.memoria.jdbc;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Options of the JDBC stores. Immutable: each method returns a copy.
 *
 * <pre>{@code
 * Stores stores = JdbcStores.sqlite(Path.of("agent.db"),
 *         JdbcOptions.defaults().tablePrefix("bot_").durability(Durability.NORMAL));
 * }</pre>
 */
public final class JdbcOptions {
    private static final Pattern PREFIX = Pattern.compile("[a-z][a-z0-9_]{0,30}");

    private final String tablePrefix;
    private final Clock clock;
    private final Durability durability;
    private final Duration busyTimeout;
    private final boolean autoMigrate;
    private final boolean createIfMissing;
    private final boolean groupCommit;

    private JdbcOptions(String tablePrefix, Clock clock, Durability durability, Duration busyTimeout, boolean autoMigrate,
                        boolean createIfMissing, boolean groupCommit) {
        this.tablePrefix = tablePrefix;
        this.clock = clock;
        this.durability = durability;
        this.busyTimeout = busyTimeout;
        this.autoMigrate = autoMigrate;
        this.createIfMissing = createIfMissing;
        this.groupCommit = groupCommit;
    }

    /**
     * @return prefix {@code memoria_}, the UTC system clock, FULL durability, a 30 s busy
     *     timeout, automatic migration, a SQLite file created when missing, and group commit
     */
    public static JdbcOptions defaults() {
        return new JdbcOptions("memoria_", Clock.systemUTC(), Durability.FULL, Duration.ofSeconds(30), true, true, true);
    }

    /**
     * @param prefix prepended to every table and index name; {@code [a-z][a-z0-9_]{0,30}}
     * @return a copy with this prefix
     */
    public JdbcOptions tablePrefix(String prefix) {
        Objects.requireNonNull(prefix, "tablePrefix");
        if (!PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("tablePrefix: must match [a-z][a-z0-9_]{0,30}, got '" + prefix + "'");
        }
        return new JdbcOptions(prefix, clock, durability, busyTimeout, autoMigrate, createIfMissing, groupCommit);
    }

    /**
     * @param clock the clock the stores read "now" from
     * @return a copy with this clock
     */
    public JdbcOptions clock(Clock clock) {
        return new JdbcOptions(tablePrefix, Objects.requireNonNull(clock, "clock"), durability, busyTimeout, autoMigrate, createIfMissing, groupCommit);
    }

    /**
     * @param durability SQLite's synchronous mode; PostgreSQL follows the server's settings
     * @return a copy with this durability
     */
    public JdbcOptions durability(Durability durability) {
        return new JdbcOptions(tablePrefix, clock, Objects.requireNonNull(durability, "durability"), busyTimeout, autoMigrate, createIfMissing, groupCommit);
    }

    /**
     * @param timeout how long a SQLite writer waits for another process's write to finish before
     *     failing with a retryable {@link dev.memoria.StoreUnavailableException}; 0 to 10 minutes
     * @return a copy with this timeout
     */
    public JdbcOptions busyTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "busyTimeout");
        if (timeout.isNegative() || timeout.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new IllegalArgumentException("busyTimeout: must be between 0 and 10 minutes, got " + timeout);
        }
        return new JdbcOptions(tablePrefix, clock, durability, timeout, autoMigrate, createIfMissing, groupCommit);
    }

    /**
     * @param enabled whether opening the stores creates and migrates the tables; when off, the
     *     schema (from {@link JdbcStores#schema(Dialect, String)}) must already be at this
     *     version, or opening fails saying what is there and what is expected
     * @return a copy with this setting
     */
    public JdbcOptions autoMigrate(boolean enabled) {
        return new JdbcOptions(tablePrefix, clock, durability, busyTimeout, enabled, createIfMissing, groupCommit);
    }

    /**
     * @param enabled whether {@link JdbcStores#sqlite(java.nio.file.Path, JdbcOptions)} creates a
     *     missing file (and its folders); when off, a missing file is refused, naming it (for
     *     tools that only read, where a mistyped path must not create an empty store)
     * @return a copy with this setting
     */
    public JdbcOptions createIfMissing(boolean enabled) {
        return new JdbcOptions(tablePrefix, clock, durability, busyTimeout, autoMigrate, enabled, groupCommit);
    }

    /**
     * @param enabled whether concurrent appends of this process share transactions (group commit,
     *     on by default): each caller still gets its own result and durability, a lone writer
     *     waits for nobody; off, every append is its own transaction, as for a measurement of the
     *     difference
     * @return a copy with this setting
     */
    public JdbcOptions groupCommit(boolean enabled) {
        return new JdbcOptions(tablePrefix, clock, durability, busyTimeout, autoMigrate, createIfMissing, enabled);
    }

    /** @return whether concurrent appends share transactions */
    public boolean groupCommit() {
        return groupCommit;
    }

    /** @return the table prefix */
    public String tablePrefix() {
        return tablePrefix;
    }

    /** @return the clock */
    public Clock clock() {
        return clock;
    }

    /** @return SQLite's durability */
    public Durability durability() {
        return durability;
    }

    /** @return SQLite's busy timeout */
    public Duration busyTimeout() {
        return busyTimeout;
    }

    /** @return whether the schema is migrated on open */
    public boolean autoMigrate() {
        return autoMigrate;
    }

    /** @return whether a missing SQLite file is created */
    public boolean createIfMissing() {
        return createIfMissing;
    }

    @Override
    public String toString() {
        return "JdbcOptions[prefix " + tablePrefix + ", " + durability + ", busy timeout " + busyTimeout
                + (autoMigrate ? ", auto-migrate" : ", no migration") + (createIfMissing ? "" : ", existing file only")
                + (groupCommit ? "" : ", no group commit") + "]";
    }
}
