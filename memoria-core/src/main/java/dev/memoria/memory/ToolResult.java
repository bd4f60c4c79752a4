package dev.memoria.memory;

/**
 * The typed view of a TOOL_RESULT event's data, from {@link MemoryEvent#toolResult()}.
 *
 * @param callId the call this answers; null if the stored data has none
 * @param tool the tool's name; null if the stored data has none
 * @param result any JSON value
 * @param isError whether the tool failed
 */
public record ToolResult(String callId, String tool, Object result, boolean isError) {
}
