package dev.memoria.fact;

import dev.memoria.internal.Checks;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Where a fact lives: 1 to {@value #MAX_SEGMENTS} non-blank segments, such as
 * {@code ["users", "ada"]}. Queries name a prefix and find the facts of that namespace and of those
 * below it; {@link #ROOT}, with no segment, is the prefix of every namespace (for listings and
 * exports; a fact never lives there).
 *
 * <p>Its {@link #path()} is the segments joined by {@code /}, each with {@code %} and {@code /}
 * escaped, so that a prefix is a string prefix followed by {@code /}: how backends index it.
 *
 * @param segments the segments, outermost first
 */
public record Namespace(List<String> segments) {
    /** The most segments a namespace has. */
    public static final int MAX_SEGMENTS = 8;
    /** The most characters of one segment. */
    public static final int MAX_SEGMENT_LENGTH = 255;
    /**
     * The most bytes of a namespace's {@link #path()} in UTF-8: with a 255-character key it still
     * fits in one entry of every backend's index (PostgreSQL's B-tree takes about 2.7 KB).
     */
    public static final int MAX_PATH_BYTES = 1024;
    /** The prefix of every namespace. */
    public static final Namespace ROOT = new Namespace(List.of());

    /** Checks every segment and copies the list. */
    public Namespace {
        Objects.requireNonNull(segments, "namespace");
        if (segments.size() > MAX_SEGMENTS) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "namespace: at most %d segments, got %d",
                    MAX_SEGMENTS, segments.size()));
        }
        for (int i = 0; i < segments.size(); i++) {
            String segment = Objects.requireNonNull(segments.get(i), "namespace segment");
            Checks.id(segment, "namespace segment " + (i + 1));
        }
        segments = List.copyOf(segments);
        int bytes = String.join("/", segments).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes > MAX_PATH_BYTES) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "namespace: at most %d bytes of UTF-8 in all,"
                    + " got %d", MAX_PATH_BYTES, bytes));
        }
    }

    /**
     * @param segments 1 to {@value #MAX_SEGMENTS} segments, outermost first
     * @return the namespace
     */
    public static Namespace of(String... segments) {
        Objects.requireNonNull(segments, "namespace");
        return new Namespace(List.of(segments));
    }

    /**
     * Reads a {@link #path()} back, or a namespace typed as {@code users/ada}.
     *
     * @param path segments joined by {@code /}, with {@code %2F} for a slash inside a segment and
     *     {@code %25} for a percent sign; the empty string is {@link #ROOT}
     * @return the namespace
     */
    public static Namespace parse(String path) {
        Objects.requireNonNull(path, "namespace");
        if (path.isEmpty()) {
            return ROOT;
        }
        List<String> segments = new ArrayList<>();
        for (String part : path.split("/", -1)) {
            segments.add(unescape(part));
        }
        return new Namespace(segments);
    }

    /** @return whether this is {@link #ROOT} */
    public boolean isRoot() {
        return segments.isEmpty();
    }

    /**
     * @param segment the segment to add
     * @return the namespace one level below this one
     */
    public Namespace child(String segment) {
        List<String> more = new ArrayList<>(segments);
        more.add(segment);
        return new Namespace(more);
    }

    /**
     * @param prefix a namespace
     * @return whether this namespace is {@code prefix} or lies below it
     */
    public boolean isWithin(Namespace prefix) {
        return segments.size() >= prefix.segments.size() && segments.subList(0, prefix.segments.size()).equals(prefix.segments);
    }

    /** @return the segments joined by {@code /}, escaped; empty for {@link #ROOT} */
    public String path() {
        StringBuilder b = new StringBuilder();
        for (String segment : segments) {
            if (b.length() > 0) {
                b.append('/');
            }
            b.append(segment.replace("%", "%25").replace("/", "%2F"));
        }
        return b.toString();
    }

    /**
     * Checks that facts can live here.
     *
     * @return this namespace
     * @throws IllegalArgumentException for {@link #ROOT}
     */
    Namespace requireSegments() {
        if (isRoot()) {
            throw new IllegalArgumentException("namespace: a fact needs 1 to " + MAX_SEGMENTS + " segments, got none");
        }
        return this;
    }

    private static String unescape(String part) {
        StringBuilder b = new StringBuilder(part.length());
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (c == '%' && i + 2 < part.length()) {
                String code = part.substring(i + 1, i + 3);
                if (code.equalsIgnoreCase("25")) {
                    b.append('%');
                    i += 2;
                    continue;
                }
                if (code.equalsIgnoreCase("2F")) {
                    b.append('/');
                    i += 2;
                    continue;
                }
            }
            b.append(c);
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return isRoot() ? "(root)" : path();
    }
}
