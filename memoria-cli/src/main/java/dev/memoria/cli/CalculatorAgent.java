package dev.memoria.cli;

import dev.memoria.memory.Event;
import dev.memoria.memory.EventType;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.runtime.Agent;
import dev.memoria.runtime.Turn;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An example agent that needs no language model: it finds arithmetic in the user's message,
 * thinks aloud, calls a calculator tool, records the tool's result and answers. Otherwise it
 * answers from the session's history, which shows memory at work across runs and restarts.
 * The demo's agent. Stateless and thread-safe.
 */
final class CalculatorAgent implements Agent {
    /** The tool name in TOOL_CALL and TOOL_RESULT events. */
    public static final String TOOL = "calculator";
    private static final Pattern EXPRESSION = Pattern.compile("[-+(]*\\s*\\d[\\d\\s.+\\-*/^()]*");

    /** Creates the agent. */
    CalculatorAgent() {
    }

    @Override
    public String id() {
        return "calculator";
    }

    @Override
    public void handle(Turn turn) {
        String expression = findExpression(turn.input());
        if (expression == null) {
            turn.emit(Event.thinking("No arithmetic in the message; answering from the "
                    + turn.history().size() + " earlier messages of this session."));
            turn.say(answerFromHistory(turn));
            return;
        }
        turn.emit(Event.plannerNote("Evaluate '" + expression + "' with the " + TOOL + " tool."));
        String callId = "call-" + turn.run().id();
        turn.emit(Event.toolCall(callId, TOOL, Map.of("expression", expression)));
        Object value;
        try {
            value = Arithmetic.evaluate(expression);
        } catch (ArithmeticException | IllegalArgumentException e) {
            turn.emit(Event.toolResult(callId, TOOL, e.getMessage(), true));
            turn.say("I could not compute " + expression + ": " + e.getMessage() + ".");
            return;
        }
        turn.emit(Event.toolResult(callId, TOOL, value, false));
        turn.say(expression + " = " + value);
    }

    private static String findExpression(String input) {
        Matcher m = EXPRESSION.matcher(input);
        String best = null;
        while (m.find()) {
            String candidate = m.group().trim();
            if (candidate.matches(".*\\d.*[-+*/^].*\\d.*") && (best == null || candidate.length() > best.length())) {
                best = candidate;
            }
        }
        return best;
    }

    private static String answerFromHistory(Turn turn) {
        long asked = turn.history().stream().filter(e -> e.type() == EventType.USER_MESSAGE).count();
        if (asked == 0) {
            return "Hello! I am a calculator agent: ask me 'what is 12 * (3 + 4)?'.";
        }
        MemoryEvent lastQuestion = null;
        for (MemoryEvent e : turn.history()) {
            if (e.type() == EventType.USER_MESSAGE) {
                lastQuestion = e;
            }
        }
        return String.format(Locale.ROOT, "You have asked me %d thing%s in this session so far; the last was \"%s\".",
                asked, asked == 1 ? "" : "s", lastQuestion.text());
    }

    @Override
    public String toString() {
        return "CalculatorAgent";
    }
}
