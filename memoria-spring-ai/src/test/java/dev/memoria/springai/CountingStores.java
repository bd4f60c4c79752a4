package dev.memoria.springai;

import dev.memoria.Page;
import dev.memoria.SequenceConflictException;
import dev.memoria.Stores;
import dev.memoria.memory.Event;
import dev.memoria.memory.EventQuery;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.memory.MemoryStore;
import dev.memoria.memory.Snapshot;
import dev.memoria.run.RunRef;
import dev.memoria.session.NewSession;
import dev.memoria.session.Session;
import dev.memoria.session.SessionFilter;
import dev.memoria.session.SessionStore;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Real stores with counters around them: session listings, event reads, compare-and-append
 * conflicts; and a gate that holds each thread's first compare-and-append until all writers
 * reach it, so that their writes are computed from the same state (no sleeps).
 */
final class CountingStores {
    final AtomicInteger sessionLists = new AtomicInteger();
    final AtomicInteger eventReads = new AtomicInteger();
    final AtomicInteger conflicts = new AtomicInteger();
    private volatile CyclicBarrier gate;
    private final Set<Thread> passed = ConcurrentHashMap.newKeySet();

    /** @return the stores with the counters; closing them closes nothing (the caller owns {@code inner}) */
    Stores wrap(Stores inner) {
        return Stores.of(new Sessions(inner.sessions()), inner.runs(), new Memory(inner.memory()), () -> { });
    }

    /** Makes the first {@code appendAfter} of each of {@code writers} threads wait for the others. */
    void gate(int writers) {
        passed.clear();
        gate = new CyclicBarrier(writers);
    }

    void resetCounts() {
        sessionLists.set(0);
        eventReads.set(0);
        conflicts.set(0);
    }

    private final class Sessions implements SessionStore {
        private final SessionStore inner;

        Sessions(SessionStore inner) {
            this.inner = inner;
        }

        @Override
        public Session create(NewSession spec) {
            return inner.create(spec);
        }

        @Override
        public Optional<Session> get(String id) {
            return inner.get(id);
        }

        @Override
        public Session update(Session changed) {
            return inner.update(changed);
        }

        @Override
        public void touch(String id, Instant activityAt) {
            inner.touch(id, activityAt);
        }

        @Override
        public Page<Session> list(SessionFilter filter) {
            sessionLists.incrementAndGet();
            return inner.list(filter);
        }

        @Override
        public boolean delete(String id) {
            return inner.delete(id);
        }
    }

    private final class Memory implements MemoryStore {
        private final MemoryStore inner;

        Memory(MemoryStore inner) {
            this.inner = inner;
        }

        @Override
        public Snapshot load(RunRef run) {
            eventReads.incrementAndGet();
            return inner.load(run);
        }

        @Override
        public List<MemoryEvent> append(RunRef run, List<Event> events) {
            return inner.append(run, events);
        }

        @Override
        public List<MemoryEvent> appendAfter(RunRef run, long expectedLastSequence, List<Event> events) {
            CyclicBarrier g = gate;
            if (g != null && passed.add(Thread.currentThread())) {
                try {
                    g.await(30, TimeUnit.SECONDS); // a safety net against a hang, not a synchronisation by time
                } catch (Exception e) {
                    throw new IllegalStateException("the writers never met at the gate", e);
                }
            }
            try {
                return inner.appendAfter(run, expectedLastSequence, events);
            } catch (SequenceConflictException e) {
                conflicts.incrementAndGet();
                throw e;
            }
        }

        @Override
        public Page<MemoryEvent> read(EventQuery query) {
            eventReads.incrementAndGet();
            return inner.read(query);
        }

        @Override
        public long delete(RunRef run) {
            return inner.delete(run);
        }
    }
}
