package dev.memoria.memory;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * What an event in a run's memory records.
 *
 * <p>The set of types grows with Memoria's versions, and stored data outlives the code that wrote
 * it. So every event keeps its type's <em>name</em> ({@link MemoryEvent#typeName()}); a name this
 * version does not know reads back as {@link #UNKNOWN}, with the stored name kept, and is never an
 * error. A switch over event types should therefore have a {@code case UNKNOWN} (or a default).
 */
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
    THINKING,
    /** Instructions to the model, as a system prompt; data {@code text}. */
    SYSTEM_MESSAGE,
    /**
     * A marker that moves a framework chat memory's window, not an event of the conversation: the
     * window holds the messages whose first events are at the sequences {@code keep}, then every
     * message from sequence {@code from} on (see {@link dev.memoria.context.Conversation}).
     */
    WINDOW,
    /**
     * The run paused (A5): data {@code id}, {@code reason} and the suspension's own {@code data};
     * written once per pause, under the key {@code suspension:<id>}.
     */
    SUSPENDED,
    /** A paused run continued (A6): data {@code suspension} (its id) and {@code input}. */
    RESUMED,
    /**
     * A decision on a tool call that waited for approval (A7): data {@code callId}, {@code tool},
     * {@code granted}, {@code by} and {@code reason}; the event's timestamp is when it was made.
     */
    APPROVAL,
    /**
     * A compaction (C1): data {@code text} (the summary), {@code summarizer} (its id), optionally
     * {@code model}, {@code upTo} (the position of the last event it covers: {@code session},
     * {@code timestamp}, {@code run}, {@code sequence}), {@code covered} (how many events the
     * summarizer read) and {@code hidden} (the rewound ranges after {@code upTo} that stay hidden).
     * Written to a session's context log by {@link dev.memoria.context.Context}; no event is changed.
     */
    SUMMARY,
    /**
     * A rewind (C5): data {@code to}, a position; the view omits the events after it that precede
     * this marker. Written to a session's context log by {@link dev.memoria.context.Context}.
     */
    REWIND,
    /**
     * A type this version of Memoria does not know: written by a newer version, or a custom type
     * name. {@link MemoryEvent#typeName()} holds the stored name. Never written as such: an event
     * is written with a type name.
     */
    UNKNOWN;

    /** Upper case letters, digits and underscores, starting with a letter; at most 32 characters. */
    public static final int MAX_NAME_LENGTH = 32;
    private static final Pattern NAME = Pattern.compile("[A-Z][A-Z0-9_]{0," + (MAX_NAME_LENGTH - 1) + "}");
    private static final Map<String, EventType> KNOWN = java.util.Arrays.stream(values()).filter(t -> !t.name().equals("UNKNOWN"))
            .collect(java.util.stream.Collectors.toUnmodifiableMap(EventType::name, t -> t));

    /** @return whether events of this type carry a {@code text} field */
    public boolean isText() {
        return this == USER_MESSAGE || this == ASSISTANT_MESSAGE || this == PLANNER_NOTE || this == THINKING
                || this == SYSTEM_MESSAGE || this == SUMMARY;
    }

    /**
     * The type a stored name stands for. Unlike {@link #valueOf(String)} it never throws: reads
     * use it, and a name written by a newer version is {@link #UNKNOWN}.
     *
     * @param name a stored type name
     * @return the known type of that name, or {@link #UNKNOWN}
     */
    public static EventType ofName(String name) {
        EventType known = name == null ? null : KNOWN.get(name);
        return known == null ? UNKNOWN : known;
    }

    /**
     * Checks a type name given at write time.
     *
     * @param name the name
     * @return the name
     * @throws IllegalArgumentException if it is not 1 to 32 upper case letters, digits and
     *     underscores starting with a letter, or is {@code UNKNOWN}
     */
    static String checkName(String name) {
        if (name == null) {
            throw new NullPointerException("type");
        }
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("type: a type name is 1 to " + MAX_NAME_LENGTH
                    + " upper case letters, digits and underscores starting with a letter, got '"
                    + dev.memoria.internal.Checks.shorten(name) + "'");
        }
        if (name.equals(UNKNOWN.name())) {
            throw new IllegalArgumentException("type: UNKNOWN stands for a type this version does not know and is never"
                    + " written; give the type's own name");
        }
        return name;
    }
}
