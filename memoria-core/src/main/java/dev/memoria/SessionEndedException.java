package dev.memoria;

import dev.memoria.internal.Checks;

/**
 * The session is ENDED and therefore read-only (S6): it cannot be updated, and no run can be
 * created or executed in it (X2, A4). Start a new session instead.
 */
public class SessionEndedException extends MemoriaException {
    private static final long serialVersionUID = 1L;
    private final String sessionId;

    /** @param sessionId the ended session */
    public SessionEndedException(String sessionId) {
        super("session " + Checks.shorten(sessionId) + " has ended and is read-only (start a new session)");
        this.sessionId = sessionId;
    }

    /** @return the ended session's id */
    public String sessionId() {
        return sessionId;
    }
}
