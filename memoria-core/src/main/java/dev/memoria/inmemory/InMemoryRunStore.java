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
import dev.memoria.spi.Filters;
import dev.memoria.spi.Records;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

final class InMemoryRunStore implements RunStore {
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
        Comparator<Run> order = Filters.comparator(filter.order());
        String scope = Filters.scope(filter);
        Run from = null;
        if (filter.cursor() != null) {
            List<String> key = Cursors.decode(filter.cursor(), "runs", scope, 2);
            Instant at = Instant.ofEpochMilli(Cursors.number(key.get(0)));
            from = new Run(key.get(1), "cursor", "cursor", null, RunStatus.PENDING, at, at, null, null, null, null, 0);
        }
        Run start = from;
        List<Run> matching = runs.values().stream()
                .filter(r -> Filters.matches(filter, r))
                .filter(r -> start == null || order.compare(r, start) > 0)
                .sorted(order)
                .limit(filter.limit() + 1L)
                .toList();
        return Cursors.page(matching, filter.limit(),
                last -> Cursors.encode("runs", scope, Long.toString(last.startedAt().toEpochMilli()), last.id()));
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
