package dev.memoria.cli;

import dev.memoria.memory.Event;
import dev.memoria.memory.EventType;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.runtime.Agent;
import dev.memoria.runtime.Approval;
import dev.memoria.runtime.RunSuspendedException;
import dev.memoria.runtime.Suspension;
import dev.memoria.runtime.Turn;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An example agent that needs no language model: it finds arithmetic in the user's message,
 * thinks aloud, calls a calculator tool, records the tool's result and answers. Otherwise it
 * answers from the session's history, which shows memory at work across runs and restarts.
 *
 * <p>Asked to save something to the user's notes ("Save the answer to my notes."), it shows a
 * durable run (A5–A7): its {@value #NOTES} tool needs the user's approval, so it asks for it with
 * {@link Turn#requestApproval} (the call's arguments are {@code {"text": its last answer}}) and
 * the run pauses. Resumed with a grant, in this process or any other, it stores the tool's result
 * ({@value #SAVED}) and says that it saved the text; with a denial it says that it did not, and
 * why. With no earlier answer to save it first asks what to save, pausing with reason
 * {@value #QUESTION}; the text given on resume is then what it asks to save.
 *
 * <p>Greeted ("Hello!"), it recalls what it knows of the user from earlier sessions
 * ({@link Turn#recall}, the facts {@link DemoFacts} extracts) and says it first: "Welcome back,
 * Ada — I remember: The user prefers green tea."
 *
 * <p>The demo's agent, and the one {@code memoria resume} continues. Deterministic, stateless and
 * thread-safe: what a resumed turn needs is in its suspension.
 */
final class CalculatorAgent implements Agent {
    /** The tool name in TOOL_CALL and TOOL_RESULT events. */
    public static final String TOOL = "calculator";
    /** The tool that saves a text to the user's notes; it runs only once the user approved it. */
    public static final String NOTES = "notes";
    /** The {@value #NOTES} tool's result once it ran. */
    public static final String SAVED = "saved";
    /** The reason of the pause in which the agent asks what to save. */
    public static final String QUESTION = "QUESTION";
    private static final Pattern EXPRESSION = Pattern.compile("[-+(]*\\s*\\d[\\d\\s.+\\-*/^()]*");
    private static final Pattern SAVE_TO_NOTES = Pattern.compile(
            "(?i)\\b(save|write|put|add|keep|store|copy)\\b.*\\bnotes?\\b");
    private static final Pattern GREETING = Pattern.compile("(?i)^\\W*(hello|hi|hey|good (morning|afternoon|evening))\\b");
    private static final String WHAT_TO_SAVE = "What should I save to your notes?";

    /** Creates the agent. */
    CalculatorAgent() {
    }

    @Override
    public String id() {
        return "calculator";
    }

    @Override
    public void handle(Turn turn) {
        if (turn.suspension().isPresent()) {
            continueAfterPause(turn, turn.suspension().get());
            return;
        }
        if (SAVE_TO_NOTES.matcher(turn.input()).find()) {
            String lastAnswer = lastAnswer(turn);
            if (lastAnswer == null) {
                turn.say("I have not answered anything yet in this session. " + WHAT_TO_SAVE);
                throw turn.suspend(QUESTION, Map.of("question", WHAT_TO_SAVE));
            }
            throw askToSave(turn, lastAnswer);
        }
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

    /** Pauses the run until the user approves or denies saving the text with the notes tool. */
    private static RunSuspendedException askToSave(Turn turn, String text) {
        turn.emit(Event.plannerNote("Save \"" + Render.shorten(text, 40) + "\" to the " + NOTES + ": ask for approval."));
        String callId = notesCallId(turn);
        // keyed by its call id: an agent that repeats this step stores the call once, as it does the suspension
        return turn.requestApproval(Event.toolCall(callId, NOTES, Map.of("text", text)).withKey(callId));
    }

    /** The second half of a paused run: the user's decision on the notes tool, or the answer to the question. */
    private static void continueAfterPause(Turn turn, Suspension suspension) {
        if (suspension.isApproval()) {
            Approval decision = turn.approval().orElseThrow(() -> new IllegalStateException(
                    "resumed from an approval without a decision"));
            Object arguments = suspension.data().get("arguments");
            Object text = arguments instanceof Map<?, ?> m ? m.get("text") : null;
            Object callId = suspension.data().get("callId");
            if (decision.granted()) {
                // the tool runs now, once: a notes service in a real application
                turn.emit(Event.toolResult(String.valueOf(callId), NOTES, SAVED, false));
                turn.say("I saved \"" + text + "\" to your notes.");
            } else {
                // the runtime stored the call's error result ("denied: reason") already
                turn.say("I did not save it to your notes: " + decision.by() + " denied it"
                        + (decision.reason().isBlank() ? "." : " (" + decision.reason() + ")."));
            }
            return;
        }
        if (QUESTION.equals(suspension.reason())) {
            String text = turn.input().strip();
            if (text.isEmpty()) {
                turn.say("That was empty. " + WHAT_TO_SAVE);
                throw turn.suspend(QUESTION, Map.of("question", WHAT_TO_SAVE));
            }
            throw askToSave(turn, text);
        }
        throw new IllegalStateException("the calculator agent does not pause for " + suspension.reason()
                + ", so it cannot continue from it");
    }

    private static String notesCallId(Turn turn) {
        return "notes-" + turn.run().id();
    }

    /** The text of the agent's latest reply in the session's history, or null. */
    private static String lastAnswer(Turn turn) {
        List<MemoryEvent> history = turn.history();
        for (int i = history.size() - 1; i >= 0; i--) {
            if (history.get(i).type() == EventType.ASSISTANT_MESSAGE && history.get(i).textIfAny().isPresent()) {
                return history.get(i).textIfAny().get();
            }
        }
        return null;
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
        String welcome = GREETING.matcher(turn.input()).find() ? DemoFacts.welcomeBack(turn) : "";
        String answer = answerFromHistoryAlone(turn);
        return welcome.isEmpty() ? answer : welcome + " " + answer.replaceFirst("^Hello! ", "");
    }

    private static String answerFromHistoryAlone(Turn turn) {
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
