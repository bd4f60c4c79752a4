package dev.memoria.cli;

import dev.memoria.memory.MemoryEvent;
import dev.memoria.memory.ToolCall;
import dev.memoria.memory.ToolResult;
import dev.memoria.spi.Json;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

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
        StringBuilder out = new StringBuilder(prefix);
        int column = prefix.length();
        String indent = " ".repeat(prefix.length());
        for (String word : text.replace('\n', ' ').split(" ")) {
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

    /** One event as a line: "#3 tool calculator(expression=…)". */
    static String event(MemoryEvent e, int width) {
        String body = switch (e.type()) {
            case USER_MESSAGE -> "user: " + e.text();
            case ASSISTANT_MESSAGE -> "assistant: " + e.text();
            case PLANNER_NOTE -> "planner: " + e.text();
            case THINKING -> "thinking: " + e.text();
            case TOOL_CALL -> {
                ToolCall call = e.toolCall();
                yield "tool call " + call.tool() + " " + Json.write(call.arguments());
            }
            case TOOL_RESULT -> {
                ToolResult result = e.toolResult();
                yield "tool result " + result.tool() + (result.isError() ? " (error) " : " ") + Json.write(result.result());
            }
            case UNKNOWN -> e.typeName() + " " + Json.write(e.data());
        };
        return shorten("#" + e.sequence() + " " + body, width);
    }

    /** A tool call with its result on one line, when the result is given. */
    static String call(MemoryEvent call, MemoryEvent result, int width) {
        ToolCall c = call.toolCall();
        String line = "#" + call.sequence() + " tool " + c.tool() + " " + Json.write(c.arguments());
        if (result != null) {
            ToolResult r = result.toolResult();
            line += (r.isError() ? " -> error: " : " -> ") + Json.write(r.result()) + " (#" + result.sequence() + ")";
        } else {
            line += " -> (no result)";
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
