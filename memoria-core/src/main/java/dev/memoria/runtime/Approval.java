package dev.memoria.runtime;

import dev.memoria.internal.Checks;
import java.util.Objects;

/**
 * A decision on a tool call that waits for approval (A7), given to
 * {@link AgentRuntime#resume(String, Agent, Approval)} and stored as an
 * {@link dev.memoria.memory.EventType#APPROVAL} event of the run: who decided, when (the event's
 * time) and why.
 *
 * @param granted whether the tool may run
 * @param by who decided: a user id, an operator's name, a policy's id
 * @param reason why, or an empty string
 */
public record Approval(boolean granted, String by, String reason) {
    /** Checks who decided and the reason. */
    public Approval {
        Checks.id(by, "by");
        Objects.requireNonNull(reason, "reason");
        if (reason.length() > dev.memoria.Limits.MAX_ERROR_LENGTH) {
            throw new IllegalArgumentException("reason: at most " + dev.memoria.Limits.MAX_ERROR_LENGTH
                    + " characters, got " + reason.length());
        }
    }

    /**
     * @param by who decided
     * @return a grant without a stated reason
     */
    public static Approval grant(String by) {
        return new Approval(true, by, "");
    }

    /**
     * @param by who decided
     * @param reason why not; stored in the denied call's error result ("denied: reason")
     * @return a denial
     */
    public static Approval deny(String by, String reason) {
        return new Approval(false, by, reason);
    }
}
