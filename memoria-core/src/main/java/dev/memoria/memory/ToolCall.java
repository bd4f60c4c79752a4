package dev.memoria.memory;

import java.util.Map;

/**
 * The typed view of a TOOL_CALL event's data, from {@link MemoryEvent#toolCall()}.
 *
 * @param callId pairs the call with its result; null if the stored data has none
 * @param tool the tool's name; null if the stored data has none
 * @param arguments the call's JSON arguments
 */
public record ToolCall(String callId, String tool, Map<String, Object> arguments) {
}
