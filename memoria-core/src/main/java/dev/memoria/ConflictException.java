package dev.memoria;

import dev.memoria.spi.Checks;

/**
 * A write lost a race or contradicts what is stored, and nothing was written. Three cases:
 * <ul>
 *   <li>a stale version in an optimistic update (S4, R4): {@link #expectedVersion()} and
 *       {@link #actualVersion()} say which; re-read and retry, or use {@code update(id, fn)};</li>
 *   <li>a compare-and-append whose expectation no longer holds (M11):
 *       {@link #actualLastSequence()} is the run's real last sequence;</li>
 *   <li>an idempotency key reused with other content, or a run ref whose session or agent differs
 *       from the one the run's log was started with (M3, M10).</li>
 * </ul>
 * Accessors that do not apply to the case return {@code -1}.
 */
public class ConflictException extends MemoriaException {
    private static final long serialVersionUID = 1L;
    private final long expectedVersion;
    private final long actualVersion;
    private final long actualLastSequence;

    /**
     * A conflict that carries no numbers, such as a reused idempotency key.
     *
     * @param message what conflicts with what
     */
    public ConflictException(String message) {
        this(message, -1, -1, -1);
    }

    private ConflictException(String message, long expectedVersion, long actualVersion, long actualLastSequence) {
        super(message);
        this.expectedVersion = expectedVersion;
        this.actualVersion = actualVersion;
        this.actualLastSequence = actualLastSequence;
    }

    /**
     * A stale version in an optimistic update.
     *
     * @param kind "session" or "run"
     * @param id the record's id
     * @param expected the version the caller sent
     * @param actual the version stored
     * @return the exception
     */
    public static ConflictException staleVersion(String kind, String id, long expected, long actual) {
        return new ConflictException(String.format(java.util.Locale.ROOT,
                "version conflict on %s %s: expected %d, stored %d (re-read and retry, or use update(id, fn))",
                kind, Checks.shorten(id), expected, actual), expected, actual, -1);
    }

    /**
     * A compare-and-append whose expected last sequence is not the run's.
     *
     * @param runId the run
     * @param expected the last sequence the caller expected
     * @param actual the run's real last sequence
     * @return the exception
     */
    public static ConflictException sequenceMoved(String runId, long expected, long actual) {
        return new ConflictException(String.format(java.util.Locale.ROOT,
                "append conflict on run %s: expected last sequence %d, actual %d",
                Checks.shorten(runId), expected, actual), -1, -1, actual);
    }

    /**
     * An idempotency key the run already holds with other content (M3).
     *
     * @param runId the run
     * @param key the key
     * @return the exception
     */
    public static ConflictException keyReused(String runId, String key) {
        return new ConflictException("run " + Checks.shorten(runId) + " already holds key '" + Checks.shorten(key)
                + "' with other content (an idempotency key names one event)");
    }

    /**
     * A ref that names a run whose log was started under another session or agent (M10).
     *
     * @param ref the ref given
     * @param sessionId the session the run's log belongs to
     * @param agentId the agent the run's log belongs to
     * @return the exception
     */
    public static ConflictException foreignRun(dev.memoria.run.RunRef ref, String sessionId, String agentId) {
        return new ConflictException("run " + Checks.shorten(ref.runId()) + " belongs to session " + Checks.shorten(sessionId)
                + " and agent " + Checks.shorten(agentId) + ", not to " + ref);
    }

    /** @return the version the caller sent, or -1 if this is not a version conflict */
    public long expectedVersion() {
        return expectedVersion;
    }

    /** @return the version stored, or -1 if this is not a version conflict */
    public long actualVersion() {
        return actualVersion;
    }

    /** @return the run's real last sequence for a failed compare-and-append, or -1 */
    public long actualLastSequence() {
        return actualLastSequence;
    }
}
