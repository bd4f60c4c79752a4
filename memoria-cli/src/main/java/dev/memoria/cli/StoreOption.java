package dev.memoria.cli;

import dev.memoria.Stores;
import java.time.Clock;
import picocli.CommandLine.Option;

/** The options every command shares: where the stores are, and how much to say on failure. */
final class StoreOption {
    /** Where the stores are when neither {@code --store} nor {@code MEMORIA_STORE} says. */
    static final String DEFAULT_STORE = "sqlite:./memoria.db";

    @Option(names = "--store", paramLabel = "URI",
            description = "where the stores are: sqlite:PATH, jdbc:postgresql://HOST/DB?user=..., "
                    + "mongodb://HOST/DB or memory: (default: $MEMORIA_STORE, else " + DEFAULT_STORE + ")")
    String store;

    @Option(names = "--verbose", description = "show stack traces on failure")
    boolean verbose;

    String uri() {
        if (store != null) {
            return store;
        }
        String env = System.getenv("MEMORIA_STORE");
        return env == null || env.isBlank() ? DEFAULT_STORE : env;
    }

    Stores open() {
        return open(Clock.systemUTC());
    }

    Stores open(Clock clock) {
        return Stores.open(uri(), clock);
    }
}
