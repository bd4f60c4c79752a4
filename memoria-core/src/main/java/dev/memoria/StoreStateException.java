package dev.memoria;

/**
 * The storage is in a state Memoria's own writes never leave it in: a row changed under a lock
 * Memoria held, a run's head row vanished during an append, a key appeared that was not there a
 * moment before. Something outside Memoria changed the data (a manual edit, another program,
 * a schema changed by hand), or Memoria has a defect: the message names the invariant, and the
 * write that met it did nothing. Not retryable as such: find what else writes to the store.
 */
public class StoreStateException extends MemoriaException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message which invariant did not hold, and where
     */
    public StoreStateException(String message) {
        super(message + " (something other than Memoria changed the data, or this is a defect to report;"
                + " nothing was written)");
    }
}
