package dev.memoria.internal;

/** Label names more than one core package reads; the public constants that name them live with their concept. */
public final class Labels {
    /** On a forked session: the id of the session it was forked from (C6, C7). */
    public static final String FORKED_FROM = "memoria.forkedFrom";

    private Labels() {
    }
}
