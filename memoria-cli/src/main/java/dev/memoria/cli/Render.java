package dev.memoria.cli;

import dev.memoria.memory.EventType;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.memory.ToolResult;
import dev.memoria.runtime.Suspension;
import dev.memoria.spi.Json;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Text for people: short lines that fit an 80-column terminal. */
final class Render {
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private Render() {
    }

    static String when(Instant instant) {
        return instant == null ? "-" : WHEN.format(instant);
    }

    static String shorten(String text, int max) {
        String oneLine = text.replace("\r", "").replace('\n', ' ').replace('\t', ' ');
        return oneLine.length() <= max ? oneLine : oneLine.substring(0, Math.max(0, max - 1)) + "\u2026";
    }

    /** Wraps text after a prefix, continuation lines indented under the text. */
    static String wrap(String prefix, String text, int width) {
        return wrap(prefix, List.of(text.replace('\n', ' ').split(" ")), width);
    }

    /**
     * Wraps words after a prefix, continuation lines indented under the text; a word (a piece of
     * JSON, say) is never broken, so a word longer than the width makes its line longer.
     */
    static String wrap(String prefix, List<String> words, int width) {
        StringBuilder out = new StringBuilder(prefix);
        int column = prefix.length();
        String indent = " ".repeat(prefix.length());
        for (String word : words) {
            if (column > prefix.length() && column + 1 + word.length() > width) {
                out.append('\n').append(indent);
                column = indent.length();
            } else if (column > prefix.length()) {
                out.append(' ');
                column++;
            }
            out.append(word);
            column += word.length();
        }
        return out.toString();
    }

    /** "1 session", "2 sessions", "1,024 events". */
    static String count(long n, String noun) {
        return String.format(Locale.ROOT, "%,d %s%s", n, noun, n == 1 ? "" : "s");
    }

    static String id(String id) {
        return id.length() <= 36 ? id : id.substring(0, 35) + "\u2026";
    }

    /**
     * One event as a line: "#3 tool call calculator {…}". Never throws: an event of a type this
     * version does not know, or whose data does not have the shape of its type (stored data is
     * trusted, not assumed well-formed), is its type name and its data as compact JSON.
     */
    static String event(MemoryEvent e, int width) {
        String body;
        try {
            body = body(e);
        } catch (RuntimeException unexpected) {
            body = asJson(e);
        }
        return shorten("#" + e.sequence() + " " + body, width);
    }

    /** An event as {@link #event} says it, without its sequence: "user: What is 2 + 2?". Never throws. */
    static String text(MemoryEvent e, int width) {
        String body;
        try {
            body = body(e);
        } catch (RuntimeException unexpected) {
            body = asJson(e);
        }
        return shorten(body, width);
    }

    /**
     * A run id short enough for a line: its first {@value #RUN_PREFIX} characters and an ellipsis
     * (UUIDv7 ids differ there from one millisecond to the next). The commands that take an event
     * accept it, ellipsis and all, as long as it starts the id of one run only.
     */
    static String run(String runId) {
        return runId.length() <= RUN_PREFIX + 1 ? runId : runId.substring(0, RUN_PREFIX) + "\u2026";
    }

    /** How many characters of a run id {@link #run} keeps. */
    static final int RUN_PREFIX = 13;

    /** An event as the commands that take one accept it: RUN#SEQ, the run id shortened. */
    static String ref(MemoryEvent e) {
        return run(e.run().runId()) + "#" + e.sequence();
    }

    /** A position a context marker recorded, as {@link #ref(MemoryEvent)} says it; "in SESSION" when it lies in another session. */
    static String ref(Object position, String sessionOfMarker) {
        Map<?, ?> m = (Map<?, ?>) position;
        String ref = run((String) m.get("run")) + "#" + ((Number) m.get("sequence")).longValue();
        return m.get("session").equals(sessionOfMarker) ? ref : ref + " (in " + m.get("session") + ")";
    }

    /** A SUMMARY marker: "summary by ID of 12 events up to RUN#SEQ: text". */
    private static String summary(MemoryEvent e) {
        Map<String, Object> data = e.data();
        if (!(data.get("text") instanceof String text) || !(data.get("summarizer") instanceof String by)) {
            return asJson(e);
        }
        String model = data.get("model") instanceof String m ? " (" + m + ")" : "";
        String covered = data.get("covered") instanceof Number n ? " of " + count(n.longValue(), "event") : "";
        return "summary by " + by + model + covered + " up to " + ref(data.get("upTo"), e.run().sessionId()) + ": " + text;
    }

