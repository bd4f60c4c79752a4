package dev.memoria;

import dev.memoria.fact.FactStore;
import dev.memoria.inmemory.InMemoryStores;
import dev.memoria.memory.EventQuery;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.memory.MemoryStore;
import dev.memoria.run.Run;
import dev.memoria.run.RunRef;
import dev.memoria.run.RunStore;
import dev.memoria.session.SessionStore;
import dev.memoria.internal.Checks;
import dev.memoria.spi.StoreProvider;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * One backend's four stores (sessions, runs, memory, facts), or a mix of stores from several backends.
 *
 * <pre>{@code
 * try (Stores stores = Stores.open("sqlite:./memoria.db")) {
 *     Session s = stores.sessions().create(NewSession.forUser("ada"));
 * }
 * }</pre>
 *
 * <p>Thread-safe. Close it when done: it releases what the backend opened (files, connections),
 * never a resource the caller passed in.
 */
public interface Stores extends AutoCloseable {
    /** @return the session store */
    SessionStore sessions();

    /** @return the run store; its {@code create} checks the session (X2) */
    RunStore runs();

    /** @return the memory store */
    MemoryStore memory();

    /**
     * @return the fact store: long-term memory across sessions (K1–K10)
     * @throws UnsupportedOperationException if these stores were composed without one, with
     *     {@link #of(SessionStore, RunStore, MemoryStore)}
     */
    FactStore facts();

    /**
     * Removes a session, its runs and their events: events first, then runs, then the session,
     * so that an interrupted purge leaves nothing unreachable and a second call finishes it (X1).
     * Idempotent: purging an unknown session does nothing. A session that has forks is refused
     * before anything is removed, naming them (C7): their views read this session's events.
     * Facts learned in the session stay (they are long-term memory; their source then names a run
     * that is gone): erase them with {@link FactStore#deleteNamespace}. The extractors' watermarks
     * of its runs go with the runs.
     *
     * @param sessionId the session
     * @throws ConflictException if sessions were forked from this one; purge them first
     */
    default void purgeSession(String sessionId) {
        Checks.id(sessionId, "sessionId");
        List<dev.memoria.session.Session> forks = sessions().list(dev.memoria.session.SessionFilter.all()
                .label(dev.memoria.internal.Labels.FORKED_FROM, sessionId).limit(5)).items();
        if (!forks.isEmpty()) {
            throw new ConflictException("session " + Checks.shorten(sessionId) + " has forks whose views read its events ("
                    + forks.stream().map(s -> Checks.shorten(s.id())).collect(java.util.stream.Collectors.joining(", "))
                    + (forks.size() == 5 ? ", …" : "") + "): purge them first; nothing was removed");
        }
        dev.memoria.fact.FactStore facts;
        try {
            facts = facts();
        } catch (UnsupportedOperationException none) {
            facts = null;
        }
        for (Run run : runs().listBySession(sessionId)) {
            memory().delete(run.ref());
            if (facts != null) {
                dev.memoria.fact.FactIngestion.forgetWatermarks(facts, run.id()); // the extractors' bookkeeping of the run
            }
            runs().delete(run.id());
        }
        // events whose run record was never created, or lives elsewhere
        while (true) {
            List<MemoryEvent> left = memory().read(EventQuery.session(sessionId).limit(Limits.MAX_PAGE_SIZE)).items();
            if (left.isEmpty()) {
                break;
            }
            Set<RunRef> refs = new LinkedHashSet<>();
            left.forEach(e -> refs.add(e.run()));
            refs.forEach(memory()::delete);
        }
        sessions().delete(sessionId);
    }

    /** Releases what the backend opened. Closing twice does nothing. */
    @Override
    void close();

    /**
     * Combines four stores, for example sessions in PostgreSQL and memory in MongoDB. The
     * result's run store checks, before each create, that the session exists and is active in
     * {@code sessions} (X2). Closing the result closes nothing: the caller owns the parts.
     *
     * @param sessions the session store
     * @param runs the run store
     * @param memory the memory store
     * @param facts the fact store
     * @return the combined stores
     */
    static Stores of(SessionStore sessions, RunStore runs, MemoryStore memory, FactStore facts) {
        return of(sessions, runs, memory, facts, () -> { });
    }

    /**
     * Like {@link #of(SessionStore, RunStore, MemoryStore, FactStore)}, with what to do on close;
     * for backends that own resources.
     *
     * @param sessions the session store
     * @param runs the run store
     * @param memory the memory store
     * @param facts the fact store
     * @param onClose called once, on the first close
     * @return the combined stores
     */
    static Stores of(SessionStore sessions, RunStore runs, MemoryStore memory, FactStore facts, AutoCloseable onClose) {
        return new ComposedStores(sessions, runs, memory, Objects.requireNonNull(facts, "facts"), onClose);
    }

    /**
     * Combines three stores without a fact store: {@link #facts()} is then refused. For code that
     * does not use facts.
     *
     * @param sessions the session store
     * @param runs the run store
     * @param memory the memory store
     * @return the combined stores
     */
    static Stores of(SessionStore sessions, RunStore runs, MemoryStore memory) {
        return of(sessions, runs, memory, () -> { });
    }

    /**
     * Like {@link #of(SessionStore, RunStore, MemoryStore)} (no fact store), with what to do on
     * close.
     *
     * @param sessions the session store
     * @param runs the run store
     * @param memory the memory store
     * @param onClose called once, on the first close
     * @return the combined stores
     */
    static Stores of(SessionStore sessions, RunStore runs, MemoryStore memory, AutoCloseable onClose) {
        return new ComposedStores(sessions, runs, memory, null, onClose);
    }

    /** @return new, empty, thread-safe in-memory stores on the system clock */
    static Stores inMemory() {
        return InMemoryStores.create();
    }

    /**
     * Opens stores from a URI through the {@link StoreProvider}s on the class path:
     * {@code memory:} (core), {@code sqlite:path} and {@code jdbc:postgresql://…}
     * ({@code memoria-jdbc}), {@code mongodb://host/db} ({@code memoria-mongodb}).
     *
     * @param uri where the stores are
     * @return the stores; the caller closes them
     * @throws IllegalArgumentException if no provider opens the URI, naming those that exist
     */
    static Stores open(String uri) {
        return open(uri, java.time.Clock.systemUTC());
    }

    /**
     * Like {@link #open(String)}, with the clock the stores read "now" from (for tests, and for
     * tools that replay history, such as an import that keeps the original timestamps).
     *
     * @param uri where the stores are
     * @param clock the clock
     * @return the stores; the caller closes them
     */
    static Stores open(String uri, java.time.Clock clock) {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(clock, "clock");
        if (uri.isBlank()) {
            throw new IllegalArgumentException("uri: must not be blank");
        }
        List<String> schemes = new ArrayList<>();
        for (StoreProvider provider : ServiceLoader.load(StoreProvider.class, Stores.class.getClassLoader())) {
            if (provider.supports(uri)) {
                return provider.open(uri, clock);
            }
            schemes.addAll(provider.schemes());
        }
        int colon = uri.indexOf(':');
        String scheme = colon < 0 ? uri : uri.substring(0, colon + 1);
        throw new IllegalArgumentException("uri: no store provider for '" + Checks.shorten(scheme)
                + "'; available: " + String.join(", ", schemes)
                + " (memoria-jdbc and memoria-mongodb bring sqlite:, jdbc:postgresql: and mongodb: when on the class path)");
    }
}
