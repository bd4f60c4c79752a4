package dev.memoria.memory;

/** What an event in a run's memory records. */
public enum EventType {
    /** A message from the user; data {@code text}. */
    USER_MESSAGE,
    /** A message from the assistant; data {@code text}. */
    ASSISTANT_MESSAGE,
    /** The agent asked for a tool; data {@code callId}, {@code tool}, {@code arguments}. */
    TOOL_CALL,
    /** A tool's answer; data {@code callId}, {@code tool}, {@code result}, {@code isError}. */
    TOOL_RESULT,
    /** A planner's note; data {@code text}. */
    PLANNER_NOTE,
    /** The model's reasoning; data {@code text}. */
    THINKING;

    /** @return whether events of this type carry a {@code text} field */
    public boolean isText() {
        return this != TOOL_CALL && this != TOOL_RESULT;
    }
}
