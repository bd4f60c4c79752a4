package dev.memoria.spi;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * Opaque keyset cursors, written once for every backend. A cursor carries the sort key of the last
 * item of a page, the kind of listing it belongs to, a fingerprint of the query's filters, and a
 * checksum. A cursor that was altered, or that belongs to another listing or another filter, is
 * refused with {@link IllegalArgumentException}: it can never produce a wrong page.
 *
 * <p>The checksum guards against accidents (a truncated copy, a cursor pasted into the wrong
 * query), not against a forger: a forged cursor can only name a position in a listing its holder
 * could read anyway.
 */
public final class Cursors {
    private static final String VERSION = "c1";
    private static final char SEP = '\u001f';
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private Cursors() {
    }

    /**
     * Builds a cursor.
     *
     * @param kind the listing, such as "sessions" or "run-events"
     * @param scope a canonical description of the query's filters; a cursor only resumes a query
     *     with the same scope
     * @param keys the sort key of the last item returned (no control characters)
     * @return the opaque cursor
     */
    public static String encode(String kind, String scope, String... keys) {
        StringBuilder payload = new StringBuilder(VERSION).append(SEP).append(kind).append(SEP).append(fingerprint(scope));
        for (String key : keys) {
            payload.append(SEP).append(key);
        }
        byte[] body = payload.toString().getBytes(StandardCharsets.UTF_8);
        byte[] mac = checksum(body);
        byte[] all = Arrays.copyOf(body, body.length + mac.length);
        System.arraycopy(mac, 0, all, body.length, mac.length);
        return ENCODER.encodeToString(all);
    }

    /**
     * Reads a cursor back.
     *
     * @param cursor the cursor a page returned
     * @param kind the listing it must belong to
     * @param scope the query's canonical filters, which must match those it was made with
     * @param keyCount how many sort-key parts it must hold
     * @return the sort key parts
     * @throws IllegalArgumentException if the cursor is malformed, altered, or from another
     *     listing or filter
     */
    public static List<String> decode(String cursor, String kind, String scope, int keyCount) {
        Objects.requireNonNull(cursor, "cursor");
        byte[] all;
        try {
            all = DECODER.decode(cursor);
        } catch (IllegalArgumentException e) {
            throw invalid("not a Memoria cursor");
        }
        if (all.length < 9) {
            throw invalid("not a Memoria cursor");
        }
        byte[] body = Arrays.copyOf(all, all.length - 8);
        byte[] mac = Arrays.copyOfRange(all, all.length - 8, all.length);
        if (!MessageDigest.isEqual(mac, checksum(body))) {
            throw invalid("it was altered or truncated");
        }
        String[] parts = new String(body, StandardCharsets.UTF_8).split(String.valueOf(SEP), -1);
        if (parts.length != 3 + keyCount || !VERSION.equals(parts[0])) {
            throw invalid("unsupported cursor format");
        }
        if (!kind.equals(parts[1])) {
            throw invalid("it belongs to a listing of " + parts[1] + ", not of " + kind);
        }
        if (!fingerprint(scope).equals(parts[2])) {
            throw invalid("it was made for a query with other filters");
        }
        return List.of(Arrays.copyOfRange(parts, 3, parts.length));
    }

    /**
     * Reads a numeric sort-key part of a decoded cursor.
     *
     * @param part a part returned by {@link #decode}
     * @return its value
     * @throws IllegalArgumentException if it is not a number
     */
    public static long number(String part) {
        try {
            return Long.parseLong(part);
        } catch (NumberFormatException e) {
            throw invalid("unsupported cursor format");
        }
    }

    /**
     * Turns the result of a query for {@code limit + 1} items into a page whose cursor is null
     * exactly on the last page: the extra item only says that another page exists.
     *
     * @param limitPlusOne up to {@code limit + 1} items in listing order
     * @param limit the page size
     * @param cursorOf makes the cursor of the page's last item
     * @param <T> the item type
     * @return the page
     */
    public static <T> dev.memoria.Page<T> page(List<T> limitPlusOne, int limit, java.util.function.Function<T, String> cursorOf) {
        if (limitPlusOne.size() <= limit) {
            return new dev.memoria.Page<>(limitPlusOne, null);
        }
        List<T> items = limitPlusOne.subList(0, limit);
        return new dev.memoria.Page<>(items, cursorOf.apply(items.get(limit - 1)));
    }

    private static IllegalArgumentException invalid(String why) {
        return new IllegalArgumentException("cursor: invalid, " + why
                + " (pass the nextCursor of a page of this same query)");
    }

    private static String fingerprint(String scope) {
        byte[] d = sha256(scope.getBytes(StandardCharsets.UTF_8));
        return ENCODER.encodeToString(Arrays.copyOf(d, 9));
    }

    private static byte[] checksum(byte[] body) {
        byte[] salted = Arrays.copyOf("memoria-cursor:".getBytes(StandardCharsets.UTF_8), 15 + body.length);
        System.arraycopy(body, 0, salted, 15, body.length);
        return Arrays.copyOf(sha256(salted), 8);
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
