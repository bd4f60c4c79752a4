package dev.memoria.cli;

import dev.memoria.Stores;
import dev.memoria.memory.EventQuery;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.run.Run;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * An event as typed on the command line, for {@code rewind --to} and {@code fork --at}:
 * <ul>
 * <li>{@code N}: the number {@code memoria view} prints in front of the event's line (it counts the
 *     view's messages and tool events after the summary, oldest first, so it is the same with or
 *     without {@code --tools}; it changes when the view does);</li>
 * <li>{@code RUN#SEQ}: the event {@code #SEQ} of run {@code RUN}, as {@code memoria show} and
 *     {@code memoria events} print them; any start of the run's id that only one run of the session
 *     (or of the sessions it was forked from) has will do, a trailing ellipsis ({@code …} or
 *     {@code ...}) included, so what {@code view} and {@code show} print can be pasted back.</li>
 * </ul>
 * Whether the event may be rewound to or forked at (visible, not a marker) is the core's to say.
 */
final class EventRef {
    private static final Pattern NUMBER = Pattern.compile("\\d{1,9}");
    private static final Pattern RUN_AND_SEQUENCE = Pattern.compile("(.+?)(?:\u2026|\\.\\.\\.)?#(\\d{1,18})");

    private EventRef() {
    }

    /** What the option's help says about EVENT. */
    static final String SYNTAX = "N (the number memoria view prints in front of the event) or RUN#SEQ (as memoria show prints"
            + " them; a unique start of the run id will do)";

    /**
     * @param option the option's name, for messages
     * @return the event; a usage error (exit code 2) saying what was wrong
     */
    static MemoryEvent resolve(Stores stores, ContextMarks marks, String typed, String option, CommandSpec spec) {
        String value = typed.strip();
        if (NUMBER.matcher(value).matches()) {
            int n = Integer.parseInt(value);
            return marks.numbered(n).orElseThrow(() -> new ParameterException(spec.commandLine(), option + ": " + n
                    + " is not a number memoria view " + marks.sessionId + " prints: " + (marks.numbered.isEmpty()
                    ? "its view has no events after " + (marks.summary == null ? "none" : "the summary")
                    : "its events are numbered 1 to " + marks.numbered.size()) + " (or give RUN#SEQ, as memoria show prints them)"));
        }
        Matcher m = RUN_AND_SEQUENCE.matcher(value);
        if (!m.matches()) {
            throw new ParameterException(spec.commandLine(), option + ": expected " + SYNTAX + ", got '" + typed + "'");
        }
        String prefix = m.group(1);
        long sequence = Long.parseLong(m.group(2));
        Run run = run(stores, marks, prefix, option, spec);
        List<MemoryEvent> found = sequence < 1 ? List.of()
                : stores.memory().read(EventQuery.run(run.ref()).after(sequence - 1).limit(1)).items();
        if (found.isEmpty() || found.get(0).sequence() != sequence) {
            long last = Listings.eventCount(stores, run);
            throw new ParameterException(spec.commandLine(), option + ": run " + run.id() + " has no event #" + sequence
                    + " (" + (last == 0 ? "it has no events" : "its events are #1 to #" + last) + ")");
        }
        return found.get(0);
    }

    /**
     * The core's refusal of an argument, as a usage error that names the option: its message starts
     * with the parameter's name ("to: event 5 of run … was rewound away; …"), which becomes the option's.
     *
     * @param options the core's parameter names and the options that give them, "to", "--to"
     */
    static ParameterException refused(CommandSpec spec, IllegalArgumentException e, Map<String, String> options) {
        String message = String.valueOf(e.getMessage());
        for (Map.Entry<String, String> o : options.entrySet()) {
            if (message.startsWith(o.getKey() + ": ")) {
                return new ParameterException(spec.commandLine(), o.getValue() + message.substring(o.getKey().length()), e);
            }
        }
        return new ParameterException(spec.commandLine(), message, e);
    }

    /** The one run of the lineage whose id is, or starts with, the prefix; else an exact id in another session (the core refuses it). */
    private static Run run(Stores stores, ContextMarks marks, String prefix, String option, CommandSpec spec) {
        List<Run> matches = new ArrayList<>();
        for (ContextMarks.Segment segment : marks.newestFirst) {
            for (Run r : stores.runs().listBySession(segment.id())) {
                if (r.id().equals(prefix)) {
                    return r;
                }
                if (r.id().startsWith(prefix)) {
                    matches.add(r);
                }
            }
        }
        if (matches.size() == 1) {
            return matches.get(0);
        }
        String lineage = marks.isFork() ? " or of the sessions it was forked from" : "";
        if (matches.isEmpty()) {
            return stores.runs().get(prefix).orElseThrow(() -> new ParameterException(spec.commandLine(), option
                    + ": no run of session " + marks.sessionId + lineage + " has an id starting with '" + prefix
                    + "' (memoria show " + marks.sessionId + " lists them)"));
        }
        throw new ParameterException(spec.commandLine(), option + ": '" + prefix + "' starts the ids of "
                + Render.count(matches.size(), "run") + " of session " + marks.sessionId + lineage + " ("
                + matches.stream().limit(3).map(Run::id).collect(Collectors.joining(", ")) + (matches.size() > 3 ? ", …" : "")
                + "): type more of it");
    }

    /** What a rewind to, or a fork at, a tool call leaves: a call whose result the view does not have. */
    static void noteOpenCall(java.io.PrintWriter out, MemoryEvent event, String what) {
        if (event.type() == dev.memoria.memory.EventType.TOOL_CALL) {
            out.println(Render.wrap("", "Note: that is a tool call, so its result, if any, came after it: " + what
                    + " pairs the call with a synthetic error result (C3), as for a call that never returned.", 79));
        }
    }
}
