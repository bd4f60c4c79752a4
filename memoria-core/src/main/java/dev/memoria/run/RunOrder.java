package dev.memoria.run;

/** How {@link RunStore#list(RunFilter)} orders runs; ties are broken by id. */
public enum RunOrder {
    /** First started first: (startedAt, id) ascending. The default. */
    OLDEST_FIRST,
    /** Most recently started first: (startedAt, id) descending; {@code limit(1)} gives the latest run. */
    NEWEST_FIRST
}
