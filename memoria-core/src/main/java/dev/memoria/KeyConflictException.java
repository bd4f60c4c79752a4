package dev.memoria;

import dev.memoria.internal.Checks;

/**
 * An append carried an idempotency key the run already holds with other content (M3): a key
 * names one event, so nothing of the batch was written.
 */
public class KeyConflictException extends ConflictException {
    private static final long serialVersionUID = 1L;
    private final String runId;
    private final String key;

    /**
     * @param runId the run
     * @param key the key
     */
    public KeyConflictException(String runId, String key) {
        super("run " + Checks.shorten(runId) + " already holds key '" + Checks.shorten(key)
                + "' with other content (an idempotency key names one event)");
        this.runId = runId;
        this.key = key;
    }

    /** @return the run's id */
    public String runId() {
        return runId;
    }

    /** @return the key */
    public String key() {
        return key;
    }
}
