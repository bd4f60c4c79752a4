package dev.memoria;

/**
 * The backend could not do the operation: a driver, network or I/O failure, a locked or corrupt
 * database file. The cause is kept. {@link #retryable()} says whether the same call may succeed
 * later (a busy database, a dropped connection) or needs someone to act (a corrupt file, a schema
 * newer than the code, bad credentials).
 */
public class StoreUnavailableException extends MemoriaException {
    private static final long serialVersionUID = 1L;
    private final boolean retryable;

    /**
     * @param message what failed and, where known, what to do
     * @param cause the driver's or the I/O layer's exception
     * @param retryable whether retrying the same call may help
     */
    public StoreUnavailableException(String message, Throwable cause, boolean retryable) {
        super(message, cause);
        this.retryable = retryable;
    }

    /** @return whether retrying the same call may help */
    public boolean retryable() {
        return retryable;
    }
}
