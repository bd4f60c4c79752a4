package dev.memoria.testkit;

/**
 * Measures how much a backend reads to answer a query, in the backend's own unit (events
 * examined, rows a plan visits, documents returned). Contract M7 compares the work of the same
 * query on a short and a very long run: it must not grow with the run.
 */
@FunctionalInterface
public interface WorkMeter {
    /**
     * @param read a read against the stores under test
     * @return the work it did
     */
    long workOf(Runnable read);
}
