package dev.memoria.cli;

/** A failure the command explains itself: its message is the one line shown to the user. */
class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CliException(String message) {
        super(message);
    }

    CliException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A command line that cannot work as given (a malformed store URI, say): exit code 2, like picocli's own. */
    static final class Usage extends CliException {
        private static final long serialVersionUID = 1L;

        Usage(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
