package dev.memoria.spi;

import java.util.Map;

/**
 * The JSON that metadata and event data are made of, for backends: an exact codec (a Double is
 * always written with a fraction or an exponent and read back as a Double, an integral number is
 * read back as a Long), the encoded size that the limits count, and the trusted copies a read
 * builds records from. Thread-safe and stateless.
 *
 * <p>Values are {@code null}, {@link Boolean}, {@link String}, {@link Long}, {@link Double},
 * {@link java.util.List} and {@link Map} with String keys: the records have normalised them
 * already when a backend sees them.
 */
public final class Json {
    private Json() {
    }

    /**
     * @param value a normalised JSON value
     * @return its JSON text
     */
    public static String write(Object value) {
        return dev.memoria.internal.Json.write(value);
    }

    /**
     * @param value a normalised JSON value
     * @param plainDecimals whether doubles are written without an exponent where that is exact
     *     (PostgreSQL's {@code jsonb} keeps {@code 1.0} a double only when written so)
     * @return its JSON text
     */
    public static String write(Object value, boolean plainDecimals) {
        return dev.memoria.internal.Json.write(value, plainDecimals);
    }

    /**
     * @param text JSON text
     * @return the value: unmodifiable maps and lists, Long and Double numbers
     * @throws IllegalArgumentException if the text is not JSON, with the offset of the error
     */
    public static Object parse(String text) {
        return dev.memoria.internal.Json.parse(text);
    }

    /**
     * @param text JSON text holding an object
     * @return the object as an unmodifiable map
     */
    public static Map<String, Object> parseObject(String text) {
        return dev.memoria.internal.Json.parseObject(text);
    }

    /**
     * @param value a normalised JSON value
     * @return the size of its JSON encoding in UTF-8 bytes, which the limits count
     */
    public static long encodedSize(Object value) {
        return dev.memoria.internal.Json.encodedSize(value);
    }

    /**
     * Copies stored JSON into an unmodifiable map without re-checking the write-time rules, so
     * that what a store holds stays readable whatever rules wrote it.
     *
     * @param map stored JSON; null means empty
     * @return an unmodifiable deep copy
     */
    public static Map<String, Object> trustedCopy(Map<String, ?> map) {
        return dev.memoria.internal.Json.trustedCopy(map);
    }

    /**
     * @param labels stored labels; null means none
     * @return an unmodifiable copy, not re-checked against the write-time limits
     */
    public static Map<String, String> trustedLabels(Map<String, String> labels) {
        return dev.memoria.internal.Json.trustedLabels(labels);
    }
}
