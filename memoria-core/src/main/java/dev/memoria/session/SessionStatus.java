package dev.memoria.session;

/** The lifecycle of a session: ACTIVE until it is ended, then ENDED and read-only for good. */
public enum SessionStatus {
    /** Open for new runs and updates. */
    ACTIVE,
    /** Closed: read-only, no new runs. */
    ENDED
}
