package dev.memoria;

/**
 * The size limits every store enforces, alike on every backend. Each is checked before anything
 * is written, and a value over a limit is an {@link IllegalArgumentException} whose message names
 * the field and the limit.
 */
public final class Limits {
    /** Longest id (sessions, runs, agents, users, event keys): 255 characters. */
    public static final int MAX_ID_LENGTH = 255;
    /** Most labels on one session, run or event: 64. */
    public static final int MAX_LABELS = 64;
    /** Longest label key: 128 characters. */
    public static final int MAX_LABEL_KEY_LENGTH = 128;
    /** Longest label value: 1,024 characters. */
    public static final int MAX_LABEL_VALUE_LENGTH = 1024;
    /** Largest metadata of a session or run: 64 KiB of JSON (UTF-8). */
    public static final int MAX_METADATA_BYTES = 64 * 1024;
    /** Largest data of one event: 1 MiB of JSON (UTF-8). */
    public static final int MAX_EVENT_DATA_BYTES = 1024 * 1024;
    /** Most events in one append: 1,000. */
    public static final int MAX_EVENTS_PER_APPEND = 1000;
    /**
     * Largest total event data and labels in one append: 8 MiB of JSON, so that every backend
     * accepts the same batches and a batch always fits one MongoDB document.
     */
    public static final int MAX_APPEND_DATA_BYTES = 8 * 1024 * 1024;
    /** Deepest nesting of maps and lists in metadata and event data: 64 levels. */
    public static final int MAX_JSON_DEPTH = 64;
    /** Longest error message of a failed run: 16,384 characters. */
    public static final int MAX_ERROR_LENGTH = 16 * 1024;
    /** Largest page a list or read may ask for: 1,000 items. */
    public static final int MAX_PAGE_SIZE = 1000;
    /** Page size when none is given: 100 items. */
    public static final int DEFAULT_PAGE_SIZE = 100;

    private Limits() {
    }
}
