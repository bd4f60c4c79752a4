package dev.memoria.testservers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Keeps the README's code true: a test marks the lines it runs ({@code // name:start} …
 * {@code // name:end}), the README marks the same lines ({@code <!-- name:start -->} …), and the
 * test compares the two blocks.
 */
public final class Snippets {
    private Snippets() {
    }

    /** @return the README.md of the repository, read from a module's directory (the tests' working directory) */
    public static String readme() {
        return read(Path.of(System.getProperty("user.dir")).getParent().resolve("README.md"));
    }

    /**
     * @param relative a path from the module's directory, such as {@code src/test/java/...}
     * @return the file's text
     */
    public static String moduleFile(String relative) {
        return read(Path.of(System.getProperty("user.dir")).resolve(relative));
    }

    /**
     * @param readme the README's text
     * @param name the snippet's name
     * @return the README's lines between {@code <!-- name:start -->} and {@code <!-- name:end -->}
     */
    public static String inReadme(String readme, String name) {
        return block(readme, "<!-- " + name + ":start -->", "<!-- " + name + ":end -->");
    }

    /**
     * @param source a test's source
     * @param name the snippet's name
     * @return the source's lines between {@code // name:start} and {@code // name:end}
     */
    public static String inSource(String source, String name) {
        return block(source, "// " + name + ":start", "// " + name + ":end");
    }

    /**
     * The lines between two markers, without their common indentation, the code fences and the
     * blank lines at either end.
     *
     * @param text where to look
     * @param start the opening marker
     * @param end the closing marker
     * @return the block
     * @throws IllegalArgumentException if a marker is missing
     */
    public static String block(String text, String start, String end) {
        int from = text.indexOf(start);
        int to = from < 0 ? -1 : text.indexOf(end, from);
        if (from < 0 || to < 0) {
            throw new IllegalArgumentException("no block between '" + start + "' and '" + end + "'");
        }
        List<String> lines = Arrays.stream(text.substring(from + start.length(), to).split("\n"))
                .filter(l -> !l.strip().startsWith("```")).collect(Collectors.toCollection(ArrayList::new));
        while (!lines.isEmpty() && lines.get(0).isBlank()) {
            lines.remove(0);
        }
        while (!lines.isEmpty() && lines.get(lines.size() - 1).isBlank()) {
            lines.remove(lines.size() - 1);
        }
        int indent = lines.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        return lines.stream().map(l -> l.isBlank() ? "" : l.substring(indent)).collect(Collectors.joining("\n"));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
