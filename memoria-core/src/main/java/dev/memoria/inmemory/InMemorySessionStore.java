package dev.memoria.inmemory;

import dev.memoria.AlreadyExistsException;
import dev.memoria.NotFoundException;
import dev.memoria.Page;
import dev.memoria.session.NewSession;
import dev.memoria.session.Session;
import dev.memoria.session.SessionFilter;
import dev.memoria.session.SessionStatus;
import dev.memoria.session.SessionStore;
import dev.memoria.spi.Checks;
import dev.memoria.spi.Cursors;
import dev.memoria.spi.Filters;
import dev.memoria.spi.Records;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

final class InMemorySessionStore implements SessionStore {
    private final Clock clock;
    private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();

    InMemorySessionStore(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Session create(NewSession spec) {
        Objects.requireNonNull(spec, "spec");
        Session session = Records.created(spec, clock.instant());
        if (sessions.putIfAbsent(session.id(), session) != null) {
            throw new AlreadyExistsException("session", session.id());
        }
        return session;
    }

    @Override
    public Optional<Session> get(String id) {
        return Optional.ofNullable(sessions.get(Checks.id(id, "id")));
    }

    @Override
    public Session update(Session changed) {
        Objects.requireNonNull(changed, "changed");
        Session stored = sessions.compute(changed.id(), (id, current) -> {
            if (current == null) {
                throw new NotFoundException("session", id);
            }
            return Records.updated(current, changed, clock.instant());
        });
        return stored;
    }

    @Override
    public void touch(String id, Instant activityAt) {
        Checks.id(id, "id");
        Objects.requireNonNull(activityAt, "activityAt");
        sessions.computeIfPresent(id, (k, stored) -> Records.touched(stored, activityAt));
    }

    @Override
    public Page<Session> list(SessionFilter filter) {
        Objects.requireNonNull(filter, "filter");
        Comparator<Session> order = Filters.comparator(filter.order());
        String scope = Filters.scope(filter);
        Session from = null;
        if (filter.cursor() != null) {
            List<String> key = Cursors.decode(filter.cursor(), "sessions", scope, 2);
            Instant at = Instant.ofEpochMilli(Cursors.number(key.get(0)));
            // a stand-in with the cursor's sort time in both the created and the activity position
            from = new Session(key.get(1), null, SessionStatus.ACTIVE, at, at, at, null, null, null, 0);
        }
        Session start = from;
        List<Session> matching = sessions.values().stream()
                .filter(s -> Filters.matches(filter, s))
                .filter(s -> start == null || order.compare(s, start) > 0)
                .sorted(order)
                .limit(filter.limit() + 1L)
                .toList();
        return Cursors.page(matching, filter.limit(), last -> Cursors.encode("sessions", scope,
                Long.toString(Filters.sortTime(filter.order(), last).toEpochMilli()), last.id()));
    }

    @Override
    public boolean delete(String id) {
        return sessions.remove(Checks.id(id, "id")) != null;
    }

    @Override
    public String toString() {
        return "InMemorySessionStore[" + sessions.size() + " sessions]";
    }
}
