package dev.memoria.mongodb;

import com.mongodb.MongoException;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import dev.memoria.AlreadyExistsException;
import dev.memoria.ConflictException;
import dev.memoria.Ids;
import dev.memoria.NotFoundException;
import dev.memoria.Page;
import dev.memoria.SessionEndedException;
import dev.memoria.session.NewSession;
import dev.memoria.session.Session;
import dev.memoria.session.SessionFilter;
import dev.memoria.session.SessionStatus;
import dev.memoria.session.SessionStore;
import dev.memoria.spi.Checks;
import dev.memoria.spi.Cursors;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.bson.Document;
import org.bson.conversions.Bson;

/** One document per session; updates are compare-and-set on the version field. */
final class MongoSessionStore implements SessionStore {
    private final Layout c;

    MongoSessionStore(Layout c) {
        this.c = c;
    }

    @Override
    public Session create(NewSession spec) {
        Objects.requireNonNull(spec, "spec");
        Instant now = c.clock.instant();
        Session s = new Session(spec.id() == null ? Ids.next() : spec.id(), spec.userId(), SessionStatus.ACTIVE, now, now,
                null, spec.labels(), spec.metadata(), 1);
        try {
            c.sessions.insertOne(toDocument(s));
        } catch (MongoException e) {
            if (UserData.isDuplicateKey(e)) {
                throw new AlreadyExistsException("session", s.id());
            }
            throw UserData.translate(e, "create session failed");
        }
        return s;
    }

    @Override
    public Optional<Session> get(String id) {
        Checks.id(id, "id");
        try {
            return Optional.ofNullable(c.sessions.find(Filters.eq("_id", id)).first()).map(MongoSessionStore::fromDocument);
        } catch (MongoException e) {
            throw UserData.translate(e, "get session failed");
        }
    }

    @Override
    public Session update(Session changed) {
        Objects.requireNonNull(changed, "changed");
        try {
            Session current = get(changed.id()).orElseThrow(() -> new NotFoundException("session", changed.id()));
            Checks.sessionUpdate(current, changed);
            Instant now = c.clock.instant();
            Session stored = new Session(current.id(), changed.userId(), changed.status(), current.createdAt(), now,
                    changed.status() == SessionStatus.ENDED ? now : null, changed.labels(), changed.metadata(),
                    current.version() + 1);
            // compare-and-set on the whole state that was read, not the version alone: a concurrent
            // writer makes it match nothing, and so does a read that mixed two versions of the
            // document (MongoDB never returns one; the in-process test server can, under load)
            Document read = toDocument(current);
            boolean replaced = c.sessions.replaceOne(
                    Filters.and(Filters.eq("_id", current.id()), Filters.eq("v", current.version()),
                            Filters.eq("st", SessionStatus.ACTIVE.name()), Filters.eq("u", read.get("u")),
                            Filters.eq("l", read.get("l")), Filters.eq("m", read.get("m"))),
                    toDocument(stored)).getMatchedCount() == 1;
            if (!replaced) {
                Session now2 = get(current.id()).orElseThrow(() -> new NotFoundException("session", current.id()));
                if (now2.status() == SessionStatus.ENDED) {
                    throw new SessionEndedException(current.id());
                }
                throw ConflictException.staleVersion("session", current.id(), changed.version(), now2.version());
            }
            return stored;
        } catch (MongoException e) {
            throw UserData.translate(e, "update session failed");
        }
    }

    @Override
    public Page<Session> list(SessionFilter filter) {
        Objects.requireNonNull(filter, "filter");
        List<Bson> conditions = new ArrayList<>();
        if (filter.status() != null) {
            conditions.add(Filters.eq("st", filter.status().name()));
        }
        if (filter.userId() != null) {
            conditions.add(Filters.eq("u", filter.userId()));
        }
        for (Map.Entry<String, String> label : filter.labels().entrySet()) {
            conditions.add(Filters.eq("l." + UserData.escapeKey(label.getKey()), label.getValue()));
        }
        if (filter.createdAfter() != null) {
            conditions.add(Filters.gt("ca", filter.createdAfter().toEpochMilli()));
        }
        if (filter.createdBefore() != null) {
            conditions.add(Filters.lt("ca", filter.createdBefore().toEpochMilli()));
        }
        if (filter.updatedBefore() != null) {
            conditions.add(Filters.lt("ua", filter.updatedBefore().toEpochMilli()));
        }
        if (filter.cursor() != null) {
            List<String> key = Cursors.decode(filter.cursor(), "sessions", filter.scope(), 2);
            long at = Cursors.number(key.get(0));
            conditions.add(Filters.or(Filters.lt("ca", at), Filters.and(Filters.eq("ca", at), Filters.lt("_id", key.get(1)))));
        }
        try {
            List<Session> found = new ArrayList<>();
            c.sessions.find(conditions.isEmpty() ? new Document() : Filters.and(conditions))
                    .sort(Sorts.descending("ca", "_id")).limit(filter.limit() + 1)
                    .forEach(d -> found.add(fromDocument(d)));
            return Cursors.page(found, filter.limit(), last -> Cursors.encode("sessions", filter.scope(),
                    Long.toString(last.createdAt().toEpochMilli()), last.id()));
        } catch (MongoException e) {
            throw UserData.translate(e, "list sessions failed");
        }
    }

    @Override
    public boolean delete(String id) {
        Checks.id(id, "id");
        try {
            return c.sessions.deleteOne(Filters.eq("_id", id)).getDeletedCount() > 0;
        } catch (MongoException e) {
            throw UserData.translate(e, "delete session failed");
        }
    }

    private static Document toDocument(Session s) {
        return new Document("_id", s.id()).append("u", s.userId()).append("st", s.status().name())
                .append("ca", s.createdAt().toEpochMilli()).append("ua", s.updatedAt().toEpochMilli())
                .append("ea", s.endedAt() == null ? null : s.endedAt().toEpochMilli())
                .append("l", UserData.toBson(s.labels()))
                .append("m", UserData.toBson(s.metadata())).append("v", s.version());
    }

    private static Session fromDocument(Document d) {
        Long ended = d.getLong("ea");
        return new Session(d.getString("_id"), d.getString("u"), SessionStatus.valueOf(d.getString("st")),
                Instant.ofEpochMilli(d.getLong("ca")), Instant.ofEpochMilli(d.getLong("ua")),
                ended == null ? null : Instant.ofEpochMilli(ended), UserData.labels(d.get("l")),
                UserData.fromBson(d.get("m")), d.getLong("v"));
    }

    @Override
    public String toString() {
        return "MongoSessionStore[" + c.prefix + "]";
    }
}
