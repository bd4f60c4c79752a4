package dev.memoria.inmemory;

import dev.memoria.ConflictException;
import dev.memoria.Page;
import dev.memoria.fact.Fact;
import dev.memoria.fact.FactMatch;
import dev.memoria.fact.FactQuery;
import dev.memoria.fact.FactStore;
import dev.memoria.fact.Namespace;
import dev.memoria.fact.NewFact;
import dev.memoria.spi.Checks;
import dev.memoria.spi.Facts;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongConsumer;

/**
 * The reference fact store: every fact in a map by id, an inverted index of normalised words, and
 * the namespaces in a sorted map, so that a word search looks at the facts holding the query's
 * rarest word (K10) and a listing at its namespace only. One lock: the reference is meant to be
 * right, not fast.
 */
final class InMemoryFactStore implements FactStore {
    private final Clock clock;
    private final LongConsumer factsExamined;
    private final Map<String, Fact> byId = new HashMap<>();
    /** namespace path → ids of every version there */
    private final NavigableMap<String, Set<String>> byNamespace = new TreeMap<>();
    /** namespace path + key → id of the current fact */
    private final Map<String, String> currentByKey = new HashMap<>();
    /** namespace path + idempotency key → id */
    private final Map<String, String> byIdempotencyKey = new HashMap<>();
    /** word → ids of the facts whose text holds it */
    private final Map<String, Set<String>> postings = new HashMap<>();
    private final Map<String, List<String>> wordsOf = new HashMap<>();
    private long totalWords;

