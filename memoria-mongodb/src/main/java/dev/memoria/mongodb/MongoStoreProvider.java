package dev.memoria.mongodb;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import dev.memoria.Stores;
import dev.memoria.spi.StoreProvider;
import dev.memoria.spi.Uris;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Opens {@code mongodb://HOST[:PORT]/DATABASE[?options]} (and {@code mongodb+srv://}) through
 * {@link Stores#open(String)}; closing the stores closes the client it created.
 *
 * <p>Memoria's own option is {@code prefix} (the collection prefix, default {@code memoria_}); it
 * is taken out of the URI before the driver sees it. {@code durability} and {@code create}, which
 * SQLite URIs take, are refused by name. Every other option goes to the driver as it is: the
 * driver ignores an option it does not know (it only logs a warning), and offers no public way to
 * tell which options it knows, so Memoria cannot refuse a misspelt driver option for it.
 *
 * <p>An operation waits for a server at most the URI's {@code serverSelectionTimeoutMS} (the
 * driver's default is 30 s); when none answers, the message names the hosts, the time waited and
 * that setting. Messages never show the URI's credentials.
 */
public final class MongoStoreProvider implements StoreProvider {
    private static final List<String> SQLITE_OPTIONS = List.of("durability", "create");

    /** Called by {@link java.util.ServiceLoader}. */
    public MongoStoreProvider() {
    }

    @Override
    public List<String> schemes() {
        return List.of("mongodb:", "mongodb+srv:");
    }

    @Override
    public Stores open(String uri, Clock clock) {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(clock, "clock");
        MongoOptions options = MongoOptions.defaults().clock(clock);
        String prefix = null;
        int query = uri.indexOf('?');
        String driverUri = uri;
        if (query >= 0) {
            List<String> passed = new ArrayList<>();
            for (String option : uri.substring(query + 1).split("[&;]")) {
                if (option.isEmpty()) {
                    continue;
                }
                int equals = option.indexOf('=');
                String rawName = equals < 0 ? option : option.substring(0, equals);
                String name = decode(rawName, rawName).toLowerCase(Locale.ROOT);
                if (name.equals("prefix")) {
                    if (prefix != null) {
                        throw new IllegalArgumentException("uri: option 'prefix' is given twice");
                    }
                    prefix = equals < 0 ? "" : decode(option.substring(equals + 1), "prefix");
                } else if (SQLITE_OPTIONS.contains(name)) {
                    throw new IllegalArgumentException("uri: option '" + name + "' applies to SQLite stores only"
                            + " (Memoria's options on mongodb: URIs: prefix)");
                } else {
                    passed.add(option);
                }
            }
            driverUri = uri.substring(0, query) + (passed.isEmpty() ? "" : "?" + String.join("&", passed));
        }
        if (prefix != null) {
            try {
                options = options.collectionPrefix(prefix);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("uri: option 'prefix': " + e.getMessage(), e);
            }
        }
        ConnectionString connection;
        try {
            connection = new ConnectionString(driverUri);
        } catch (IllegalArgumentException e) {
            // the driver's message may quote the URI, and a bad %-escape's message quotes the two
            // characters after the '%', which may be part of a password: neither is shown
            String driverMessage = String.valueOf(e.getMessage());
            String message = driverMessage.startsWith("URLDecoder:")
                    ? "a %-escape in it is invalid (write a % sign as %25)" : Uris.redactIn(driverMessage, uri);
            throw new IllegalArgumentException("uri: not a MongoDB connection string: " + message,
                    message.equals(driverMessage) ? e : null);
        }
        if (connection.getDatabase() == null || connection.getDatabase().isBlank()) {
            throw new IllegalArgumentException("uri: name the database, as in mongodb://localhost:27017/memoria");
        }
        MongoClientSettings settings = MongoClientSettings.builder().applyConnectionString(connection).build();
        Endpoint endpoint = new Endpoint(connection.getHosts(),
                settings.getClusterSettings().getServerSelectionTimeout(TimeUnit.MILLISECONDS), uri);
        MongoClient client = MongoClients.create(settings);
        try {
            return MongoStores.create(client.getDatabase(connection.getDatabase()), options, endpoint, client::close);
        } catch (RuntimeException | Error e) {
            client.close();
            throw e;
        }
    }

    /** Decodes a name or value of an option Memoria reads; {@code option} names it in the message (never a value). */
    private static String decode(String text, String option) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("uri: option '" + option + "' is not URL-encoded correctly (" + e.getMessage() + ")");
        }
    }
}
