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
import dev.memoria.spi.Records;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

final class InMemorySessionStore implements SessionStore {
    static final Comparator<Session> NEWEST_FIRST =
            Comparator.comparing(Session::createdAt).thenComparing(Session::id).reversed();

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
    public Page<Session> list(SessionFilter filter) {
        Objects.requireNonNull(filter, "filter");
        Session after = null;
        if (filter.cursor() != null) {
            List<String> key = Cursors.decode(filter.cursor(), "sessions", filter.scope(), 2);
            after = positionOf(key.get(0), key.get(1));
        }
        Session from = after;
        List<Session> matching = sessions.values().stream()
                .filter(filter::matches)
                .filter(s -> from == null || NEWEST_FIRST.compare(s, from) > 0)
                .sorted(NEWEST_FIRST)
                .limit(filter.limit() + 1L)
                .toList();
        return Cursors.page(matching, filter.limit(),
                last -> Cursors.encode("sessions", filter.scope(), Long.toString(last.createdAt().toEpochMilli()), last.id()));
    }

    private static Session positionOf(String createdMillis, String id) {
        Instant at;
        try {
            at = Instant.ofEpochMilli(Long.parseLong(createdMillis));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("cursor: invalid, unsupported cursor format");
        }
        return new Session(id, null, SessionStatus.ACTIVE, at, at, null, null, null, 0);
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
