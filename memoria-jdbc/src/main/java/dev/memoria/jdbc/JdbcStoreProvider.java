package dev.memoria.jdbc;

import dev.memoria.StoreUnavailableException;
import dev.memoria.Stores;
import dev.memoria.spi.StoreProvider;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Locale;

/**
 * Opens {@code sqlite:PATH[?durability=FULL|NORMAL&prefix=P]} and
 * {@code jdbc:postgresql://HOST[:PORT]/DB?user=…&password=…} through
 * {@link Stores#open(String)}. Found through {@link java.util.ServiceLoader}.
 */
public final class JdbcStoreProvider implements StoreProvider {
    private static final int POSTGRES_MAX_IDLE = 8;

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
        JdbcOptions options = JdbcOptions.defaults().clock(clock);
        int q = rest.indexOf('?');
        if (q >= 0) {
            for (String pair : rest.substring(q + 1).split("&")) {
                String[] kv = pair.split("=", 2);
                String value = kv.length == 2 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "";
                switch (kv[0]) {
                    case "durability" -> options = options.durability(Durability.valueOf(value.toUpperCase(Locale.ROOT)));
                    case "prefix" -> options = options.tablePrefix(value);
                    default -> throw new IllegalArgumentException("uri: unknown SQLite option '" + kv[0]
                            + "' (known: durability, prefix)");
                }
            }
            rest = rest.substring(0, q);
        }
        if (rest.isBlank()) {
            throw new IllegalArgumentException("uri: name the SQLite file, as in sqlite:./memoria.db");
        }
        return JdbcStores.sqlite(Path.of(rest), options);
    }

    private static Stores openPostgres(String url, java.time.Clock clock) {
        try {
            Class.forName("org.postgresql.Driver");
        } catch (ClassNotFoundException e) {
            throw new StoreUnavailableException("the PostgreSQL driver is not on the class path: add "
                    + "org.postgresql:postgresql to use " + url.replaceAll("password=[^&]*", "password=***"), e, false);
        }
        ConnectionSource pool = new ConnectionSource.Pool(() -> {
            Connection c = DriverManager.getConnection(url);
            c.setAutoCommit(true);
            return c;
        }, POSTGRES_MAX_IDLE, url.replaceAll("password=[^&]*", "password=***"));
        return JdbcStores.open(Dialect.POSTGRESQL, pool, JdbcOptions.defaults().clock(clock));
    }
}