    private static String body(MemoryEvent e) {
        Map<String, Object> data = e.data();
        return switch (e.type()) {
            case USER_MESSAGE -> e.textIfAny().map(t -> "user: " + t).orElseGet(() -> asJson(e));
            case ASSISTANT_MESSAGE -> e.textIfAny().map(t -> "assistant: " + t).orElseGet(() -> asJson(e));
            case PLANNER_NOTE -> e.textIfAny().map(t -> "planner: " + t).orElseGet(() -> asJson(e));
            case THINKING -> e.textIfAny().map(t -> "thinking: " + t).orElseGet(() -> asJson(e));
            case SYSTEM_MESSAGE -> e.textIfAny().map(t -> "system: " + t).orElseGet(() -> asJson(e));
            case WINDOW -> "window moved " + Json.write(data);
            case TOOL_CALL -> isToolCall(e) ? "tool call " + data.get("tool") + " " + Json.write(arguments(e)) : asJson(e);
            case TOOL_RESULT -> isToolResult(e) ? "tool result " + data.get("tool")
                    + (e.toolResult().isError() ? " (error) " : " ") + Json.write(e.toolResult().result()) : asJson(e);
            case SUSPENDED -> data.get("reason") instanceof String reason
                    && data.getOrDefault("data", Map.of()) instanceof Map<?, ?> d
                    ? "paused, waiting for " + waitingFor(reason, d) : asJson(e);
            case RESUMED -> "resumed: " + data.get("input");
            case SUMMARY -> summary(e);
            case REWIND -> "rewind to " + ref(data.get("to"), e.run().sessionId()) + ": the view hides what came after it, up to here";
            case APPROVAL -> (Boolean.TRUE.equals(data.get("granted")) ? "approved " : "denied ") + data.get("tool")
                    + " by " + data.get("by") + (data.get("reason") instanceof String r && !r.isEmpty() ? ": " + r : "");
            // UNKNOWN, and types a newer core knows that this renderer does not (yet): as JSON, never a failure
            default -> asJson(e);
        };
    }

    /**
     * What a paused run waits for, from its suspension's reason and data: "approval of notes
     * {"text":"…"}" for an approval (A7), else the reason and the data as compact JSON,
     * "QUESTION {"question":"…"}". Data of an unexpected shape is shown as JSON.
     */
    static String waitingFor(String reason, Map<?, ?> data) {
        Object arguments = data.get("arguments");
        if (Suspension.APPROVAL.equals(reason) && data.get("tool") instanceof String tool
                && (arguments == null || arguments instanceof Map)) {
            return "approval of " + tool + " " + Json.write(arguments == null ? Map.of() : arguments);
        }
        return data.isEmpty() ? reason : reason + " " + Json.write(data);
    }

    /** What a suspension waits for, as {@link #waitingFor(String, Map)} says it. */
    static String waitingFor(Suspension suspension) {
        try {
            return waitingFor(suspension.reason(), suspension.data());
        } catch (RuntimeException notJson) {
            return suspension.reason() + " " + suspension.data();
        }
    }

    /** The type's stored name and the data as compact JSON, for what has no rendering of its own. */
    private static String asJson(MemoryEvent e) {
        String data;
        try {
            data = Json.write(e.data());
        } catch (RuntimeException notJson) {
            data = String.valueOf(e.data());
        }
        return e.typeName() + " " + data;
    }

    /** A TOOL_CALL with a tool name and, if any, map arguments; its callId may be missing. */
    static boolean isToolCall(MemoryEvent e) {
        Object arguments = e.data().get("arguments");
        return e.type() == EventType.TOOL_CALL && e.data().get("tool") instanceof String
                && (arguments == null || arguments instanceof Map);
    }

    /** A TOOL_RESULT with a tool name; its callId may be missing. */
    static boolean isToolResult(MemoryEvent e) {
        return e.type() == EventType.TOOL_RESULT && e.data().get("tool") instanceof String;
    }

    private static Object arguments(MemoryEvent e) {
        Object arguments = e.data().get("arguments");
        return arguments == null ? Map.of() : arguments;
    }

    /**
     * A tool call with its result on one line, when the result is given. Like {@link #event}, never
     * throws: a call or result of an unexpected shape is shown as JSON.
     */
    static String call(MemoryEvent call, MemoryEvent result, int width) {
        String line;
        if (!isToolCall(call) || result != null && !isToolResult(result)) {
            // shapes without a rendering of their own: each as the events command shows it
            line = event(call, Integer.MAX_VALUE) + (result == null ? "" : " -> " + event(result, Integer.MAX_VALUE));
            return shorten(line, width);
        }
        try {
            line = "#" + call.sequence() + " tool " + call.data().get("tool") + " " + Json.write(arguments(call));
            if (result != null) {
                ToolResult r = result.toolResult();
                line += (r.isError() ? " -> error: " : " -> ") + Json.write(r.result()) + " (#" + result.sequence() + ")";
            } else {
                line += " -> (no result)";
            }
        } catch (RuntimeException unexpected) {
            line = event(call, Integer.MAX_VALUE) + (result == null ? "" : " -> " + event(result, Integer.MAX_VALUE));
        }
        return shorten(line, width);
    }

    static String table(List<String[]> rows) {
        int columns = rows.get(0).length;
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int i = 0; i < columns; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                line.append(i == columns - 1 ? row[i] : String.format(Locale.ROOT, "%-" + widths[i] + "s  ", row[i]));
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }
}
