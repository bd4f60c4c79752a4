package dev.memoria.cli;

import dev.memoria.Stores;
import dev.memoria.spi.Uris;
import java.time.Clock;
import java.util.Locale;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/** What the options every command shares say: where the stores are, and how much to say on failure. */
final class StoreOption {
    /** Where the stores are when neither {@code --store} nor {@code MEMORIA_STORE} says. */
    static final String DEFAULT_STORE = "sqlite:./memoria.db";
    /** Milliseconds a MongoDB operation waits for a server when the URI does not say. */
    static final String MONGODB_TIMEOUT_ENV = "MEMORIA_MONGODB_TIMEOUT_MS";
    static final long DEFAULT_MONGODB_TIMEOUT_MS = 5000;
    private static final Pattern MONGODB_TIMEOUT_OPTION = Pattern.compile("[?&;]serverSelectionTimeoutMS=",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern SQLITE_CREATE_OPTION = Pattern.compile("[?&]create=");

    /** The environment; tests replace it. */
    static UnaryOperator<String> env = System::getenv;

    /** The --store option's value, or null: the option itself is declared by {@link Main}, inherited by every command. */
    String store;

    /** Whether --verbose was given. */
    boolean verbose;

    String uri() {
        if (store != null) {
            return store;
        }
        String fromEnv = env.apply("MEMORIA_STORE");
        return fromEnv == null || fromEnv.isBlank() ? DEFAULT_STORE : fromEnv;
    }

    /**
     * @return {@code " --store URI"} (credentials masked) for a command line the user is shown to
     *     run next, when the store was given with --store; empty when it came from the default
     *     or $MEMORIA_STORE, which the next command finds the same way
     */
    String option() {
        return store == null ? "" : " --store " + Usage.quote(shown());
    }

    /** The URI as it may be printed: credentials masked. */
    String shown() {
        return Uris.redact(uri());
    }

    /** Opens the stores for a command that writes: a SQLite file that does not exist is created. */
    Stores open() {
        return open(Clock.systemUTC());
    }

    Stores open(Clock clock) {
        return open(uri(), clock, false);
    }

    /** Opens the stores for a command that only reads: a missing SQLite file is refused, not created. */
    Stores openExisting() {
        return open(uri(), Clock.systemUTC(), true);
    }

    static Stores open(String uri, Clock clock, boolean mustExist) {
        try {
            return Stores.open(effective(uri, mustExist), clock);
        } catch (IllegalArgumentException malformed) {
            // a URI no provider takes, or one with an option it does not know: the command line's fault
            throw new CliException.Usage(malformed.getMessage(), malformed);
        }
    }

    /**
     * The URI the CLI opens for the one the user gave: readers add {@code create=false} to a SQLite
     * URI (a mistyped path must not read as an empty store), and a MongoDB URI that sets no server
     * selection timeout gets a short one (the driver's 30 s make a missing server look like a hang).
     * An option the user wrote is never replaced.
     */
    static String effective(String uri, boolean mustExist) {
        String scheme = Uris.scheme(uri);
        boolean sqlite = scheme.equals("sqlite:") || uri.toLowerCase(Locale.ROOT).startsWith("jdbc:sqlite:");
        if (sqlite && mustExist && !SQLITE_CREATE_OPTION.matcher(uri).find()) {
            return withOption(uri, "create=false");
        }
        if ((scheme.equals("mongodb:") || scheme.equals("mongodb+srv:")) && !MONGODB_TIMEOUT_OPTION.matcher(uri).find()) {
            String withDatabasePart = uri.indexOf('/', uri.indexOf("//") + 2) < 0 && uri.indexOf('?') < 0 ? uri + "/" : uri;
            return withOption(withDatabasePart, "serverSelectionTimeoutMS=" + mongoTimeoutMillis());
        }
        return uri;
    }

    private static String withOption(String uri, String option) {
        if (uri.indexOf('?') < 0) {
            return uri + "?" + option;
        }
        return uri.endsWith("?") || uri.endsWith("&") ? uri + option : uri + "&" + option;
    }

    private static long mongoTimeoutMillis() {
        String value = env.apply(MONGODB_TIMEOUT_ENV);
        if (value == null || value.isBlank()) {
            return DEFAULT_MONGODB_TIMEOUT_MS;
        }
        try {
            long millis = Long.parseLong(value.trim());
            if (millis > 0) {
                return millis;
            }
        } catch (NumberFormatException e) {
            // refused below, with the same message as a value that is not positive
        }
        throw new IllegalArgumentException("$" + MONGODB_TIMEOUT_ENV + ": expected a positive number of milliseconds"
                + " (such as 5000), got '" + value + "'");
    }
}
