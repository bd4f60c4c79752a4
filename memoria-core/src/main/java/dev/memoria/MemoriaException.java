package dev.memoria;

/**
 * Root of every exception Memoria throws on purpose. All are unchecked: a storage failure is
 * rarely something the immediate caller can repair, and the subtypes say what happened.
 *
 * <p>Bad arguments are not {@code MemoriaException}s: they are {@link IllegalArgumentException}
 * or {@link NullPointerException} with a message naming the argument and the rule it broke.
 */
public class MemoriaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what happened, for a human
     */
    public MemoriaException(String message) {
        super(message);
    }

    /**
     * @param message what happened, for a human
     * @param cause the underlying failure, kept for diagnosis
     */
    public MemoriaException(String message, Throwable cause) {
        super(message, cause);
    }
}
