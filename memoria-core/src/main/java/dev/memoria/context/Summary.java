package dev.memoria.context;

import dev.memoria.internal.Checks;
import dev.memoria.memory.MemoryEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A compaction as its SUMMARY marker records it (C1): the text that stands for the events up to
 * {@link #upTo()}, and who wrote it. The events it covers stay in the log.
 *
 * @param text the summary's text
 * @param summarizer the id of what wrote it
 * @param model the model it used, or null
 * @param upTo the position of the last event it covers
 * @param covered how many events the summarizer read
 * @param marker the SUMMARY event itself
 */
public record Summary(String text, String summarizer, String model, Position upTo, long covered, MemoryEvent marker) {
    /** Checks the parts. */
    public Summary {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(summarizer, "summarizer");
        Objects.requireNonNull(upTo, "upTo");
        Objects.requireNonNull(marker, "marker");
    }

    /** The summary a SUMMARY event records; stored data is trusted, a malformed one is reported. */
    static Summary of(MemoryEvent marker) {
        Map<String, Object> d = marker.data();
        Object covered = d.get("covered");
        return new Summary(String.valueOf(d.get("text")), String.valueOf(d.get("summarizer")),
                d.get("model") instanceof String m ? m : null, Position.fromData(d.get("upTo"), "upTo"),
                covered instanceof Number n ? n.longValue() : 0, marker);
    }

    /** The rewound ranges after {@code upTo} that this summary says stay hidden. */
    List<Range> hidden() {
        List<Range> ranges = new ArrayList<>();
        if (marker.data().get("hidden") instanceof List<?> list) {
            for (Object r : list) {
                if (r instanceof Map<?, ?> m) {
                    ranges.add(new Range(Position.fromData(m.get("after"), "hidden.after"),
                            Position.fromData(m.get("through"), "hidden.through")));
                }
            }
        }
        return ranges;
    }

    @Override
    public String toString() {
        return "Summary[by " + summarizer + (model == null ? "" : " (" + model + ")") + ", up to " + upTo + ", "
                + covered + " events, " + Checks.shorten(text) + "]";
    }

    /** A hidden stretch of a session: the positions after {@code after} up to and including {@code through}. */
    record Range(Position after, Position through) {
        Map<String, Object> toData() {
            return Map.of("after", after.toData(), "through", through.toData());
        }
    }
}
