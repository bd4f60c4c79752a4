package dev.memoria.spi;

import dev.memoria.ConflictException;
import dev.memoria.memory.Event;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.run.RunRef;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How an append is decided, written once for every backend (M1, M3, M10, M11): given what the
 * run's log holds (its last sequence and the stored events under the batch's keys), which events
 * to write and which to return, or the conflict to report. A backend gathers those facts under
 * whatever serialises its appenders, calls {@link #decide}, and writes {@link Decision#toWrite()}.
 */
public final class Appends {
    private Appends() {
    }

    /**
     * Checks that a ref names the log it is used with (M10): the run id names the log, and the
     * log belongs to the session and agent it was started with.
     *
     * @param ref the ref given to an append
     * @param storedSessionId the session the log was started under
     * @param storedAgentId the agent the log was started under
     * @throws ConflictException if either differs
     */
    public static void checkOwner(RunRef ref, String storedSessionId, String storedAgentId) {
        if (!ref.sessionId().equals(storedSessionId) || !ref.agentId().equals(storedAgentId)) {
            throw ConflictException.foreignRun(ref, storedSessionId, storedAgentId);
        }
    }

    /**
     * Whether a read with {@code ref} may see a log started under the stored session and agent
     * (M12): a ref that names the right run but another session or agent reads nothing.
     *
     * @param ref the ref of a read
     * @param storedSessionId the session the log was started under
     * @param storedAgentId the agent the log was started under
     * @return whether the read sees the log
     */
    public static boolean readable(RunRef ref, String storedSessionId, String storedAgentId) {
        return ref.sessionId().equals(storedSessionId) && ref.agentId().equals(storedAgentId);
    }

    /**
     * The events of a batch as they are stored right after {@code afterSequence}: numbered in list
     * order, stamped {@code now} where they carry no timestamp (M1).
     *
     * @param ref the run
     * @param afterSequence the log's last sequence before them
     * @param batch the events, all new
     * @param now the store clock's now
     * @return the stored events
     */
    public static List<MemoryEvent> numbered(RunRef ref, long afterSequence, List<Event> batch, Instant now) {
        List<MemoryEvent> out = new ArrayList<>(batch.size());
        long seq = afterSequence;
        for (Event e : batch) {
            out.add(stored(ref, ++seq, e, now));
        }
        return Collections.unmodifiableList(out);
    }

    private static MemoryEvent stored(RunRef ref, long sequence, Event e, Instant now) {
        return new MemoryEvent(ref, sequence, e.key(), e.typeName(), e.timestamp() == null ? now : e.timestamp(),
                e.data(), e.labels());
    }

    /**
     * Decides an append.
     *
     * @param ref the run, already checked with {@link #checkOwner}
     * @param lastSequence the log's last sequence, 0 when empty
     * @param expectedLastSequence the caller's expectation for {@code appendAfter}, or -1 for a
     *     plain {@code append}
     * @param batch the checked batch ({@link Checks#events})
     * @param storedByKey the events the log already holds under the batch's keys (any others may
     *     be included and are ignored)
     * @param now the store clock's now
     * @return what to write and what to return, or the conflict
     */
    public static Decision decide(RunRef ref, long lastSequence, long expectedLastSequence, List<Event> batch,
                                  Map<String, MemoryEvent> storedByKey, Instant now) {
        Objects.requireNonNull(ref, "ref");
        // M3: every key is checked before anything is written, so a conflict writes nothing
        int alreadyStored = 0;
        for (Event e : batch) {
            MemoryEvent stored = storedByKey.get(e.key());
            if (stored != null) {
                if (!e.sameContentAs(stored)) {
                    return new Decision(List.of(), List.of(), lastSequence, ConflictException.keyReused(ref.runId(), e.key()));
                }
                alreadyStored++;
            }
        }
        boolean retryOfWrittenBatch = !batch.isEmpty() && alreadyStored == batch.size();
        if (expectedLastSequence >= 0 && lastSequence != expectedLastSequence && !retryOfWrittenBatch) {
            // M11: a stale expectation writes nothing, unless the whole batch is a retry of a write that succeeded
            return new Decision(List.of(), List.of(), lastSequence,
                    ConflictException.sequenceMoved(ref.runId(), expectedLastSequence, lastSequence));
        }
        List<MemoryEvent> result = new ArrayList<>(batch.size());
        List<MemoryEvent> toWrite = new ArrayList<>(batch.size() - alreadyStored);
        long last = lastSequence;
        for (Event e : batch) {
            MemoryEvent stored = storedByKey.get(e.key());
            if (stored == null) {
                stored = stored(ref, ++last, e, now);
                toWrite.add(stored);
            }
            result.add(stored);
        }
        return new Decision(Collections.unmodifiableList(toWrite), Collections.unmodifiableList(result), last, null);
    }

    /**
     * The outcome of {@link #decide}: the events to write (possibly none) and the events the
     * append returns, or a conflict, in which case nothing may be written.
     */
    public static final class Decision {
        private final List<MemoryEvent> toWrite;
        private final List<MemoryEvent> result;
        private final long lastSequence;
        private final ConflictException conflict;

        Decision(List<MemoryEvent> toWrite, List<MemoryEvent> result, long lastSequence, ConflictException conflict) {
            this.toWrite = toWrite;
            this.result = result;
            this.lastSequence = lastSequence;
            this.conflict = conflict;
        }

        /** @return whether the append must fail and write nothing */
        public boolean isConflict() {
            return conflict != null;
        }

        /**
         * @return this decision, if it is not a conflict
         * @throws ConflictException the conflict, otherwise
         */
        public Decision orThrow() {
            if (conflict != null) {
                throw conflict;
            }
            return this;
        }

        /** @return the new events to write, numbered after the log's last sequence; empty for a retry */
        public List<MemoryEvent> toWrite() {
            return toWrite;
        }

        /** @return what the append returns: the stored or new event for each event of the batch, in order */
        public List<MemoryEvent> result() {
            return result;
        }

        /** @return the log's last sequence once {@link #toWrite()} is written */
        public long lastSequence() {
            return lastSequence;
        }

        @Override
        public String toString() {
            return conflict != null ? "Decision[conflict: " + conflict.getMessage() + "]"
                    : "Decision[write " + toWrite.size() + ", return " + result.size() + ", last " + lastSequence + "]";
        }
    }
}
