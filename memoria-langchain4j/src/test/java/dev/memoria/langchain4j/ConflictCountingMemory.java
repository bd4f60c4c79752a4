package dev.memoria.langchain4j;

import dev.memoria.Page;
import dev.memoria.SequenceConflictException;
import dev.memoria.memory.Event;
import dev.memoria.memory.EventQuery;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.memory.MemoryStore;
import dev.memoria.memory.Snapshot;
import dev.memoria.run.RunRef;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend's memory store, unchanged, that counts the compare-and-append conflicts and, when
 * armed, holds each writer thread's first compare-and-append until the other writer has reached
 * its own: both then append after the same last sequence, so one of them must conflict. That is
 * how LC3 proves its writers overlapped, without sleeping.
 */
final class ConflictCountingMemory implements MemoryStore {
    private final MemoryStore delegate;
    private final AtomicInteger conflicts = new AtomicInteger();
    private final ThreadLocal<Boolean> met = ThreadLocal.withInitial(() -> false);
    private volatile CyclicBarrier meeting;

    ConflictCountingMemory(MemoryStore delegate) {
        this.delegate = delegate;
    }

    /** @param writers how many threads' first compare-and-append wait for each other */
    void holdFirstAppendsUntilAllArrive(int writers) {
        meeting = new CyclicBarrier(writers);
    }

    int conflicts() {
        return conflicts.get();
    }

    @Override
    public List<MemoryEvent> appendAfter(RunRef run, long expectedLastSequence, List<Event> events) {
        CyclicBarrier barrier = meeting;
        if (barrier != null && !met.get()) {
            met.set(true);
            try {
                // a bound only so that a broken test fails instead of hanging; the writers meet at once
                barrier.await(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("the writers did not both reach their compare-and-append", e);
            }
        }
        try {
            return delegate.appendAfter(run, expectedLastSequence, events);
        } catch (SequenceConflictException e) {
            conflicts.incrementAndGet();
            throw e;
        }
    }

    @Override
    public Snapshot load(RunRef run) {
        return delegate.load(run);
    }

    @Override
    public List<MemoryEvent> append(RunRef run, List<Event> events) {
        return delegate.append(run, events);
    }

    @Override
    public Page<MemoryEvent> read(EventQuery query) {
        return delegate.read(query);
    }

    @Override
    public long delete(RunRef run) {
        return delegate.delete(run);
    }
}
