package dev.memoria.fact;

import dev.memoria.NotFoundException;
import dev.memoria.Page;
import dev.memoria.Stores;
import dev.memoria.internal.Checks;
import dev.memoria.memory.EventQuery;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.run.Run;
import dev.memoria.session.Session;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Runs a {@link FactExtractor} over a run's events, or over every run of a session, after a
 * durable watermark per (run, extractor), and puts the facts it returns with their sources (K7).
 *
 * <pre>{@code
 * FactIngestion.of(stores, extractor).ingestSession(sessionId);
 * }</pre>
 *
 * <p>Incremental: events are read in pages after the watermark, and the watermark moves after
 * each page's facts are stored. Idempotent: every put carries the idempotency key
 * {@code extractor:run:sequence:n} (n counts the facts of one source event), so a crash between
 * the puts and the watermark, or two ingestions at once, store nothing twice. A watermark is a fact
 * in the namespace {@code memoria.extractors/<extractor id>}, keyed by the run id; deleting that
 * namespace makes the extractor start over (and still store nothing twice).
 */
public final class FactIngestion {
    /** The first segment of the namespaces where watermarks are kept. */
    public static final String WATERMARKS = "memoria.extractors";
    private static final int PAGE = 200;

    private final Stores stores;
    private final FactStore facts;
    private final FactExtractor extractor;

    private FactIngestion(Stores stores, FactStore facts, FactExtractor extractor) {
        this.stores = Objects.requireNonNull(stores, "stores");
        this.facts = Objects.requireNonNull(facts, "facts");
        this.extractor = Objects.requireNonNull(extractor, "extractor");
        Checks.id(extractor.id(), "extractor id");
    }

    /**
     * @param stores where the events are read and the facts put
     * @param extractor what turns events into facts
     * @return an ingestion into {@code stores.facts()}
     */
    public static FactIngestion of(Stores stores, FactExtractor extractor) {
        return new FactIngestion(stores, stores.facts(), extractor);
    }

    /**
     * @param stores where the events are read
     * @param facts where the facts go, for example {@code stores.facts().withEmbedder(embedder)}
     * @param extractor what turns events into facts
     * @return an ingestion
     */
    public static FactIngestion of(Stores stores, FactStore facts, FactExtractor extractor) {
        return new FactIngestion(stores, facts, extractor);
    }

    /**
     * What one ingestion did.
     *
     * @param eventsRead events read after the watermarks
     * @param facts the facts its puts returned, in order (those stored before by an interrupted
     *     ingestion included)
     */
    public record Result(long eventsRead, List<Fact> facts) {
        /** Copies the list. */
        public Result {
            facts = List.copyOf(facts);
        }
    }

    /**
     * @param runId a run
     * @return what was read and put
     * @throws NotFoundException if the run or its session is unknown
     */
    public Result ingestRun(String runId) {
        Run run = stores.runs().get(Checks.id(runId, "runId")).orElseThrow(() -> new NotFoundException("run", runId));
        Session session = stores.sessions().get(run.sessionId())
                .orElseThrow(() -> new NotFoundException("session", run.sessionId()));
        return ingest(session, run);
    }

    /**
     * @param sessionId a session
     * @return what was read and put, over every run of the session
     * @throws NotFoundException if the session is unknown
     */
    public Result ingestSession(String sessionId) {
        Session session = stores.sessions().get(Checks.id(sessionId, "sessionId"))
                .orElseThrow(() -> new NotFoundException("session", sessionId));
        long read = 0;
        List<Fact> put = new ArrayList<>();
        for (Run run : stores.runs().listBySession(sessionId)) {
            Result r = ingest(session, run);
            read += r.eventsRead();
            put.addAll(r.facts());
        }
        return new Result(read, put);
    }

    /**
     * @param runId a run
     * @return the sequence of the last event of the run this extractor has read, 0 for none
     */
    public long watermark(String runId) {
        return facts.search(FactQuery.in(watermarks()).key(Checks.id(runId, "runId")).limit(1)).first()
                .map(m -> ((Number) m.fact().data().getOrDefault("sequence", 0L)).longValue()).orElse(0L);
    }

    /**
     * Removes every extractor's watermark of a run, for when the run itself is removed
     * ({@link Stores#purgeSession} calls it).
     *
     * @param facts the fact store
     * @param runId the run
     * @return how many watermarks were removed
     */
    public static long forgetWatermarks(FactStore facts, String runId) {
        long removed = 0;
        for (FactMatch m : facts.search(FactQuery.in(Namespace.of(WATERMARKS)).key(Checks.id(runId, "runId"))
                .allVersions().limit(dev.memoria.Limits.MAX_PAGE_SIZE)).items()) {
            removed += facts.delete(m.fact().id()) ? 1 : 0;
        }
        return removed;
    }

    private Namespace watermarks() {
        return Namespace.of(WATERMARKS, extractor.id());
    }

    private Result ingest(Session session, Run run) {
        long after = watermark(run.id());
        long read = 0;
        List<Fact> put = new ArrayList<>();
        while (true) {
            Page<MemoryEvent> page = stores.memory().read(EventQuery.run(run.ref()).after(after).limit(PAGE));
            if (page.items().isEmpty()) {
                break;
            }
            List<MemoryEvent> events = page.items();
            read += events.size();
            MemoryEvent last = events.get(events.size() - 1);
            Map<Long, Integer> perSource = new HashMap<>();
            for (NewFact fact : extractor.extract(session, events)) {
                Objects.requireNonNull(fact, "a fact the extractor " + extractor.id() + " returned");
                FactSource source = fact.source() != null ? fact.source() : new FactSource(last.run(), last.sequence());
                int n = perSource.merge(source.sequence(), 1, Integer::sum);
                String idempotencyKey = fact.idempotencyKey() != null ? fact.idempotencyKey()
                        : extractor.id() + ":" + source.run().runId() + ":" + source.sequence() + ":" + n;
                put.add(facts.put(new NewFact(fact.namespace(), fact.key(), fact.text(), fact.data(), fact.labels(), source,
                        fact.expiresAt(), fact.vector(), idempotencyKey)));
            }
            after = last.sequence();
            advance(run, after);
            if (!page.hasNext()) {
                break;
            }
        }
        return new Result(read, put);
    }

    private void advance(Run run, long sequence) {
        if (watermark(run.id()) >= sequence) {
            return; // another ingestion went further meanwhile; never move back
        }
        facts.put(NewFact.builder(watermarks(), "watermark of extractor " + extractor.id() + " in run " + run.id())
                .key(run.id()).data(Map.of("sequence", sequence, "session", run.sessionId())).build());
    }

    @Override
    public String toString() {
        return "FactIngestion[" + extractor.id() + "]";
    }
}
