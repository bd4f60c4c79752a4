package dev.memoria;

import dev.memoria.internal.Checks;

/**
 * The record an operation needs does not exist, for example {@code update} of an unknown session
 * (contract S5) or a run created for an unknown session (X2).
 */
public class NotFoundException extends MemoriaException {
    private static final long serialVersionUID = 1L;
    private final String kind;
    private final String id;

    /**
     * @param kind what was looked for: "session", "run"
     * @param id the id that was not found
     */
    public NotFoundException(String kind, String id) {
        super(kind + " " + Checks.shorten(id) + " not found");
        this.kind = kind;
        this.id = id;
    }

    /** @return what was looked for, such as "session" or "run" */
    public String kind() {
        return kind;
    }

    /** @return the id that was not found */
    public String id() {
        return id;
    }
}
