package dev.memoria.cli;

import dev.memoria.fact.FactExtractor;
import dev.memoria.fact.FactMatch;
import dev.memoria.fact.Namespace;
import dev.memoria.fact.NewFact;
import dev.memoria.memory.EventType;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.runtime.Turn;
import dev.memoria.session.Session;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo's long-term memory without a language model: a rule-based {@link FactExtractor} that
 * reads the user's messages ("my name is Ada", "I prefer green tea", "I live in Paris"), and the
 * recall the example agent greets with.
 *
 * <p>Name and city are keyed ({@value #NAME}, {@value #CITY}): a new value supersedes the old,
 * which stays as history. A preference is keyed by what is preferred ({@code prefers:green-tea}),
 * so saying it again stores nothing new and each preference stays current. Every fact's text
 * starts with "The user", so that one word query recalls them all; its value is in its data.
 */
final class DemoFacts {
    /** The extractor's stable id: its watermarks live in {@code memoria.extractors/demo-rules}. */
    static final String EXTRACTOR_ID = "demo-rules";
    static final String NAME = "name";
    static final String CITY = "city";
    /** What every fact's text holds, for {@link #recall}. */
    private static final String ABOUT = "user";

    // a value runs to the end of its clause: punctuation, "and I ...", "but ...", or the end
    private static final String VALUE = "([\\p{L}\\p{N}][\\p{L}\\p{N}' -]*?)(?=\\s+(?:and|but)\\b|\\s*[.,;!?]|\\s*$)";
    private static final Pattern MY_NAME = Pattern.compile("(?i)\\bmy name is\\s+" + VALUE);
    private static final Pattern PREFER = Pattern.compile("(?i)\\bI prefer\\s+" + VALUE);
    private static final Pattern LIVE = Pattern.compile("(?i)\\bI live in\\s+" + VALUE);

    private DemoFacts() {
    }

    /** The extractor the demo and chat give their runtime. */
    static FactExtractor extractor() {
        return FactExtractor.of(EXTRACTOR_ID, DemoFacts::extract);
    }

    /** The namespace a session's facts go to: the runtime's default, {@code users/<user>} or {@code sessions/<id>}. */
    static Namespace namespace(Session session) {
        return session.userId() != null ? Namespace.of("users", session.userId()) : Namespace.of("sessions", session.id());
    }

    static List<NewFact> extract(Session session, List<MemoryEvent> events) {
        List<NewFact> facts = new ArrayList<>();
        Namespace ns = namespace(session);
        for (MemoryEvent e : events) {
            if (e.type() != EventType.USER_MESSAGE || e.textIfAny().isEmpty()) {
                continue;
            }
            String text = e.textIfAny().get();
            for (Matcher m = MY_NAME.matcher(text); m.find(); ) {
                facts.add(fact(ns, e, NAME, "The user's name is " + m.group(1).strip(), m.group(1).strip()));
            }
            for (Matcher m = LIVE.matcher(text); m.find(); ) {
                facts.add(fact(ns, e, CITY, "The user lives in " + m.group(1).strip(), m.group(1).strip()));
            }
            for (Matcher m = PREFER.matcher(text); m.find(); ) {
                String what = m.group(1).strip();
                String key = "prefers:" + what.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}]+", "-");
                facts.add(fact(ns, e, key, "The user prefers " + what, what));
            }
        }
        return facts;
    }

    private static NewFact fact(Namespace ns, MemoryEvent e, String key, String text, String value) {
        return NewFact.builder(ns, text).key(key).data(Map.of("value", value)).label("by", EXTRACTOR_ID)
                .source(e.run(), e.sequence()).build();
    }

    /**
     * What the agent says it remembers of the session's user: "Welcome back, Ada — I remember:
     * The user prefers green tea." Empty when there is nothing to recall, or the stores keep no
     * facts.
     */
    static String welcomeBack(Turn turn) {
        List<FactMatch> recalled;
        try {
            recalled = turn.recall(ABOUT, 10);
        } catch (UnsupportedOperationException noFactStore) {
            return "";
        }
        String name = null;
        List<String> remembered = new ArrayList<>();
        for (FactMatch m : recalled) {
            if (NAME.equals(m.fact().key()) && m.fact().data().get("value") instanceof String value) {
                name = value;
            } else {
                remembered.add(m.fact().text());
            }
        }
        if (name == null && remembered.isEmpty()) {
            return "";
        }
        remembered.sort(null); // the same order on every backend, whatever their scores
        return "Welcome back" + (name == null ? "" : ", " + name) + (remembered.isEmpty() ? "!"
                : " \u2014 I remember: " + String.join("; ", remembered) + ".");
    }
}
