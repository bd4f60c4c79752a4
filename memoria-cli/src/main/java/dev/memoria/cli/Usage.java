package dev.memoria.cli;

import java.util.function.Supplier;
import java.util.regex.Pattern;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** Turns what a bad argument makes the library refuse into a usage error (exit code 2) naming the option. */
final class Usage {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:@%+=,-]+");

    private Usage() {
    }

    /** Runs a call whose cursor came from the command line: a refused cursor is the option's fault. */
    static <T> T cursor(CommandSpec spec, Supplier<T> call) {
        try {
            return call.get();
        } catch (IllegalArgumentException e) {
            if (String.valueOf(e.getMessage()).startsWith("cursor:")) {
                throw new ParameterException(spec.commandLine(), "--cursor: " + e.getMessage().substring("cursor: ".length()));
            }
            throw e;
        }
    }

    /** Checks a page size given on the command line. */
    static int limit(CommandSpec spec, String option, int limit) {
        if (limit < 1 || limit > dev.memoria.Limits.MAX_PAGE_SIZE) {
            throw new ParameterException(spec.commandLine(), option + ": must be between 1 and "
                    + dev.memoria.Limits.MAX_PAGE_SIZE + ", got " + limit);
        }
        return limit;
    }

    /**
     * Prints the command line of a listing's next page, "More: memoria … --cursor C": under a
     * table on standard output, or on standard error when the listing is JSON Lines, so that the
     * JSON stays clean.
     */
    static void more(CommandSpec spec, boolean json, String nextPageCommand) {
        (json ? spec.commandLine().getErr() : spec.commandLine().getOut()).println("More: " + nextPageCommand);
    }

    /** A value as a shell reads it back: quoted when it holds anything but plain characters. */
    static String quote(String value) {
        return PLAIN.matcher(value).matches() ? value : "'" + value.replace("'", "'\\''") + "'";
    }
}
