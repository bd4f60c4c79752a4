package dev.memoria.inmemory;

import dev.memoria.AlreadyExistsException;
import dev.memoria.NotFoundException;
import dev.memoria.Page;
import dev.memoria.run.NewRun;
import dev.memoria.run.Run;
import dev.memoria.run.RunFilter;
import dev.memoria.run.RunStatus;
import dev.memoria.run.RunStore;
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

final class InMemoryRunStore implements RunStore {
    static final Comparator<Run> OLDEST_FIRST = Comparator.comparing(Run::startedAt).thenComparing(Run::id);

    private final Clock clock;
    private final ConcurrentHashMap<String, Run> runs = new ConcurrentHashMap<>();

    InMemoryRunStore(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Run create(NewRun spec) {
        Objects.requireNonNull(spec, "spec");
        Run run = Records.created(spec, clock.instant());
        if (runs.putIfAbsent(run.id(), run) != null) {
            throw new AlreadyExistsException("run", run.id());
        }
        return run;
    }

    @Override
    public Optional<Run> get(String id) {
        return Optional.ofNullable(runs.get(Checks.id(id, "id")));
    }

    @Override
    public Run update(Run changed) {
        Objects.requireNonNull(changed, "changed");
        return runs.compute(changed.id(), (id, current) -> {
            if (current == null) {
                throw new NotFoundException("run", id);
            }
            return Records.updated(current, changed, clock.instant());
        });
    }

    @Override
    public Page<Run> list(RunFilter filter) {
        Objects.requireNonNull(filter, "filter");
        Run after = null;
        if (filter.cursor() != null) {
            List<String> key = Cursors.decode(filter.cursor(), "runs", filter.scope(), 2);
            Instant at;
            try {
                at = Instant.ofEpochMilli(Long.parseLong(key.get(0)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("cursor: invalid, unsupported cursor format");
            }
            after = new Run(key.get(1), "cursor", "cursor", null, RunStatus.PENDING, at, at, null, null, null, null, 0);
        }
        Run from = after;
        List<Run> matching = runs.values().stream()
                .filter(filter::matches)
                .filter(r -> from == null || OLDEST_FIRST.compare(r, from) > 0)
                .sorted(OLDEST_FIRST)
                .limit(filter.limit() + 1L)
                .toList();
        return Cursors.page(matching, filter.limit(),
                last -> Cursors.encode("runs", filter.scope(), Long.toString(last.startedAt().toEpochMilli()), last.id()));
    }

    @Override
    public boolean delete(String id) {
        return runs.remove(Checks.id(id, "id")) != null;
    }

    @Override
    public String toString() {
        return "InMemoryRunStore[" + runs.size() + " runs]";
    }
}
