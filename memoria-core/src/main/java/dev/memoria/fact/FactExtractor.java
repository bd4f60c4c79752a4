package dev.memoria.fact;

import dev.memoria.memory.MemoryEvent;
import dev.memoria.session.Session;
import java.util.List;

/**
 * Turns a conversation's events into facts: an LLM prompt in a real application ("list what the
 * user told you about themselves"), rules in a small one. {@link FactIngestion} runs it over
 * the events of a run after its watermark and puts what it returns (K7).
 *
 * <p>Be deterministic per event where you can: a put is made idempotent by the extractor's id,
 * the source event and the fact's place among that event's facts, so running an extractor again
 * over the same events (after a crash half-way, say) adds nothing twice.
 */
public interface FactExtractor {
    /**
     * @return a stable name; part of every idempotency key and watermark the extractor leaves, so
     *     a new name starts over from the first event
     */
    String id();

    /**
     * @param session the session the events belong to (its user names a namespace, typically)
     * @param events one batch of a run's events, in order, after what was extracted before
     * @return the facts learned; each names its source event
     *     ({@link NewFact.Builder#source(dev.memoria.run.RunRef, long)}), or gets the batch's last
     *     event as its source
     */
    List<NewFact> extract(Session session, List<MemoryEvent> events);

    /**
     * @param id the extractor's stable name
     * @param extract what {@link #extract} does
     * @return an extractor
     */
    static FactExtractor of(String id, java.util.function.BiFunction<Session, List<MemoryEvent>, List<NewFact>> extract) {
        dev.memoria.internal.Checks.id(id, "id");
        java.util.Objects.requireNonNull(extract, "extract");
        return new FactExtractor() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public List<NewFact> extract(Session session, List<MemoryEvent> events) {
                return extract.apply(session, events);
            }

            @Override
            public String toString() {
                return "FactExtractor[" + id + "]";
            }
        };
    }
}
