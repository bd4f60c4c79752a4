package dev.memoria.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.memoria.StoreUnavailableException;
import dev.memoria.Stores;
import dev.memoria.spi.StoreProvider;
import dev.memoria.spi.Uris;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Opens {@code sqlite:PATH[?durability=FULL|NORMAL&prefix=P&create=false]} (also
 * {@code jdbc:sqlite:PATH}; {@code ~} is the home folder) and
 * {@code jdbc:postgresql://HOST[:PORT]/DB?user=…&password=…[&prefix=P]} through
 * {@link Stores#open(String)}. Found through {@link java.util.ServiceLoader}.
 *
 * <p>Memoria's own options are {@code prefix} (every scheme), {@code durability} and
 * {@code create} (SQLite). Every other option of a PostgreSQL URI is passed to the driver, and
 * one the driver does not know is refused by name, as is an unknown option of a SQLite URI.
 * PostgreSQL connections come from a HikariCP pool that validates connections before handing
 * them out and replaces those a server restart or a network failure broke; closing the stores
 * closes it.
 */
public final class JdbcStoreProvider implements StoreProvider {
    private static final int POSTGRES_POOL_SIZE = 8;
    private static final List<String> SQLITE_OPTIONS = List.of("durability", "prefix", "create");

    /** Called by {@link java.util.ServiceLoader}. */
    public JdbcStoreProvider() {
    }

    @Override
    public List<String> schemes() {
        return List.of("sqlite:", "jdbc:sqlite:", "jdbc:postgresql:");
    }

    @Override
    public Stores open(String uri, java.time.Clock clock) {
        if (uri.startsWith("jdbc:postgresql:")) {
            return openPostgres(uri, clock);
        }
        String rest = uri.startsWith("jdbc:sqlite:") ? uri.substring("jdbc:sqlite:".length()) : uri.substring("sqlite:".length());
        int q = rest.indexOf('?');
        Map<String, String> given = q < 0 ? Map.of() : options(rest.substring(q + 1));
        String path = q < 0 ? rest : rest.substring(0, q);
        JdbcOptions options = JdbcOptions.defaults().clock(clock);
        for (Map.Entry<String, String> option : given.entrySet()) {
            String value = option.getValue();
            switch (option.getKey()) {
                case "durability" -> options = options.durability(durability(value));
                case "prefix" -> options = options.tablePrefix(value);
                case "create" -> options = options.createIfMissing(bool("create", value));
                default -> throw new IllegalArgumentException("uri: unknown option '" + option.getKey()
                        + "' for a SQLite store (known: " + String.join(", ", SQLITE_OPTIONS) + ")");
            }
        }
        if (path.isBlank()) {
            throw new IllegalArgumentException("uri: name the SQLite file, as in sqlite:./memoria.db");
        }
        return JdbcStores.sqlite(expandHome(path), options);
    }

    /** {@code ~} and {@code ~/…} name the home folder, as in a shell. */
    static Path expandHome(String path) {
        if (path.equals("~") || path.startsWith("~/")) {
            return Path.of(System.getProperty("user.home") + path.substring(1));
        }
        return Path.of(path);
    }

    private static Durability durability(String value) {
        try {
            return Durability.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("uri: durability must be FULL or NORMAL, got '" + value + "'");
        }
    }

    private static boolean bool(String name, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("uri: " + name + " must be true or false, got '" + value + "'");
        };
    }

    /** The options of a query string in order, decoded; an option given twice is refused. */
    private static Map<String, String> options(String query) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            String[] kv = pair.split("=", 2);
            String key = URLDecoder.decode(kv[0], StandardCharsets.UTF_8);
            String value = kv.length == 2 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "";
            if (out.put(key, value) != null) {
                throw new IllegalArgumentException("uri: option '" + key + "' is given twice");
            }
        }
        return out;
    }

    private static Stores openPostgres(String url, java.time.Clock clock) {
        String shown = Uris.redact(url);
        try {
            Class.forName("org.postgresql.Driver");
        } catch (ClassNotFoundException e) {
            throw new StoreUnavailableException("the PostgreSQL driver is not on the class path: add "
                    + "org.postgresql:postgresql to use " + shown, e, false);
        }
        int q = url.indexOf('?');
        JdbcOptions options = JdbcOptions.defaults().clock(clock);
        List<String> driverOptions = new ArrayList<>();
        boolean named = false;
        if (q >= 0) {
            for (String pair : url.substring(q + 1).split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                String key = URLDecoder.decode(pair.split("=", 2)[0], StandardCharsets.UTF_8);
                String value = pair.contains("=") ? URLDecoder.decode(pair.split("=", 2)[1], StandardCharsets.UTF_8) : "";
                if (key.equals("prefix")) {
                    options = options.tablePrefix(value);
                } else if (key.equals("durability") || key.equals("create")) {
                    throw new IllegalArgumentException("uri: option '" + key + "' applies to SQLite stores only");
                } else if (org.postgresql.PGProperty.forName(key) == null) {
                    throw new IllegalArgumentException("uri: unknown option '" + key + "' (Memoria's: prefix; every other"
                            + " option goes to the PostgreSQL driver, which has no option of that name)");
                } else {
                    named |= key.equals("ApplicationName");
                    driverOptions.add(pair);
                }
            }
        }
        if (!named) {
            driverOptions.add("ApplicationName=memoria"); // lets operators see Memoria's sessions in pg_stat_activity
        }
        String jdbcUrl = (q < 0 ? url : url.substring(0, q)) + "?" + String.join("&", driverOptions);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setPoolName("memoria " + Uris.redact(q < 0 ? url : url.substring(0, q)));
        config.setMaximumPoolSize(POSTGRES_POOL_SIZE);
        config.setMinimumIdle(0);
        config.setConnectionTimeout(10_000);
        config.setInitializationFailTimeout(1); // an unreachable server fails the open at once, not after 10 s
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) { // HikariCP's PoolInitializationException, the driver's failure as its cause
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new StoreUnavailableException("cannot connect to " + shown + ": " + Uris.redactIn(cause.getMessage(), url),
                    cause, true);
        }
        try {
            return JdbcStores.open(Dialect.POSTGRESQL, new RedactingSource(ConnectionSource.of(pool, null, true), url),
                    options);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    /** Names the store by its redacted URI, and keeps the URI's secrets out of connection failures. */
    private record RedactingSource(ConnectionSource source, String url) implements ConnectionSource {
        @Override
        public java.sql.Connection acquire() throws java.sql.SQLException {
            try {
                return source.acquire();
            } catch (java.sql.SQLException e) {
                throw new java.sql.SQLException(Uris.redactIn(e.getMessage(), url), e.getSQLState(), e.getErrorCode(), e);
            }
        }

        @Override
        public void release(java.sql.Connection connection, java.sql.SQLException failure) {
            source.release(connection, failure);
        }

        @Override
        public StatementCache statements(java.sql.Connection connection) {
            return null;
        }

        @Override
        public void close() {
            source.close();
        }

        @Override
        public String toString() {
            return Uris.redact(url);
        }
    }
}
