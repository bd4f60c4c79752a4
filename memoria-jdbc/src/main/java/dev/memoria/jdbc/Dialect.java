package dev.memoria.jdbc;

/** The SQL databases {@code memoria-jdbc} supports. */
public enum Dialect {
    /** SQLite 3.35 or later (the embedded default). */
    SQLITE,
    /** PostgreSQL 12 or later. */
    POSTGRESQL
}
