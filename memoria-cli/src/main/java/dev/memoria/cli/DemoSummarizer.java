package dev.memoria.cli;

import dev.memoria.context.Summarizer;
import dev.memoria.memory.EventType;
import dev.memoria.memory.MemoryEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The demo's summarizer: no model, the same text for the same events on every machine. It lists
 * the user's questions, each with the agent's answers and the tools it used, after the previous
 * summary: {@code User: "What is 2 + 2?" Agent (calculator): "2 + 2 = 4".} A real application
 * asks a model instead (see {@link Summarizer}).
 */
final class DemoSummarizer implements Summarizer {
    /** The id recorded in every summary it writes. */
    static final String ID = "memoria-demo-summarizer";
    /** Each message is cut to this many characters. */
    private static final int MESSAGE = 60;
    /** A summary keeps at most this many characters, its end: the newest turns. */
    private static final int MAX = 4000;

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String summarize(Optional<String> previous, List<MemoryEvent> events) {
        List<String> parts = new ArrayList<>();
        previous.ifPresent(parts::add);
        StringBuilder turn = null;
        List<String> tools = new ArrayList<>();
        List<String> answers = new ArrayList<>();
        for (MemoryEvent e : events) {
            if (e.type() == EventType.USER_MESSAGE) {
                flush(parts, turn, tools, answers);
                turn = new StringBuilder("User: " + quoted(e));
                tools = new ArrayList<>();
                answers = new ArrayList<>();
            } else if (e.type() == EventType.ASSISTANT_MESSAGE && e.textIfAny().isPresent()) {
                answers.add(quoted(e));
            } else if (e.type() == EventType.TOOL_CALL && e.data().get("tool") instanceof String tool && !tools.contains(tool)) {
                tools.add(tool);
            }
        }
        flush(parts, turn, tools, answers);
        String text = String.join(" ", parts);
        if (text.isBlank()) {
            text = "Nothing was said (" + Render.count(events.size(), "event") + " without text).";
        }
        return text.length() <= MAX ? text : "\u2026" + text.substring(text.length() - MAX + 1);
    }

    private static void flush(List<String> parts, StringBuilder turn, List<String> tools, List<String> answers) {
        if (turn == null && answers.isEmpty()) {
            return;
        }
        StringBuilder line = turn == null ? new StringBuilder() : turn;
        if (!answers.isEmpty() || !tools.isEmpty()) {
            line.append(line.length() == 0 ? "" : " ").append("Agent");
            if (!tools.isEmpty()) {
                line.append(" (").append(String.join(", ", tools)).append(")");
            }
            line.append(": ").append(answers.isEmpty() ? "(no answer)" : String.join(" / ", answers));
        }
        parts.add(line.append('.').toString());
    }

    private static String quoted(MemoryEvent e) {
        return "\"" + Render.shorten(e.textIfAny().orElse(""), MESSAGE) + "\"";
    }

    @Override
    public String toString() {
        return "DemoSummarizer";
    }
}
