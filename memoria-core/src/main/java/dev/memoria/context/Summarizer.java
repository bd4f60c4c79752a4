package dev.memoria.context;

import dev.memoria.memory.MemoryEvent;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * Writes the text of a summary (C9): a model call in a real application, a deterministic function
 * in tests and in the demo. {@link Context#compact(String, Summarizer, CompactionPolicy)} calls it
 * with the previous summary and the events the new one covers; the view then shows its text in
 * their place. A deterministic summarizer makes compaction deterministic.
 */
public interface Summarizer {
    /** @return a stable id, recorded in every summary it writes (for example {@code "gpt-summarizer-v2"}) */
    String id();

    /** @return the model it uses, recorded in its summaries, or null */
    default String model() {
        return null;
    }

    /**
     * @param previous the text of the summary the new one replaces, if any: the new one must cover it too
     * @param events the events to summarize, oldest first; a tool call whose run ended without a
     *     result comes with a synthetic error result, so calls and results always pair up (C3)
     * @return the summary's text, not blank
     */
    String summarize(Optional<String> previous, List<MemoryEvent> events);

    /**
     * @param id the summarizer's stable id
     * @param summarize writes the text from the previous summary and the events to cover
     * @return a summarizer without a model name
     */
    static Summarizer of(String id, BiFunction<Optional<String>, List<MemoryEvent>, String> summarize) {
        String checked = dev.memoria.internal.Checks.id(id, "id");
        Objects.requireNonNull(summarize, "summarize");
        return new Summarizer() {
            @Override
            public String id() {
                return checked;
            }

            @Override
            public String summarize(Optional<String> previous, List<MemoryEvent> events) {
                return summarize.apply(previous, events);
            }

            @Override
            public String toString() {
                return "Summarizer[" + checked + "]";
            }
        };
    }
}
