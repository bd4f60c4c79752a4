package dev.memoria;

import dev.memoria.internal.Checks;
import java.util.Locale;

/**
 * A write lost a race or contradicts what is stored, and nothing was written. Each case has its
 * own subtype with typed accessors:
 * <ul>
 *   <li>{@link VersionConflictException}: a stale version in an optimistic update (S4, R4);
 *       re-read and retry, or use {@code update(id, fn)};</li>
 *   <li>{@link SequenceConflictException}: a compare-and-append whose expectation no longer
 *       holds (M11); it carries the run's real last sequence;</li>
 *   <li>{@link KeyConflictException}: an idempotency key reused with other content (M3).</li>
 * </ul>
 * Other conflicts are plain {@code ConflictException}s: a run ref whose session or agent differs
 * from the one the run's log was started with (M10), a session started again for another user.
 */
public class ConflictException extends MemoriaException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what conflicts with what
     */
    public ConflictException(String message) {
        super(message);
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
    public static VersionConflictException staleVersion(String kind, String id, long expected, long actual) {
        return new VersionConflictException(kind, id, expected, actual);
    }

    /**
     * A compare-and-append whose expected last sequence is not the run's.
     *
     * @param runId the run
     * @param expected the last sequence the caller expected
     * @param actual the run's real last sequence
     * @return the exception
     */
    public static SequenceConflictException sequenceMoved(String runId, long expected, long actual) {
        return new SequenceConflictException(runId, expected, actual);
    }

    /**
     * An idempotency key the run already holds with other content (M3).
     *
     * @param runId the run
     * @param key the key
     * @return the exception
     */
    public static KeyConflictException keyReused(String runId, String key) {
        return new KeyConflictException(runId, key);
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

    static String format(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }
}
