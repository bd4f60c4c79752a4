package dev.memoria.cli;

import dev.memoria.AlreadyExistsException;
import dev.memoria.Limits;
import dev.memoria.Page;
import dev.memoria.Stores;
import dev.memoria.memory.Event;
import dev.memoria.memory.EventQuery;
import dev.memoria.memory.EventType;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.run.NewRun;
import dev.memoria.run.Run;
import dev.memoria.run.RunRef;
import dev.memoria.run.RunStatus;
import dev.memoria.session.NewSession;
import dev.memoria.session.Session;
import dev.memoria.session.SessionFilter;
import dev.memoria.session.SessionStatus;
import dev.memoria.spi.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The export format and its replay, shared by {@code export}, {@code import} and {@code copy}.
 *
 * <p>JSON Lines, version 1. The first line is {@code {"memoria":"export","version":1}}; then, per
 * session, its {@code session} record, its {@code run} records (oldest first) and each run's
 * {@code event} records by sequence. Timestamps are ISO-8601 instants; versions are not exported
 * (they are each store's concurrency tokens). Replaying writes each record with the store's clock
 * set to the record's own time, so timestamps survive a round trip; it skips what the target
 * already holds (events by idempotency key), which makes import and copy idempotent and resumable.
 */
final class Transfer {
    static final int FORMAT_VERSION = 1;

    private Transfer() {
    }

    static Map<String, Object> header() {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("memoria", "export");
        h.put("version", (long) FORMAT_VERSION);
        return h;
    }

    /** Every record of the source, session by session, newest session first. */
    static Iterator<Map<String, Object>> records(Stores source, String onlySession) {
        List<String> sessionIds = new ArrayList<>();
        if (onlySession != null) {
            source.sessions().get(onlySession).orElseThrow(() -> new CliException("no session '" + onlySession
                    + "' in the store (list them with: memoria sessions)"));
            sessionIds.add(onlySession);
        } else {
            Listings.sessions(source, SessionFilter.all()).forEach(s -> sessionIds.add(s.id()));
        }
        return new Iterator<>() {
            private final Iterator<String> sessions = sessionIds.iterator();
            private final List<Map<String, Object>> buffer = new ArrayList<>();
            private Iterator<Run> runs = List.<Run>of().iterator();
            private RunRef eventsOf;
            private long afterSequence;

            @Override
            public boolean hasNext() {
                while (buffer.isEmpty()) {
                    if (eventsOf != null) {
                        Page<MemoryEvent> page = source.memory().read(EventQuery.run(eventsOf).after(afterSequence)
                                .limit(Limits.MAX_PAGE_SIZE));
                        page.items().forEach(e -> buffer.add(event(e)));
                        if (page.items().isEmpty()) {
                            eventsOf = null;
                        } else {
                            afterSequence = page.items().get(page.items().size() - 1).sequence();
                        }
                    } else if (runs.hasNext()) {
                        Run run = runs.next();
                        buffer.add(run(run));
                        eventsOf = run.ref();
                        afterSequence = 0;
                    } else if (sessions.hasNext()) {
                        Session s = source.sessions().get(sessions.next()).orElse(null);
                        if (s != null) {
                            buffer.add(session(s));
                            runs = source.runs().listBySession(s.id()).iterator();
                        }
                    } else {
                        return false;
                    }
                }
                return true;
            }

            @Override
            public Map<String, Object> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return buffer.remove(0);
            }
        };
    }

    static Map<String, Object> session(Session s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", "session");
        m.put("id", s.id());
        m.put("userId", s.userId());
        m.put("status", s.status().name());
        m.put("createdAt", s.createdAt().toString());
        m.put("updatedAt", s.updatedAt().toString());
        m.put("endedAt", s.endedAt() == null ? null : s.endedAt().toString());
        m.put("labels", s.labels());
        m.put("metadata", s.metadata());
        return m;
    }

    static Map<String, Object> run(Run r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", "run");
        m.put("id", r.id());
        m.put("sessionId", r.sessionId());
        m.put("agentId", r.agentId());
        m.put("parentRunId", r.parentRunId());
        m.put("status", r.status().name());
        m.put("startedAt", r.startedAt().toString());
        m.put("updatedAt", r.updatedAt().toString());
        m.put("endedAt", r.endedAt() == null ? null : r.endedAt().toString());
        m.put("labels", r.labels());
        m.put("metadata", r.metadata());
        m.put("error", r.error());
        return m;
    }

    static Map<String, Object> event(MemoryEvent e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", "event");
        m.put("sessionId", e.run().sessionId());
        m.put("agentId", e.run().agentId());
        m.put("runId", e.run().runId());
        m.put("sequence", e.sequence());
        m.put("key", e.key());
        m.put("type", e.type().name());
        m.put("timestamp", e.timestamp().toString());
        m.put("data", e.data());
        m.put("labels", e.labels());
        return m;
    }

    /** What a replay wrote and what it found already there. */
    static final class Counts {
        long sessionsWritten;
        long sessionsPresent;
        long runsWritten;
        long runsPresent;
        long eventsWritten;
        long eventsPresent;
        long invalid;

        long written() {
            return sessionsWritten + runsWritten + eventsWritten;
        }

        @Override
        public String toString() {
            return Render.count(sessionsWritten, "session") + ", " + Render.count(runsWritten, "run") + ", "
                    + Render.count(eventsWritten, "event") + " written; " + Render.count(sessionsPresent, "session") + ", "
                    + Render.count(runsPresent, "run") + ", " + Render.count(eventsPresent, "event") + " already present"
                    + (invalid == 0 ? "" : "; " + Render.count(invalid, "invalid record") + " skipped");
        }
    }

    /**
     * Replays records into a target whose stores read {@code clock}. A record is checked in full
     * before anything of it is written; a bad record is reported through {@code problems} with its
     * position and skipped.
     */
    static final class Replay implements AutoCloseable {
        private final Stores target;
        private final SettableClock clock;
        private final Consumer<String> problems;
        final Counts counts = new Counts();
        private Map<String, Object> openSession;
        private final List<PendingEvent> events = new ArrayList<>();
        private long eventsBytes;

        private record PendingEvent(long line, RunRef ref, long sequence, Event event) {
        }

        Replay(Stores target, SettableClock clock, Consumer<String> problems) {
            this.target = target;
            this.clock = clock;
            this.problems = problems;
        }

        void accept(long line, Map<String, Object> record) {
            String kind = String.valueOf(record.get("kind"));
            try {
                switch (kind) {
                    case "session" -> {
                        Session s = parseSession(record);
                        finishSession();
                        writeSession(s);
                        openSession = record;
                    }
                    case "run" -> {
                        Run r = parseRun(record);
                        flushEvents();
                        writeRun(r);
                    }
                    case "event" -> {
                        PendingEvent e = parseEvent(line, record);
                        long bytes = Json.encodedSize(e.event().data());
                        if (!events.isEmpty() && (!events.get(0).ref().equals(e.ref())
                                || events.size() == Limits.MAX_EVENTS_PER_APPEND
                                || eventsBytes + bytes > Limits.MAX_APPEND_DATA_BYTES)) {
                            flushEvents();
                        }
                        events.add(e);
                        eventsBytes += bytes;
                    }
                    default -> throw new IllegalArgumentException("kind: expected session, run or event, got '" + kind + "'");
                }
            } catch (IllegalArgumentException | NullPointerException | ClassCastException bad) {
                counts.invalid++;
                problems.accept("record " + line + ": " + describe(bad) + " (nothing of it was written)");
            } catch (dev.memoria.NotFoundException | dev.memoria.SessionEndedException | dev.memoria.ConflictException refused) {
                counts.invalid++;
                events.clear();
                eventsBytes = 0;
                problems.accept("record " + line + ": the target refused it: " + refused.getMessage());
            }
        }

        private static String describe(RuntimeException e) {
            if (e instanceof ClassCastException) {
                return "a field has the wrong type";
            }
            if (e instanceof NullPointerException) {
                return "missing field " + e.getMessage();
            }
            return e.getMessage();
        }

        private void writeSession(Session s) {
            if (target.sessions().get(s.id()).isPresent()) {
                counts.sessionsPresent++;
                return;
            }
            clock.set(s.createdAt());
            try {
                Session created = target.sessions().create(NewSession.builder().id(s.id()).userId(s.userId())
                        .labels(s.labels()).metadata(s.metadata()).build());
                if (s.status() == SessionStatus.ACTIVE && !s.updatedAt().equals(s.createdAt())) {
                    clock.set(s.updatedAt());
                    target.sessions().update(created);
                }
                counts.sessionsWritten++;
            } catch (AlreadyExistsException raced) {
                counts.sessionsPresent++;
            }
        }

        /** Sessions end after their runs were written: an ENDED session takes no new runs (X2). */
        private void finishSession() {
            flushEvents();
            if (openSession != null && "ENDED".equals(openSession.get("status"))) {
                Session stored = target.sessions().get((String) openSession.get("id")).orElse(null);
                if (stored != null && stored.isActive()) {
                    clock.set(Instant.parse((String) openSession.get("endedAt")));
                    target.sessions().update(stored.ended());
                }
            }
            openSession = null;
        }

        private void writeRun(Run r) {
            if (target.runs().get(r.id()).isPresent()) {
                counts.runsPresent++;
                return;
            }
            clock.set(r.startedAt());
            RunStatus initial = switch (r.status()) {
                case PENDING, FAILED, CANCELED -> RunStatus.PENDING;
                default -> RunStatus.RUNNING;
            };
            Run created = target.runs().create(NewRun.builder(r.sessionId(), r.agentId()).id(r.id())
                    .parentRunId(r.parentRunId()).status(initial).build());
            Run withContent = created.withLabels(r.labels()).withMetadata(r.metadata());
            if (r.status() != initial || !r.labels().isEmpty() || !r.metadata().isEmpty() || !r.updatedAt().equals(r.startedAt())) {
                clock.set(r.updatedAt());
                target.runs().update(r.status() == RunStatus.FAILED ? withContent.failed(r.error())
                        : withContent.withStatus(r.status()));
            }
            counts.runsWritten++;
        }

        private void flushEvents() {
            if (events.isEmpty()) {
                return;
            }
            RunRef ref = events.get(0).ref();
            List<MemoryEvent> before = target.memory().read(EventQuery.run(ref).latest(1)).items();
            long lastBefore = before.isEmpty() ? 0 : before.get(0).sequence();
            List<MemoryEvent> stored = target.memory().append(ref, events.stream().map(PendingEvent::event).toList());
            for (int i = 0; i < stored.size(); i++) {
                MemoryEvent e = stored.get(i);
                if (e.sequence() > lastBefore) {
                    counts.eventsWritten++;
                } else {
                    counts.eventsPresent++;
                }
                if (e.sequence() != events.get(i).sequence()) {
                    problems.accept("record " + events.get(i).line() + ": event " + e.key() + " was stored as sequence "
                            + e.sequence() + ", not " + events.get(i).sequence()
                            + " (the target run already held other events)");
                }
            }
            events.clear();
            eventsBytes = 0;
        }

        @Override
        public void close() {
            finishSession();
        }
    }

    private static Instant instant(Map<String, Object> r, String field) {
        Object v = r.get(field);
        if (v == null) {
            return null;
        }
        try {
            return Instant.parse((String) v);
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException(field + ": not an ISO-8601 instant: " + v);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> Map<String, T> map(Map<String, Object> r, String field) {
        Object v = r.get(field);
        return v == null ? Map.of() : (Map<String, T>) v;
    }

    private static String text(Map<String, Object> r, String field) {
        return (String) Objects.requireNonNull(r.get(field), field);
    }

    private static <E extends Enum<E>> E enumOf(Class<E> type, Map<String, Object> r, String field) {
        String value = text(r, field);
        try {
            return Enum.valueOf(type, value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": expected one of " + java.util.Arrays.toString(type.getEnumConstants())
                    + ", got '" + value + "'");
        }
    }

    static Session parseSession(Map<String, Object> r) {
        SessionStatus status = enumOf(SessionStatus.class, r, "status");
        Instant ended = instant(r, "endedAt");
        if (status == SessionStatus.ENDED && ended == null) {
            throw new IllegalArgumentException("endedAt: an ENDED session needs it");
        }
        return new Session(text(r, "id"), (String) r.get("userId"), status, Objects.requireNonNull(instant(r, "createdAt"), "createdAt"),
                Objects.requireNonNull(instant(r, "updatedAt"), "updatedAt"), ended, map(r, "labels"), map(r, "metadata"), 1);
    }

    static Run parseRun(Map<String, Object> r) {
        return new Run(text(r, "id"), text(r, "sessionId"), text(r, "agentId"), (String) r.get("parentRunId"),
                enumOf(RunStatus.class, r, "status"), Objects.requireNonNull(instant(r, "startedAt"), "startedAt"),
                Objects.requireNonNull(instant(r, "updatedAt"), "updatedAt"), instant(r, "endedAt"), map(r, "labels"),
                map(r, "metadata"), (String) r.get("error"), 1);
    }

    private static Replay.PendingEvent parseEvent(long line, Map<String, Object> r) {
        RunRef ref = new RunRef(text(r, "sessionId"), text(r, "agentId"), text(r, "runId"));
        long sequence = (Long) Objects.requireNonNull(r.get("sequence"), "sequence");
        Event event = new Event(text(r, "key"), enumOf(EventType.class, r, "type"),
                Objects.requireNonNull(instant(r, "timestamp"), "timestamp"), map(r, "data"), map(r, "labels"));
        return new Replay.PendingEvent(line, ref, sequence, event);
    }
}
