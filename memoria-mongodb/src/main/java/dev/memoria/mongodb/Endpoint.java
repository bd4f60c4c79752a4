package dev.memoria.mongodb;

import dev.memoria.spi.Uris;
import java.util.List;
import java.util.Objects;

/**
 * What the stores know about where their server is, for messages: the hosts and the effective
 * {@code serverSelectionTimeoutMS} of the connection string Memoria opened, or nothing for a
 * client the user built (a {@code MongoDatabase} does not tell which hosts or timeout its client has).
 *
 * @param hosts the connection string's hosts, empty for a user's client
 * @param serverSelectionTimeoutMillis how long an operation waits for a server, or -1 if unknown
 * @param uri the connection string, kept only to mask its credentials in messages; null for a user's client
 */
record Endpoint(List<String> hosts, long serverSelectionTimeoutMillis, String uri) {
    Endpoint {
        hosts = List.copyOf(Objects.requireNonNull(hosts, "hosts"));
    }

    /** @return the endpoint of a client the user built and configured */
    static Endpoint usersClient() {
        return new Endpoint(List.of(), -1, null);
    }

    /**
     * @return why an operation gave up waiting for a server, naming the hosts, the time waited
     *     and the setting that controls it
     */
    String unreachable() {
        if (hosts.isEmpty() || serverSelectionTimeoutMillis < 0) {
            return "no MongoDB server answered within the client's serverSelectionTimeoutMS"
                    + " (is the server running and reachable from here?)";
        }
        return "no MongoDB server answered at " + String.join(",", hosts) + " within " + serverSelectionTimeoutMillis
                + " ms (serverSelectionTimeoutMS; raise it in the URI to wait longer)";
    }

    /**
     * @param text a message that may quote the connection string
     * @return the text with the connection string's credentials masked
     */
    String redact(String text) {
        return uri == null ? text : Uris.redactIn(text, uri);
    }
}
