package dev.memoria.mongodb;

import com.mongodb.MongoException;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import dev.memoria.AlreadyExistsException;
import dev.memoria.ConflictException;
import dev.memoria.Ids;
import dev.memoria.NotFoundException;
import dev.memoria.Page;
import dev.memoria.run.NewRun;
import dev.memoria.run.Run;
import dev.memoria.run.RunFilter;
import dev.memoria.run.RunStatus;
import dev.memoria.run.RunStore;
import dev.memoria.spi.Checks;
import dev.memoria.spi.Cursors;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.bson.Document;
import org.bson.conversions.Bson;

/** One document per run; updates are compare-and-set on the version field. */
final class MongoRunStore implements RunStore {
    private final Layout c;

    MongoRunStore(Layout c) {
        this.c = c;
    }

    @Override
    public Run create(NewRun spec) {
        Objects.requireNonNull(spec, "spec");
        Instant now = c.clock.instant();
        Run run = new Run(spec.id() == null ? Ids.next() : spec.id(), spec.sessionId(), spec.agentId(), spec.parentRunId(),
                spec.status(), now, now, null, spec.labels(), spec.metadata(), null, 1);
        try {
            c.runs.insertOne(toDocument(run));
        } catch (MongoException e) {
            if (UserData.isDuplicateKey(e)) {
                throw new AlreadyExistsException("run", run.id());
            }
            throw UserData.translate(e, "create run failed");
        }
        return run;
    }

    @Override
    public Optional<Run> get(String id) {
        Checks.id(id, "id");
        try {
            return Optional.ofNullable(c.runs.find(Filters.eq("_id", id)).first()).map(MongoRunStore::fromDocument);
        } catch (MongoException e) {
            throw UserData.translate(e, "get run failed");
        }
    }

    @Override
    public Run update(Run changed) {
        Objects.requireNonNull(changed, "changed");
        try {
            Run current = get(changed.id()).orElseThrow(() -> new NotFoundException("run", changed.id()));
            Checks.runUpdate(current, changed);
            Instant now = c.clock.instant();
            Run stored = new Run(current.id(), current.sessionId(), current.agentId(), current.parentRunId(),
                    changed.status(), current.startedAt(), now, changed.status().isTerminal() ? now : null,
                    changed.labels(), changed.metadata(), changed.error(), current.version() + 1);
            // compare-and-set on the whole state that was read (see MongoSessionStore.update): the
            // transition was checked against exactly this document
            Document read = toDocument(current);
            boolean replaced = c.runs.replaceOne(Filters.and(Filters.eq("_id", current.id()),
                    Filters.eq("v", current.version()), Filters.eq("st", read.get("st")), Filters.eq("l", read.get("l")),
                    Filters.eq("m", read.get("m")), Filters.eq("err", read.get("err"))), toDocument(stored)).getMatchedCount() == 1;
            if (!replaced) {
                Run latest = get(current.id()).orElseThrow(() -> new NotFoundException("run", current.id()));
                Checks.runUpdate(latest, changed);
                throw ConflictException.staleVersion("run", current.id(), changed.version(), latest.version());
            }
            return stored;
        } catch (MongoException e) {
            throw UserData.translate(e, "update run failed");
        }
    }

    @Override
    public Page<Run> list(RunFilter filter) {
        Objects.requireNonNull(filter, "filter");
        List<Bson> conditions = new ArrayList<>();
        if (filter.sessionId() != null) {
            conditions.add(Filters.eq("s", filter.sessionId()));
        }
        if (filter.agentId() != null) {
            conditions.add(Filters.eq("a", filter.agentId()));
        }
        if (filter.parentRunId() != null) {
            conditions.add(Filters.eq("p", filter.parentRunId()));
        }
        if (!filter.statuses().isEmpty()) {
            conditions.add(Filters.in("st", filter.statuses().stream().map(RunStatus::name).toList()));
        }
        if (filter.updatedBefore() != null) {
            conditions.add(Filters.lt("ua", filter.updatedBefore().toEpochMilli()));
        }
        if (filter.cursor() != null) {
            List<String> key = Cursors.decode(filter.cursor(), "runs", filter.scope(), 2);
            long at = Cursors.number(key.get(0));
            conditions.add(Filters.or(Filters.gt("sa", at), Filters.and(Filters.eq("sa", at), Filters.gt("_id", key.get(1)))));
        }
        try {
            List<Run> found = new ArrayList<>();
            c.runs.find(conditions.isEmpty() ? new Document() : Filters.and(conditions))
                    .sort(Sorts.ascending("sa", "_id")).limit(filter.limit() + 1)
                    .forEach(d -> found.add(fromDocument(d)));
            return Cursors.page(found, filter.limit(), last -> Cursors.encode("runs", filter.scope(),
                    Long.toString(last.startedAt().toEpochMilli()), last.id()));
        } catch (MongoException e) {
            throw UserData.translate(e, "list runs failed");
        }
    }

    @Override
    public boolean delete(String id) {
        Checks.id(id, "id");
        try {
            return c.runs.deleteOne(Filters.eq("_id", id)).getDeletedCount() > 0;
        } catch (MongoException e) {
            throw UserData.translate(e, "delete run failed");
        }
    }

    private static Document toDocument(Run r) {
        return new Document("_id", r.id()).append("s", r.sessionId()).append("a", r.agentId()).append("p", r.parentRunId())
                .append("st", r.status().name()).append("sa", r.startedAt().toEpochMilli())
                .append("ua", r.updatedAt().toEpochMilli())
                .append("ea", r.endedAt() == null ? null : r.endedAt().toEpochMilli())
                .append("l", UserData.toBson(r.labels()))
                .append("m", UserData.toBson(r.metadata())).append("err", r.error()).append("v", r.version());
    }

    private static Run fromDocument(Document d) {
        Long ended = d.getLong("ea");
        return new Run(d.getString("_id"), d.getString("s"), d.getString("a"), d.getString("p"),
                RunStatus.valueOf(d.getString("st")), Instant.ofEpochMilli(d.getLong("sa")),
                Instant.ofEpochMilli(d.getLong("ua")), ended == null ? null : Instant.ofEpochMilli(ended),
                UserData.labels(d.get("l")), UserData.fromBson(d.get("m")),
                d.getString("err"), d.getLong("v"));
    }

    @Override
    public String toString() {
        return "MongoRunStore[" + c.prefix + "]";
    }
}
