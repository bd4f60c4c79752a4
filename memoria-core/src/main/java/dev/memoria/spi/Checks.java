package dev.memoria.spi;

import dev.memoria.Limits;
import dev.memoria.memory.Event;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The argument checks a store makes at each entry point, before touching storage, so that every
 * backend refuses bad input alike: ids, batches of events, compare-and-append expectations. The
 * records and specs check their own fields; these cover the arguments that are not records.
 *
 * <p>Every message names the argument and the rule, for example
 * {@code "events: at most 1000 per append, got 1001"}.
 */
public final class Checks {
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
        return dev.memoria.internal.Checks.id(value, name);
    }

    /**
     * Checks the expectation of a compare-and-append (M11).
     *
     * @param expectedLastSequence the last sequence the caller saw, 0 for an empty log
     * @return it
     */
    public static long expectedSequence(long expectedLastSequence) {
        if (expectedLastSequence < 0) {
            throw new IllegalArgumentException("expectedLastSequence: must not be negative, got " + expectedLastSequence);
        }
        return expectedLastSequence;
    }

    /**
     * Checks a batch of events for one append: no null element, at most
     * {@value Limits#MAX_EVENTS_PER_APPEND} events and {@value Limits#MAX_APPEND_DATA_BYTES} bytes
     * of data and labels (JSON), and no idempotency key twice. Each event was already checked
     * when it was built.
     *
     * @param events the batch
     * @return an unmodifiable copy
     */
    public static List<Event> events(List<Event> events) {
        Objects.requireNonNull(events, "events");
        if (events.size() > Limits.MAX_EVENTS_PER_APPEND) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "events: at most %d per append, got %d", Limits.MAX_EVENTS_PER_APPEND, events.size()));
        }
        List<Event> copy = new ArrayList<>(events.size());
        long bytes = 0;
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < events.size(); i++) {
            Event e = events.get(i);
            if (e == null) {
                throw new NullPointerException("events[" + i + "]");
            }
            if (!keys.add(e.key())) {
                throw new IllegalArgumentException("events[" + i + "]: key '" + shorten(e.key())
                        + "' appears twice in one append");
            }
            bytes += Json.encodedSize(e.data()) + (e.labels().isEmpty() ? 0 : Json.encodedSize(e.labels()));
            if (bytes > Limits.MAX_APPEND_DATA_BYTES) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "events: at most %d bytes of data and labels per append (8 MiB), exceeded at events[%d]",
                        Limits.MAX_APPEND_DATA_BYTES, i));
            }
            copy.add(e);
        }
        return Collections.unmodifiableList(copy);
    }

    /**
     * Shortens a value for a message or a {@code toString}: at most 80 characters, then
     * {@code [...]}.
     *
     * @param value the value, or null
     * @return the shortened value
     */
    public static String shorten(String value) {
        return dev.memoria.internal.Checks.shorten(value);
    }
}
