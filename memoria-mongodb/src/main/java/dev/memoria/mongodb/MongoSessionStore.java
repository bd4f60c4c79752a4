package dev.memoria.mongodb;

import com.mongodb.MongoException;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import dev.memoria.AlreadyExistsException;
import dev.memoria.ConflictException;
import dev.memoria.NotFoundException;
import dev.memoria.Page;
import dev.memoria.SessionEndedException;
import dev.memoria.session.NewSession;
import dev.memoria.session.Session;
import dev.memoria.session.SessionFilter;
import dev.memoria.session.SessionOrder;
import dev.memoria.session.SessionStatus;
import dev.memoria.session.SessionStore;
import dev.memoria.spi.Checks;
import dev.memoria.spi.Cursors;
import dev.memoria.spi.Records;
import dev.memoria.spi.Retries;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * One document per session: {@code _id}, {@code u} (user), {@code st} (status), {@code ca},
 * {@code ua}, {@code ea} (created, updated, ended, epoch millis), {@code l} (labels), {@code m}
 * (metadata) and {@code v} (version).
 *
 * <p>Updates are compare-and-set on the version: {@link dev.memoria.spi.Records#updated} checks
 * the rules (S4, S6) against the stored session that was read and builds the record to store,
 * and the replace matches only the document still at the version the caller's change was
 * computed from. Every write raises the version, so a document at that version is exactly the
 * state the rules were checked against; any concurrent write makes the replace match nothing.
 */
final class MongoSessionStore implements SessionStore {
    private final Layout c;

    MongoSessionStore(Layout c) {
        this.c = c;
    }

    @Override
    public Session create(NewSession spec) {
        Objects.requireNonNull(spec, "spec");
        Session s = Records.created(spec, c.clock.instant());
        return c.call("create session failed", () -> {
            try {
                c.sessions.insertOne(toDocument(s));
            } catch (MongoException e) {
                if (UserData.isDuplicateKey(e)) {
                    throw new AlreadyExistsException("session", s.id());
                }
                throw e;
            }
            return s;
        });
    }

    @Override
    public Optional<Session> get(String id) {
        Checks.id(id, "id");
        return c.call("get session failed", () -> read(id));
    }

    private Optional<Session> read(String id) {
        return Optional.ofNullable(c.sessions.find(Filters.eq("_id", id)).first()).map(MongoSessionStore::fromDocument);
    }

    @Override
    public Session update(Session changed) {
        Objects.requireNonNull(changed, "changed");
        return c.call("update session failed", () -> {
            Session stored = read(changed.id()).orElseThrow(() -> new NotFoundException("session", changed.id()));
            return replace(stored, changed);
        });
    }

    /** Reads once per attempt: the change is computed from, and checked against, the same stored session. */
    @Override
    public Session update(String id, UnaryOperator<Session> change) {
        Objects.requireNonNull(change, "change");
        Checks.id(id, "id");
        return Retries.onConflict(() -> c.call("update session failed", () -> {
            Session stored = read(id).orElseThrow(() -> new NotFoundException("session", id));
            return replace(stored, Objects.requireNonNull(change.apply(stored), "change returned null"));
        }));
    }

    /** Stores {@code changed} in place of {@code stored} if the document is still at the version it was computed from. */
    private Session replace(Session stored, Session changed) {
        Session next = Records.updated(stored, changed, c.clock.instant());
        boolean replaced = c.sessions.replaceOne(Filters.and(Filters.eq("_id", stored.id()), Filters.eq("v", changed.version())),
                toDocument(next)).getMatchedCount() == 1;
        if (!replaced) {
            Session now = read(stored.id()).orElseThrow(() -> new NotFoundException("session", stored.id()));
            if (now.status() == SessionStatus.ENDED) {
                throw new SessionEndedException(stored.id());
            }
            throw ConflictException.staleVersion("session", stored.id(), changed.version(), now.version());
        }
        return next;
    }

    @Override
    public void touch(String id, Instant activityAt) {
        Checks.id(id, "id");
        long at = Objects.requireNonNull(activityAt, "activityAt").toEpochMilli();
        c.call("touch session failed", () -> c.sessions.updateOne(Filters.and(Filters.eq("_id", id), Filters.lt("la", at)),
                new Document("$set", new Document("la", at))));
    }

    @Override
    public Page<Session> list(SessionFilter filter) {
        Objects.requireNonNull(filter, "filter");
        String scope = dev.memoria.spi.Filters.scope(filter);
        String time = filter.order() == SessionOrder.RECENTLY_ACTIVE_FIRST ? "la" : "ca";
        boolean descending = dev.memoria.spi.Filters.descending(filter.order());
        Conditions conditions = new Conditions().equal("u", filter.userId()).in("st", filter.statuses())
                .labels("l", filter.labels()).after("ca", filter.createdAfter()).before("ca", filter.createdBefore())
                .after("ua", filter.updatedAfter()).before("ua", filter.updatedBefore())
                .after("la", filter.lastActivityAfter()).before("la", filter.lastActivityBefore());
        if (filter.cursor() != null) {
            List<String> key = Cursors.decode(filter.cursor(), "sessions", scope, 2);
            conditions.after(time, descending, Cursors.number(key.get(0)), key.get(1));
        }
        return c.call("list sessions failed", () -> {
            // a bounded result (limit + 1 documents): into() reads it all and closes the cursor
            List<Document> docs = c.sessions.find(conditions.filter()).sort(Conditions.order(time, descending))
                    .limit(filter.limit() + 1).into(new ArrayList<>());
            List<Session> found = new ArrayList<>(docs.size());
            docs.forEach(d -> found.add(fromDocument(d)));
            return Cursors.page(found, filter.limit(), last -> Cursors.encode("sessions", scope,
                    Long.toString(dev.memoria.spi.Filters.sortTime(filter.order(), last).toEpochMilli()), last.id()));
        });
    }

    @Override
    public boolean delete(String id) {
        Checks.id(id, "id");
        return c.call("delete session failed", () -> c.sessions.deleteOne(Filters.eq("_id", id)).getDeletedCount() > 0);
    }

    private static Document toDocument(Session s) {
        return new Document("_id", s.id()).append("u", s.userId()).append("st", s.status().name())
                .append("ca", s.createdAt().toEpochMilli()).append("ua", s.updatedAt().toEpochMilli())
                .append("la", s.lastActivityAt().toEpochMilli())
                .append("ea", s.endedAt() == null ? null : s.endedAt().toEpochMilli())
                .append("l", UserData.toBson(s.labels()))
                .append("m", UserData.toBson(s.metadata())).append("v", s.version());
    }

    private static Session fromDocument(Document d) {
        Long ended = d.getLong("ea");
        Long activity = d.getLong("la"); // absent in documents written before schema 3, until prepare() fills it
        return new Session(d.getString("_id"), d.getString("u"), SessionStatus.valueOf(d.getString("st")),
                Instant.ofEpochMilli(d.getLong("ca")), Instant.ofEpochMilli(d.getLong("ua")),
                Instant.ofEpochMilli(activity == null ? d.getLong("ca") : activity), ended == null ? null : Instant.ofEpochMilli(ended), UserData.labels(d.get("l")),
                UserData.fromBson(d.get("m")), d.getLong("v"));
    }

    @Override
    public String toString() {
        return "MongoSessionStore[" + c.prefix + "]";
    }
}
