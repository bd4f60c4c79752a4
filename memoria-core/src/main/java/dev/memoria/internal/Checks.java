package dev.memoria.internal;

import dev.memoria.Limits;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The value rules of ids, labels and text, written once: the records, specs and filters apply
 * them, and {@link dev.memoria.internal.Checks} offers them to backends. Every message names the
 * argument and the rule, for example {@code "labels: at most 64 entries, got 65"}.
 *
 * <p>Not an API: this package may change in any release. Backend authors use {@code dev.memoria.spi}.
 */
public final class Checks {
    private static final int SHORTEN_AT = 80;

    private Checks() {
    }

    /**
     * Checks an id: 1 to {@value Limits#MAX_ID_LENGTH} characters, not blank, no control
     * characters.
     *
     * @param value the id
     * @param name the argument's name, for the message
     * @return the id
     * @throws NullPointerException if {@code value} is null
     * @throws IllegalArgumentException if it breaks a rule
     */
    public static String id(String value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isEmpty() || value.isBlank()) {
            throw new IllegalArgumentException(name + ": must not be blank");
        }
        if (value.length() > Limits.MAX_ID_LENGTH) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%s: at most %d characters, got %d", name, Limits.MAX_ID_LENGTH, value.length()));
        }
        noControlCharacters(value, name);
        return value;
    }

    /**
     * Like {@link #id(String, String)}, but null is allowed.
     *
     * @param value the id, or null
     * @param name the argument's name
     * @return the id or null
     */
    public static String optionalId(String value, String name) {
        return value == null ? null : id(value, name);
    }

    /**
     * Checks that a string has no control characters (U+0000–U+001F, U+007F–U+009F) and is
     * well-formed UTF-16.
     *
     * @param value the string
     * @param name the argument's name
     * @return the string
     */
    public static String noControlCharacters(String value, String name) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c)) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "%s: must not contain control characters (found U+%04X at index %d)", name, (int) c, i));
            }
        }
        return wellFormed(value, name);
    }

    /**
     * Checks free text (labels values, error messages, event text): any Unicode but NUL, and no
     * unpaired surrogate, which no backend can store faithfully.
     *
     * @param value the text
     * @param name the argument's name
     * @return the text
     */
    public static String text(String value, String name) {
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(name + ": must not contain the NUL character (U+0000) at index "
                    + value.indexOf('\0'));
        }
        return wellFormed(value, name);
    }

    private static String wellFormed(String value, String name) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "%s: unpaired UTF-16 surrogate U+%04X at index %d is not valid Unicode text", name, (int) c, i));
            }
        }
        return value;
    }

    /**
     * Checks optional free text with a maximum length.
     *
     * @param value the text, or null
     * @param name the argument's name
     * @param maxLength the longest allowed, in characters
     * @return the text or null
     */
    public static String optionalText(String value, String name, int maxLength) {
        if (value == null) {
            return null;
        }
        if (value.length() > maxLength) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%s: at most %d characters, got %d", name, maxLength, value.length()));
        }
        return text(value, name);
    }

    /**
     * Checks and copies labels: at most {@value Limits#MAX_LABELS} entries, keys 1 to
     * {@value Limits#MAX_LABEL_KEY_LENGTH} characters without control characters, values at most
     * {@value Limits#MAX_LABEL_VALUE_LENGTH} characters without NUL.
     *
     * @param labels the labels; null means none
     * @param name the argument's name
     * @return an unmodifiable copy that keeps the given order
     */
    public static Map<String, String> labels(Map<String, String> labels, String name) {
        if (labels == null || labels.isEmpty()) {
            return Map.of();
        }
        if (labels.size() > Limits.MAX_LABELS) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%s: at most %d entries, got %d", name, Limits.MAX_LABELS, labels.size()));
        }
        Map<String, String> copy = new LinkedHashMap<>(labels.size() * 2);
        for (Map.Entry<String, String> e : labels.entrySet()) {
            String key = e.getKey();
            if (key == null) {
                throw new NullPointerException(name + ": a key is null");
            }
            String where = name + "[" + shorten(key) + "]";
            if (key.isEmpty()) {
                throw new IllegalArgumentException(name + ": a key is empty");
            }
            if (key.length() > Limits.MAX_LABEL_KEY_LENGTH) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "%s: key at most %d characters, got %d", where, Limits.MAX_LABEL_KEY_LENGTH, key.length()));
            }
            noControlCharacters(key, name + " key");
            String value = e.getValue();
            if (value == null) {
                throw new NullPointerException(where + ": value is null");
            }
            if (value.length() > Limits.MAX_LABEL_VALUE_LENGTH) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "%s: value at most %d characters, got %d", where, Limits.MAX_LABEL_VALUE_LENGTH, value.length()));
            }
            text(value, where);
            copy.put(key, value);
        }
        return Collections.unmodifiableMap(copy);
    }

    /**
     * Checks a page size: 1 to {@value Limits#MAX_PAGE_SIZE}.
     *
     * @param limit the page size
     * @param name the argument's name
     * @return the page size
     */
    public static int pageSize(int limit, String name) {
        if (limit < 1 || limit > Limits.MAX_PAGE_SIZE) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%s: must be between 1 and %d, got %d", name, Limits.MAX_PAGE_SIZE, limit));
        }
        return limit;
    }

    /**
     * Shortens a value for a message or a {@code toString}: at most 80 characters, then
     * {@code [...]}.
     *
     * @param value the value, or null
     * @return the shortened value
     */
    public static String shorten(String value) {
        if (value == null) {
            return "null";
        }
        return value.length() <= SHORTEN_AT ? value : value.substring(0, SHORTEN_AT) + "[...]";
    }
}
