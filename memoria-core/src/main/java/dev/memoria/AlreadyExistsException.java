package dev.memoria;

import dev.memoria.internal.Checks;

/**
 * A create named an id that is already stored (contract S2). The stored record is unchanged.
 */
public class AlreadyExistsException extends MemoriaException {
    private static final long serialVersionUID = 1L;
    private final String kind;
    private final String id;

    /**
     * @param kind what was created: "session", "run"
     * @param id the id that is already taken
     */
    public AlreadyExistsException(String kind, String id) {
        super(kind + " " + Checks.shorten(id) + " already exists");
        this.kind = kind;
        this.id = id;
    }

    /** @return what was created, such as "session" or "run" */
    public String kind() {
        return kind;
    }

    /** @return the id that is already taken */
    public String id() {
        return id;
    }
}
