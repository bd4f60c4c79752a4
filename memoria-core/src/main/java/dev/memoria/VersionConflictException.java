package dev.memoria;

import dev.memoria.internal.Checks;

/**
 * An optimistic update carried a version that is no longer the stored one (S4, R4): another
 * writer got in first, and nothing was written. Re-read and retry, or use {@code update(id, fn)}.
 */
public class VersionConflictException extends ConflictException {
    private static final long serialVersionUID = 1L;
    private final String kind;
    private final String id;
    private final long expectedVersion;
    private final long actualVersion;

    /**
     * @param kind "session" or "run"
     * @param id the record's id
     * @param expectedVersion the version the caller sent
     * @param actualVersion the version stored
     */
    public VersionConflictException(String kind, String id, long expectedVersion, long actualVersion) {
        super(format("version conflict on %s %s: expected %d, stored %d (re-read and retry, or use update(id, fn))",
                kind, Checks.shorten(id), expectedVersion, actualVersion));
        this.kind = kind;
        this.id = id;
        this.expectedVersion = expectedVersion;
        this.actualVersion = actualVersion;
    }

    /** @return "session" or "run" */
    public String kind() {
        return kind;
    }

    /** @return the record's id */
    public String id() {
        return id;
    }

    /** @return the version the caller sent */
    public long expectedVersion() {
        return expectedVersion;
    }

    /** @return the version stored */
    public long actualVersion() {
        return actualVersion;
    }
}