    InMemoryFactStore(Clock clock, LongConsumer factsExamined) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.factsExamined = Objects.requireNonNull(factsExamined, "factsExamined");
    }

    private static String slot(Namespace namespace, String key) {
        return namespace.path() + '\u001f' + key;
    }

    @Override
    public synchronized Fact put(NewFact fact) {
        Objects.requireNonNull(fact, "fact");
        Instant now = clock.instant();
        if (fact.idempotencyKey() != null) {
            String done = byIdempotencyKey.get(slot(fact.namespace(), fact.idempotencyKey()));
            if (done != null) {
                Fact stored = byId.get(done);
                if (!stored.hasSameContentAs(fact) || !Objects.equals(stored.key(), fact.key())) {
                    throw new ConflictException("idempotencyKey " + Checks.shorten(fact.idempotencyKey())
                            + " was used in " + fact.namespace() + " for another fact: " + stored.id());
                }
                return stored;
            }
        }
        long version = 1;
        if (fact.key() != null) {
            String currentId = currentByKey.get(slot(fact.namespace(), fact.key()));
            Fact current = currentId == null ? null : byId.get(currentId);
            if (current != null && current.hasSameContentAs(fact) && !current.isExpiredAt(now)) {
                return current;
            }
            version = newestVersion(fact.namespace(), fact.key()) + 1;
            if (current != null) {
                // a clock that went back: the new fact starts when the old one did, never before it
                now = current.validFrom().isAfter(now) ? current.validFrom() : now;
                byId.put(current.id(), current.supersededAt(now));
            }
        }
        Fact stored = Facts.stored(fact, Facts.newId(), version, now);
        index(stored);
        return stored;
    }

    private long newestVersion(Namespace namespace, String key) {
        long newest = 0;
        for (String id : byNamespace.getOrDefault(namespace.path(), Set.of())) {
            Fact f = byId.get(id);
            if (key.equals(f.key())) {
                newest = Math.max(newest, f.version());
            }
        }
        return newest;
    }

    private void index(Fact fact) {
        byId.put(fact.id(), fact);
        byNamespace.computeIfAbsent(fact.namespace().path(), p -> new LinkedHashSet<>()).add(fact.id());
        if (fact.key() != null && fact.isCurrent()) {
            currentByKey.put(slot(fact.namespace(), fact.key()), fact.id());
        }
        if (fact.idempotencyKey() != null) {
            byIdempotencyKey.put(slot(fact.namespace(), fact.idempotencyKey()), fact.id());
        }
        List<String> words = Facts.indexWords(fact.text());
        wordsOf.put(fact.id(), words);
        totalWords += words.size();
        for (String w : new HashSet<>(words)) {
            postings.computeIfAbsent(w, k -> new HashSet<>()).add(fact.id());
        }
    }

    private void unindex(Fact fact) {
        byId.remove(fact.id());
        Set<String> ids = byNamespace.get(fact.namespace().path());
        if (ids != null) {
            ids.remove(fact.id());
            if (ids.isEmpty()) {
                byNamespace.remove(fact.namespace().path());
            }
        }
        if (fact.key() != null) {
            currentByKey.remove(slot(fact.namespace(), fact.key()), fact.id());
        }
        if (fact.idempotencyKey() != null) {
            byIdempotencyKey.remove(slot(fact.namespace(), fact.idempotencyKey()), fact.id());
        }
        List<String> words = wordsOf.remove(fact.id());
        totalWords -= words.size();
        for (String w : new HashSet<>(words)) {
            Set<String> posting = postings.get(w);
            posting.remove(fact.id());
            if (posting.isEmpty()) {
                postings.remove(w);
            }
        }
    }

    @Override
    public synchronized Optional<Fact> get(String id) {
        Checks.id(id, "id");
        Fact fact = byId.get(id);
        return fact == null || fact.isExpiredAt(clock.instant()) ? Optional.empty() : Optional.of(fact);
    }

    @Override
    public synchronized List<Fact> history(Namespace namespace, String key) {
        Objects.requireNonNull(namespace, "namespace");
        Checks.id(key, "key");
        Instant now = clock.instant();
        List<Fact> versions = new ArrayList<>();
        for (String id : byNamespace.getOrDefault(namespace.path(), Set.of())) {
            Fact f = byId.get(id);
            if (key.equals(f.key()) && !f.isExpiredAt(now)) {
                versions.add(f);
            }
        }
        versions.sort(Comparator.comparingLong(Fact::version));
        return versions;
    }

    /** The ids of every fact in the prefix's namespaces. */
    private List<String> idsWithin(Namespace prefix) {
        List<String> ids = new ArrayList<>();
        if (prefix.isRoot()) {
            byNamespace.values().forEach(ids::addAll);
            return ids;
        }
        String path = prefix.path();
        ids.addAll(byNamespace.getOrDefault(path, Set.of()));
        byNamespace.subMap(path + "/", true, path + "0", false).values().forEach(ids::addAll);
        return ids;
    }

    @Override
    public synchronized Page<FactMatch> search(FactQuery query) {
        Objects.requireNonNull(query, "query");
        Facts.requireVector(query);
        Instant now = clock.instant();
        Facts.after(query); // a foreign cursor is refused before any work
        switch (query.mode()) {
            case HYBRID:
                return Facts.hybrid(query, this::search);
            case SIMILAR: {
                List<Fact> candidates = new ArrayList<>();
                for (String id : idsWithin(query.prefix())) {
                    candidates.add(byId.get(id));
                }
                factsExamined.accept(candidates.size());
                return Facts.bySimilarity(query, candidates, now);
            }
            case LIST: {
                List<String> ids = idsWithin(query.prefix());
                factsExamined.accept(ids.size());
                List<FactMatch> matches = new ArrayList<>();
                for (String id : ids) {
                    Fact f = byId.get(id);
                    if (query.admits(f, now)) {
                        matches.add(new FactMatch(f, 0));
                    }
                }
                return Facts.pageOf(query, matches);
            }
            default:
                return byWords(query, now);
        }
    }

    private Page<FactMatch> byWords(FactQuery query, Instant now) {
        List<String> words = query.words();
        if (words.isEmpty()) {
            factsExamined.accept(0);
            return new Page<>(List.of(), null);
        }
        Set<String> rarest = null;
        Map<String, Long> df = new HashMap<>();
        for (String w : words) {
            Set<String> posting = postings.getOrDefault(w, Set.of());
            df.put(w, (long) posting.size());
            if (rarest == null || posting.size() < rarest.size()) {
                rarest = posting;
            }
        }
        factsExamined.accept(rarest.size());
        double average = byId.isEmpty() ? 1 : (double) totalWords / byId.size();
        List<FactMatch> matches = new ArrayList<>();
        for (String id : rarest) {
            Fact f = byId.get(id);
            List<String> factWords = wordsOf.get(id);
            if (query.admits(f, now) && new HashSet<>(factWords).containsAll(words)) {
                matches.add(new FactMatch(f, Facts.bm25(words, factWords, df, byId.size(), average)));
            }
        }
        return Facts.pageOf(query, matches);
    }

    @Override
    public synchronized boolean delete(String id) {
        Checks.id(id, "id");
        Fact fact = byId.get(id);
        if (fact == null) {
            return false;
        }
        unindex(fact);
        return true;
    }

    @Override
    public synchronized long deleteNamespace(Namespace prefix) {
        Facts.deletable(prefix);
        long removed = 0;
        for (String id : idsWithin(prefix)) {
            unindex(byId.get(id));
            removed++;
        }
        return removed;
    }

    @Override
    public synchronized long prune() {
        Instant now = clock.instant();
        List<Fact> expired = byId.values().stream().filter(f -> f.isExpiredAt(now)).toList();
        expired.forEach(this::unindex);
        return expired.size();
    }

    @Override
    public synchronized Fact restore(Fact fact) {
        Objects.requireNonNull(fact, "fact");
        Fact existing = byId.get(fact.id());
        if (existing != null) {
            if (existing.equals(fact)) {
                return existing;
            }
            throw new ConflictException("fact " + Checks.shorten(fact.id()) + " is already stored with other content");
        }
        if (fact.idempotencyKey() != null && byIdempotencyKey.containsKey(slot(fact.namespace(), fact.idempotencyKey()))) {
            throw new ConflictException("idempotencyKey " + Checks.shorten(fact.idempotencyKey()) + " is already used in "
                    + fact.namespace() + " by fact " + byIdempotencyKey.get(slot(fact.namespace(), fact.idempotencyKey())));
        }
        if (fact.key() != null && fact.isCurrent() && currentByKey.containsKey(slot(fact.namespace(), fact.key()))) {
            throw new ConflictException("key " + Checks.shorten(fact.key()) + " already has a current fact in "
                    + fact.namespace() + ": " + currentByKey.get(slot(fact.namespace(), fact.key())));
        }
        index(fact);
        return fact;
    }

    @Override
    public String toString() {
        return "InMemoryFactStore";
    }
}
