package dev.memoria.jdbc;

/** How hard SQLite works to keep an acknowledged write across a power loss. */
public enum Durability {
    /**
     * {@code synchronous=FULL} (the default): every acknowledged write survives a crash of the
     * process and a power loss.
     */
    FULL,
    /**
     * {@code synchronous=NORMAL}: an acknowledged write survives a crash of the process, but the
     * last ones may be lost on a power loss. Faster.
     */
    NORMAL
}
