package dev.memoria.cli;

/** A failure the command explains itself: its message is the one line shown to the user. */
final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CliException(String message) {
        super(message);
    }
}
