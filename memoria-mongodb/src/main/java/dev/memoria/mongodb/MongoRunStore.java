package dev.memoria.mongodb;

import com.mongodb.MongoException;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import dev.memoria.AlreadyExistsException;
import dev.memoria.ConflictException;
import dev.memoria.NotFoundException;
import dev.memoria.Page;
import dev.memoria.run.NewRun;
import dev.memoria.run.Run;
import dev.memoria.run.RunFilter;
import dev.memoria.run.RunOrder;
import dev.memoria.run.RunStatus;
import dev.memoria.run.RunStore;
import dev.memoria.spi.Checks;
import dev.memoria.spi.Cursors;
import dev.memoria.spi.Records;
import dev.memoria.spi.Retries;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * One document per run: {@code _id}, {@code s} (session), {@code a} (agent), {@code p} (parent
 * run), {@code st} (status), {@code sa}, {@code ua}, {@code ea} (started, updated, ended, epoch
 * millis), {@code l} (labels), {@code m} (metadata), {@code err} and {@code v} (version).
 *
 * <p>Updates are compare-and-set on the version, as in {@link MongoSessionStore}:
 * {@link dev.memoria.spi.Records#updated} checks the rules (R2, R4) against the run that was read,
 * and the replace matches only the document still at the version the change was computed from,
 * which is exactly the state the transition was checked against.
 */
final class MongoRunStore implements RunStore {
    private final Layout c;

    MongoRunStore(Layout c) {
        this.c = c;
    }

    @Override
    public Run create(NewRun spec) {
        Objects.requireNonNull(spec, "spec");
        Run run = Records.created(spec, c.clock.instant());
        return c.call("create run failed", () -> {
            try {
                c.runs.insertOne(toDocument(run));
            } catch (MongoException e) {
                if (UserData.isDuplicateKey(e)) {
                    throw new AlreadyExistsException("run", run.id());
                }
                throw e;
            }
            return run;
        });
    }

    @Override
    public Optional<Run> get(String id) {
        Checks.id(id, "id");
        return c.call("get run failed", () -> read(id));
    }

    private Optional<Run> read(String id) {
        return Optional.ofNullable(c.runs.find(Filters.eq("_id", id)).first()).map(MongoRunStore::fromDocument);
    }

    @Override
    public Run update(Run changed) {
        Objects.requireNonNull(changed, "changed");
        return c.call("update run failed", () -> {
            Run stored = read(changed.id()).orElseThrow(() -> new NotFoundException("run", changed.id()));
            return replace(stored, changed);
        });
    }

    /** Reads once per attempt: the change is computed from, and checked against, the same stored run. */
    @Override
    public Run update(String id, UnaryOperator<Run> change) {
        Objects.requireNonNull(change, "change");
        Checks.id(id, "id");
        return Retries.onConflict(() -> c.call("update run failed", () -> {
            Run stored = read(id).orElseThrow(() -> new NotFoundException("run", id));
            return replace(stored, Objects.requireNonNull(change.apply(stored), "change returned null"));
        }));
    }

    /** Stores {@code changed} in place of {@code stored} if the document is still at the version it was computed from. */
    private Run replace(Run stored, Run changed) {
        Run next = Records.updated(stored, changed, c.clock.instant());
        boolean replaced = c.runs.replaceOne(Filters.and(Filters.eq("_id", stored.id()), Filters.eq("v", changed.version())),
                toDocument(next)).getMatchedCount() == 1;
        if (!replaced) {
            Run now = read(stored.id()).orElseThrow(() -> new NotFoundException("run", stored.id()));
            Records.updated(now, changed, c.clock.instant()); // throws what applies: a terminal run, a stale version
            throw ConflictException.staleVersion("run", stored.id(), changed.version(), now.version());
        }
        return next;
    }

    @Override
    public Page<Run> list(RunFilter filter) {
        Objects.requireNonNull(filter, "filter");
        String scope = dev.memoria.spi.Filters.scope(filter);
        boolean descending = filter.order() == RunOrder.NEWEST_FIRST;
        Conditions conditions = new Conditions().equal("s", filter.sessionId()).equal("a", filter.agentId())
                .equal("p", filter.parentRunId()).in("st", filter.statuses()).labels("l", filter.labels())
                .after("sa", filter.startedAfter()).before("sa", filter.startedBefore())
                .after("ua", filter.updatedAfter()).before("ua", filter.updatedBefore());
        if (filter.cursor() != null) {
            List<String> key = Cursors.decode(filter.cursor(), "runs", scope, 2);
            conditions.after("sa", descending, Cursors.number(key.get(0)), key.get(1));
        }
        return c.call("list runs failed", () -> {
            // a bounded result (limit + 1 documents): into() reads it all and closes the cursor
            List<Document> docs = c.runs.find(conditions.filter()).sort(Conditions.order("sa", descending))
                    .limit(filter.limit() + 1).into(new ArrayList<>());
            List<Run> found = new ArrayList<>(docs.size());
            docs.forEach(d -> found.add(fromDocument(d)));
            return Cursors.page(found, filter.limit(), last -> Cursors.encode("runs", scope,
                    Long.toString(last.startedAt().toEpochMilli()), last.id()));
        });
    }

    @Override
    public boolean delete(String id) {
        Checks.id(id, "id");
        return c.call("delete run failed", () -> c.runs.deleteOne(Filters.eq("_id", id)).getDeletedCount() > 0);
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
