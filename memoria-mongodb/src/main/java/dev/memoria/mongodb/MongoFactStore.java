package dev.memoria.mongodb;

import com.mongodb.MongoException;
import com.mongodb.MongoInterruptedException;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.InsertManyOptions;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.WriteModel;
import dev.memoria.ConflictException;
import dev.memoria.Limits;
import dev.memoria.Page;
import dev.memoria.StoreUnavailableException;
import dev.memoria.fact.Fact;
import dev.memoria.fact.FactMatch;
import dev.memoria.fact.FactQuery;
import dev.memoria.fact.FactSource;
import dev.memoria.fact.FactStore;
import dev.memoria.fact.Namespace;
import dev.memoria.fact.NewFact;
import dev.memoria.run.RunRef;
import dev.memoria.spi.Checks;
import dev.memoria.spi.Facts;
import dev.memoria.spi.Retries;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntConsumer;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.bson.types.Binary;

/**
 * Facts (K1–K10): one document per fact version, nothing that needs a multi-document transaction.
 *
 * <h2>Layout</h2>
 * A fact document holds {@code _id} (the fact's id), {@code ns} ({@link Namespace#path()}),
 * {@code k} (key), {@code t} (text), {@code d} (data) and {@code l} (labels) as {@link UserData}
 * (absent when empty), {@code src: {s, a, r, q}} (the source run's session, agent and run, and
 * the event's sequence), {@code v} (version), {@code ca}, {@code vf}, {@code vt}, {@code x}
 * (createdAt, validFrom, validTo, expiresAt in epoch milliseconds; {@code vt} and {@code x}
 * absent for none), {@code vec} (the vector: little-endian float32 in a generic BinData, since
 * the in-process test server cannot store BSON's vector subtype), {@code ik} (idempotency key),
 * and the fields that indexes need:
 * <ul>
 *   <li>{@code terms}: the distinct words of {@link Facts#indexWords(String)}, as core normalised
 *       them (never normalised again here), under the multikey index {@code {terms, ns}};
 *       {@code tfm: {word: count}} for the words the text holds more than once and {@code wc},
 *       its number of words: what bm25 needs;</li>
 *   <li>{@code kv}: namespace, key and zero-padded version in one string, so that one sparse
 *       single-field index gives a key's versions in order;</li>
 *   <li>{@code iks}: namespace and idempotency key, unique (sparse);</li>
 *   <li>{@code follows}: what this version was put after, unique (sparse); below.</li>
 * </ul>
 *
 * <h2>One current fact per key, without transactions</h2>
 * A put of a key reads the key's newest version and its current fact, then inserts the new
 * version with {@code follows} = the id of the current fact, or of the newest version when the
 * key has no current fact, or a marker of the key's first version when it has no version. Two
 * puts that read the same state insert the same {@code follows}, and its unique index lets exactly
 * one of them win: the loser reads again and follows the winner. That is what makes racing puts
 * leave one current fact and lose none from the history (K2). Only then does the put set the
 * superseded fact's {@code vt}.
 *
 * <p>The single-document insert is the moment a put happens: readers take a fact whose
 * {@code vt} is unset but that another fact follows as superseded when that fact became valid
 * (the follower's {@code vf}, which is exactly what the writer sets). So a writer that dies between
 * its insert and its update leaves a fact that every reader sees superseded, and never zero or two
 * current facts. Readers look followers up for the keyed facts without {@code vt} they return (one
 * indexed {@code $in} query, which finds nothing unless a writer is in that window or died in
 * it), and set the missing {@code vt} themselves when they meet one (best effort). A delete of a
 * fact first sets the {@code vt} of the fact it follows, if still unset, so that deleting a
 * current fact never brings its predecessor back.
 *
 * <p>A restore of a current keyed fact takes part in the same protocol ({@code follows} as a put
 * would set it), so it races puts and other restores safely; a restored superseded fact follows
 * nothing.
 *
 * <h2>Word search (K3–K5, K10)</h2>
 * The query's words are counted first, one indexed count each: their document frequency over
 * the whole collection (every fact version of every namespace, expired ones until pruned), the
 * bm25 corpus, whose size and total number of words are kept in {@code meta} (document
 * {@code fact_corpus}, incremented by every write). A word no fact holds ends the search. The
 * facts are then read with {@code terms: {$all: words}}, the rarest word first (MongoDB bounds an
 * {@code $all} index scan by its first element), namespace, filters and validity in the query,
 * only the fields ranking needs; ranked in Java with {@link Facts#bm25}; paged with
 * {@link Facts#pageOf}; and the page's facts are read whole by id. The work is the index entries
 * of the rarest word (of its namespace range, where the planner bounds {@code ns} too), the
 * documents that match, and the index entries of the counted words: never the namespace's size.
 *
 * <p>Listings read newest first by {@code (ca, _id)} and resume after the cursor in the query;
 * similarity reads the admitted facts that have a vector and ranks them in Java.
 *
 * <p>Sharding: the unique indexes on {@code follows} and {@code iks} are not prefixed by any
 * shard key, so the facts collection stays unsharded (the events collection is the large one).
 */
final class MongoFactStore implements FactStore {
    static final String NS = "ns";
    static final String KEY = "k";
    static final String TEXT = "t";
    static final String DATA = "d";
    static final String LABELS = "l";
    static final String SOURCE = "src";
    static final String VERSION = "v";
    static final String CREATED = "ca";
    static final String VALID_FROM = "vf";
    static final String VALID_TO = "vt";
    static final String EXPIRES = "x";
    static final String VECTOR = "vec";
    static final String IDEMPOTENCY_KEY = "ik";
    static final String IDEMPOTENCY_SLOT = "iks";
    static final String KEY_VERSION = "kv";
    static final String FOLLOWS = "follows";
    static final String TERMS = "terms";
    static final String TERM_COUNTS = "tfm";
    static final String WORD_COUNT = "wc";
    /** The document of {@code meta} that holds the corpus's size and words, for bm25. */
    static final String CORPUS = "fact_corpus";

    private static final char SEP = '\u001f';
    /** How many ids one {@code $in} lookup carries. */
    private static final int LOOKUP_CHUNK = 1000;
    /** How often a word search reads again when its page's facts changed between its two reads. */
    private static final int SEARCH_ATTEMPTS = 3;
    /** The fields only indexes need, left out of whole-fact reads. */
    private static final Bson WHOLE_FACT = Projections.exclude(TERMS, TERM_COUNTS, KEY_VERSION, IDEMPOTENCY_SLOT);

    private final Layout c;
    private final int maxAttempts;
    private final IntConsumer backOff;

    MongoFactStore(Layout c) {
        this(c, Retries.MAX_ATTEMPTS, Retries::backOff);
    }

    /**
     * @param maxAttempts how many times a put tries before giving up on racing writers
     * @param backOff waits after the n-th race a put lost in a row
     */
    MongoFactStore(Layout c, int maxAttempts, IntConsumer backOff) {
        this.c = Objects.requireNonNull(c, "c");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts: must be at least 1, got " + maxAttempts);
        }
        this.maxAttempts = maxAttempts;
        this.backOff = Objects.requireNonNull(backOff, "backOff");
    }

    // ---------------------------------------------------------------- writes

    @Override
    public Fact put(NewFact fact) {
        Objects.requireNonNull(fact, "fact");
        Instant now = c.clock.instant();
        return c.call("put fact failed", () -> putOne(fact, now));
    }

    /**
     * Puts facts without key or idempotency key with one {@code insertMany} per run of them (they
     * need no read: nothing they could meet is stored); any other fact first writes what is pending,
     * then is put on its own, so it sees every earlier fact of the batch, as separate puts would.
     */
    @Override
    public List<Fact> putAll(List<NewFact> facts) {
        Objects.requireNonNull(facts, "facts");
        if (facts.size() > Limits.MAX_EVENTS_PER_APPEND) {
            throw new IllegalArgumentException("facts: at most " + Limits.MAX_EVENTS_PER_APPEND + " per call, got "
                    + facts.size());
        }
        List<NewFact> batch = new ArrayList<>(facts.size());
        for (NewFact f : facts) {
            batch.add(Objects.requireNonNull(f, "facts: element"));
        }
        if (batch.isEmpty()) {
            return List.of();
        }
        Instant now = c.clock.instant();
        return c.call("put facts failed", () -> {
            List<Fact> stored = new ArrayList<>(batch.size());
            List<Document> pending = new ArrayList<>();
            for (NewFact f : batch) {
                if (f.key() == null && f.idempotencyKey() == null) {
                    Fact s = Facts.stored(f, Facts.newId(), 1, now);
                    pending.add(toDocument(s, null));
                    stored.add(s);
                } else {
                    flush(pending);
                    stored.add(putOne(f, now));
                }
            }
            flush(pending);
            return stored;
        });
    }

    private void flush(List<Document> pending) {
        if (pending.isEmpty()) {
            return;
        }
        c.facts.insertMany(pending, new InsertManyOptions().ordered(true));
        long words = 0;
        for (Document d : pending) {
            words += wordCount(d);
        }
        corpus(pending.size(), words);
        pending.clear();
    }

    private Fact putOne(NewFact fact, Instant now) {
        String ns = fact.namespace().path();
        for (int attempt = 0; attempt < maxAttempts; attempt++) {
            if (attempt > 0) {
                backOff.accept(attempt - 1);
            }
            if (fact.idempotencyKey() != null) {
                Document done = c.facts.find(Filters.eq(IDEMPOTENCY_SLOT, slot(ns, fact.idempotencyKey())))
                        .projection(WHOLE_FACT).first();
                if (done != null) {
                    Fact stored = presented(List.of(done)).get(0);
                    if (!stored.hasSameContentAs(fact) || !Objects.equals(stored.key(), fact.key())) {
                        throw new ConflictException("idempotencyKey " + Checks.shorten(fact.idempotencyKey())
                                + " was used in " + fact.namespace() + " for another fact: " + stored.id());
                    }
                    return stored;
                }
            }
            long version = 1;
            Instant at = now;
            Fact current = null;
            String follows = null;
            if (fact.key() != null) {
                KeyState key = keyState(ns, fact.key());
                current = key.current();
                if (current != null && current.hasSameContentAs(fact) && !current.isExpiredAt(now)) {
                    return current;
                }
                version = key.newestVersion() + 1;
                follows = key.follows(ns, fact.key());
                // another process's clock may be behind the one that stored the current fact:
                // the new version never starts before the one it supersedes
                if (current != null && at.isBefore(current.validFrom())) {
                    at = current.validFrom();
                }
            }
            Fact stored = Facts.stored(fact, Facts.newId(), version, at);
            Document doc = toDocument(stored, follows);
            try {
                c.facts.insertOne(doc);
            } catch (MongoException e) {
                if (UserData.isDuplicateKey(e)) {
                    continue; // another put followed the same fact, or took the idempotency key: read again
                }
                throw e;
            }
            // the insert is the put: from here on, every reader sees the new fact current and the
            // one it follows superseded, so what is left is bookkeeping that readers can do too
            if (current != null) {
                supersede(current.id(), at.toEpochMilli());
            }
            corpus(1, wordCount(doc));
            return stored;
        }
        throw new StoreUnavailableException(String.format(Locale.ROOT, "put of key %s in %s lost %,d races in a row to other"
                + " writers, backing off after each; nothing was written: retry it", Checks.shorten(fact.key()),
                fact.namespace(), maxAttempts), null, true);
    }

    /**
     * Sets the validTo of a fact a newer one follows, unless it is set already. Best effort: the
     * put it finishes is stored and visible; if this write fails, readers (and a deletion of the
     * newer fact) write the same value.
     */
    private void supersede(String id, long validTo) {
        try {
            c.facts.updateOne(Filters.and(Filters.eq("_id", id), Filters.eq(VALID_TO, null)), Updates.set(VALID_TO, validTo));
        } catch (MongoException e) {
            keepInterrupt(e); // see above: failing the put now would make its caller repeat a write that happened
        }
    }

    /** A call interrupted in a best-effort write still leaves its thread interrupted. */
    private static void keepInterrupt(MongoException e) {
        if (e instanceof MongoInterruptedException) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * What a put or a restore of a key needs to know.
     *
     * @param newest the newest version, or null if the key has none
     * @param current the current fact, or null if the key has none
     */
    private record KeyState(Document newest, Fact current) {
        long newestVersion() {
            return newest == null ? 0 : number(newest, VERSION);
        }

        /** @return what a new current fact of the key follows */
        String follows(String ns, String key) {
            if (current != null) {
                return current.id();
            }
            return newest == null ? firstOf(ns, key) : newest.getString("_id");
        }
    }

    /**
     * Reads the key's newest version (one indexed lookup). If it is not superseded it is the
     * current fact: any fact that follows another has a higher version than it, except a restored
     * one, which follows only a key without current fact. Otherwise (the current fact was deleted
     * or expired and pruned, or a restore put an older version back as current) the key's other
     * versions without validTo are looked at, those that another follows left out.
     */
    private KeyState keyState(String ns, String key) {
        Bson versions = keyVersions(ns, key);
        Document newest = c.facts.find(versions).projection(WHOLE_FACT).sort(Sorts.descending(KEY_VERSION)).limit(1).first();
        if (newest == null) {
            return new KeyState(null, null);
        }
        if (newest.get(VALID_TO) == null) {
            return new KeyState(newest, fromDocument(newest));
        }
        List<Document> open = c.facts.find(Filters.and(versions, Filters.eq(VALID_TO, null))).projection(WHOLE_FACT)
                .into(new ArrayList<>());
        Fact current = null;
        for (Fact f : presented(open)) {
            if (f.isCurrent() && (current == null || f.version() > current.version())) {
                current = f;
            }
        }
        return new KeyState(newest, current);
    }

    /**
     * Counts facts and words in or out of the bm25 corpus. Best effort, after the write it counts:
     * a failure here (or a process that dies just before) leaves the statistics off by that write,
     * which changes scores a little, never what a search finds; failing the write's caller instead
     * would make it repeat a write that happened.
     */
    private void corpus(long facts, long words) {
        Bson inc = Updates.combine(Updates.inc("n", facts), Updates.inc("w", words));
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                c.meta.updateOne(Filters.eq("_id", CORPUS), inc, new UpdateOptions().upsert(true));
                return;
            } catch (MongoException e) {
                if (!UserData.isDuplicateKey(e)) {
                    keepInterrupt(e);
                    return; // see above
                }
                // two first upserts raced (servers before 4.2 do not retry them): the document exists now
            }
        }
    }

    // ---------------------------------------------------------------- reads

    @Override
    public Optional<Fact> get(String id) {
        Checks.id(id, "id");
        Instant now = c.clock.instant();
        return c.call("get fact failed", () -> {
            Document doc = c.facts.find(Filters.eq("_id", id)).projection(WHOLE_FACT).first();
            if (doc == null) {
                return Optional.empty();
            }
            Fact fact = presented(List.of(doc)).get(0);
            return fact.isExpiredAt(now) ? Optional.<Fact>empty() : Optional.of(fact);
        });
    }

    @Override
    public List<Fact> history(Namespace namespace, String key) {
        Objects.requireNonNull(namespace, "namespace");
        Checks.id(key, "key");
        Instant now = c.clock.instant();
        return c.call("read fact history failed", () -> {
            List<Document> docs = c.facts.find(keyVersions(namespace.path(), key)).projection(WHOLE_FACT)
                    .sort(Sorts.ascending(KEY_VERSION, "_id")).into(new ArrayList<>());
            // the followers of a key's facts are versions of the same key: all in this list
            Map<String, Long> followedAt = new HashMap<>();
            for (Document d : docs) {
                String follows = d.getString(FOLLOWS);
                if (follows != null) {
                    followedAt.put(follows, number(d, VALID_FROM));
                }
            }
            List<Fact> versions = new ArrayList<>();
            List<Fact> repaired = new ArrayList<>();
            for (Document d : docs) {
                Fact f = fromDocument(d);
                Long at = f.isCurrent() ? followedAt.get(f.id()) : null;
                if (at != null) {
                    f = f.supersededAt(Instant.ofEpochMilli(at));
                    repaired.add(f);
                }
                if (!f.isExpiredAt(now)) {
                    versions.add(f);
                }
            }
            repair(repaired);
            return versions;
        });
    }

    @Override
    public Page<FactMatch> search(FactQuery query) {
        Objects.requireNonNull(query, "query");
        Facts.requireVector(query);
        Facts.after(query); // a foreign cursor is refused before any work
        if (query.mode() == FactQuery.Mode.HYBRID) {
            return Facts.hybrid(query, this::search);
        }
        Instant now = c.clock.instant();
        return c.call("search facts failed", () -> switch (query.mode()) {
            case SIMILAR -> bySimilarity(query, now);
            case LIST -> listing(query, now);
            default -> byWords(query, now);
        });
    }

    /** Newest first, resumed after the cursor in the query: {@code limit + 1} admitted facts at most are read. */
    private Page<FactMatch> listing(FactQuery query, Instant now) {
        Facts.After after = Facts.after(query);
        Long lastAt = after == null ? null : after.createdAtMillis();
        String lastId = after == null ? null : after.id();
        int wanted = query.limit() + 1;
        List<FactMatch> matches = new ArrayList<>(wanted);
        while (matches.size() < wanted) {
            List<Bson> filter = admitted(query, now);
            if (lastId != null) {
                filter.add(Filters.or(Filters.lt(CREATED, lastAt),
                        Filters.and(Filters.eq(CREATED, lastAt), Filters.lt("_id", lastId))));
            }
            int ask = wanted - matches.size();
            List<Document> docs = c.facts.find(Filters.and(filter)).projection(WHOLE_FACT)
                    .sort(Sorts.descending(CREATED, "_id")).limit(ask).into(new ArrayList<>());
            for (Fact f : presented(docs)) {
                // a fact that another one follows is superseded although its document does not say so yet
                if (query.admits(f, now)) {
                    matches.add(new FactMatch(f, 0));
                }
            }
            if (docs.size() < ask) {
                break;
            }
            Document last = docs.get(docs.size() - 1);
            lastAt = number(last, CREATED);
            lastId = last.getString("_id");
        }
        return Facts.page(query, matches);
    }

    /** Every admitted fact with a vector, ranked in Java: O(namespace), as {@link FactStore} says. */
    private Page<FactMatch> bySimilarity(FactQuery query, Instant now) {
        List<Bson> filter = admitted(query, now);
        filter.add(Filters.exists(VECTOR));
        List<Fact> candidates = new ArrayList<>();
        List<Document> chunk = new ArrayList<>(LOOKUP_CHUNK);
        try (MongoCursor<Document> cursor = c.facts.find(Filters.and(filter)).projection(WHOLE_FACT).iterator()) {
            while (cursor.hasNext()) {
                chunk.add(cursor.next());
                if (chunk.size() == LOOKUP_CHUNK) {
                    candidates.addAll(presented(chunk));
                    chunk.clear();
                }
            }
        }
        candidates.addAll(presented(chunk));
        return Facts.bySimilarity(query, candidates, now);
    }

    /** What the first read of a word search keeps of a fact: what validity and bm25 need. */
    private record Candidate(String id, String key, long createdAt, long validFrom, Long validTo, int wordCount,
                             int[] counts) {
    }

    private Page<FactMatch> byWords(FactQuery query, Instant now) {
        List<String> words = query.words();
        if (words.isEmpty()) {
            return new Page<>(List.of(), null);
        }
        Map<String, Long> df = new HashMap<>();
        for (String w : words) {
            long count = c.facts.countDocuments(Filters.eq(TERMS, w));
            if (count == 0) {
                return new Page<>(List.of(), null); // no fact holds this word
            }
            df.put(w, count);
        }
        List<String> rarestFirst = new ArrayList<>(words);
        rarestFirst.sort(Comparator.comparingLong(df::get));
        Document corpus = c.meta.find(Filters.eq("_id", CORPUS)).first();
        long maxDf = df.values().stream().mapToLong(Long::longValue).max().orElse(1);
        long size = Math.max(maxDf, corpus == null ? 0 : number(corpus, "n"));
        long totalWords = corpus == null ? 0 : number(corpus, "w");
        double average = totalWords > 0 ? (double) totalWords / size : 1;

        List<Bson> filter = admitted(query, now);
        filter.add(0, Filters.all(TERMS, rarestFirst));
        List<String> include = new ArrayList<>(List.of("_id", KEY, CREATED, VALID_FROM, VALID_TO, WORD_COUNT));
        for (String w : words) {
            include.add(TERM_COUNTS + "." + w);
        }
        Bson ranking = Projections.include(include);
        for (int attempt = 1; ; attempt++) {
            List<Candidate> candidates = new ArrayList<>();
            try (MongoCursor<Document> cursor = c.facts.find(Filters.and(filter)).projection(ranking).iterator()) {
                while (cursor.hasNext()) {
                    candidates.add(candidate(cursor.next(), words));
                }
            }
            Map<String, Long> followedAt = followedAt(candidates.stream()
                    .filter(k -> k.key() != null && k.validTo() == null).map(Candidate::id).toList());
            List<FactMatch> scored = new ArrayList<>(candidates.size());
            for (Candidate k : candidates) {
                Long validTo = k.validTo();
                Long followed = validTo == null ? followedAt.get(k.id()) : null;
                if (followed != null) {
                    validTo = Math.max(followed, k.validFrom());
                }
                if (!validityAdmits(query, k.validFrom(), validTo)) {
                    continue;
                }
                Fact placeholder = new Fact(k.id(), Namespace.ROOT, k.key(), "", Map.of(), Map.of(), null, 1,
                        Instant.ofEpochMilli(k.createdAt()), Instant.ofEpochMilli(k.validFrom()),
                        validTo == null ? null : Instant.ofEpochMilli(validTo), null, null, null);
                double score = Facts.bm25(words, new FactWords(words, k.counts(), k.wordCount()), df, size, average);
                scored.add(new FactMatch(placeholder, score));
            }
            Page<FactMatch> ranked = Facts.pageOf(query, scored);
            List<FactMatch> filled = fill(ranked.items(), query, now);
            if (filled.size() == ranked.items().size() || attempt == SEARCH_ATTEMPTS) {
                return new Page<>(filled, ranked.nextCursor());
            }
            // a fact of the page was deleted or superseded between the two reads: rank again
        }
    }

    private static Candidate candidate(Document d, List<String> words) {
        Document counts = d.get(TERM_COUNTS, Document.class);
        int[] tf = new int[words.size()];
        for (int i = 0; i < tf.length; i++) {
            Object n = counts == null ? null : counts.get(words.get(i));
            tf[i] = n instanceof Number number ? number.intValue() : 1; // every query word is in terms: once unless counted
        }
        Object vt = d.get(VALID_TO);
        return new Candidate(d.getString("_id"), d.getString(KEY), number(d, CREATED), number(d, VALID_FROM),
                vt == null ? null : ((Number) vt).longValue(), (int) wordCount(d), tf);
    }

    /** The page's facts read whole, with their ranked scores; those no longer admitted are left out. */
    private List<FactMatch> fill(List<FactMatch> page, FactQuery query, Instant now) {
        if (page.isEmpty()) {
            return page;
        }
        List<String> ids = page.stream().map(m -> m.fact().id()).toList();
        Map<String, Fact> whole = new HashMap<>();
        for (Document d : c.facts.find(Filters.in("_id", ids)).projection(WHOLE_FACT).into(new ArrayList<>())) {
            Fact f = fromDocument(d);
            whole.put(f.id(), f);
        }
        List<FactMatch> filled = new ArrayList<>(page.size());
        for (FactMatch m : page) {
            Fact f = whole.get(m.fact().id());
            if (f != null && f.isCurrent() && m.fact().validTo() != null) {
                f = f.supersededAt(m.fact().validTo()); // followed, as the first read found
            }
            if (f != null && query.admits(f, now)) {
                filled.add(new FactMatch(f, m.score()));
            }
        }
        return filled;
    }

    /** The validity part of {@link FactQuery#admits}, on a candidate's times. */
    private static boolean validityAdmits(FactQuery query, long validFrom, Long validTo) {
        if (query.validAt() != null) {
            long at = query.validAt().toEpochMilli();
            return validFrom <= at && (validTo == null || at < validTo);
        }
        return query.isAllVersions() || validTo == null;
    }

    /**
     * A fact's words as {@link Facts#bm25} reads them: the query's words as often as the fact holds
     * them, then filler up to the fact's number of words (the empty string, never a word), without
     * keeping the fact's text.
     */
    private static final class FactWords extends AbstractList<String> {
        private final List<String> words;
        private final int[] counts;
        private final int size;

        FactWords(List<String> words, int[] counts, int wordCount) {
            this.words = words;
            this.counts = counts;
            int sum = 0;
            for (int n : counts) {
                sum += n;
            }
            this.size = Math.max(sum, wordCount);
        }

        @Override
        public String get(int index) {
            int at = index;
            for (int i = 0; i < counts.length; i++) {
                if (at < counts[i]) {
                    return words.get(i);
                }
                at -= counts[i];
            }
            return "";
        }

        @Override
        public int size() {
            return size;
        }
    }

    /** The query's namespace, filters, validity and expiry as conditions; the words are the caller's. */
    private static List<Bson> admitted(FactQuery query, Instant now) {
        List<Bson> all = new ArrayList<>();
        Bson within = within(query.prefix());
        if (within != null) {
            all.add(within);
        }
        if (query.key() != null) {
            all.add(Filters.eq(KEY, query.key()));
        }
        query.labels().forEach((k, v) -> all.add(Filters.eq(LABELS + "." + UserData.escapeKey(k), v)));
        if (query.sourceRunId() != null) {
            all.add(Filters.eq(SOURCE + ".r", query.sourceRunId()));
        }
        if (query.validAt() != null) {
            long at = query.validAt().toEpochMilli();
            all.add(Filters.lte(VALID_FROM, at));
            all.add(Filters.or(Filters.eq(VALID_TO, null), Filters.gt(VALID_TO, at)));
        } else if (!query.isAllVersions()) {
            all.add(Filters.eq(VALID_TO, null));
        }
        all.add(Filters.or(Filters.eq(EXPIRES, null), Filters.gt(EXPIRES, now.toEpochMilli())));
        return all;
    }

    /**
     * A namespace and those below it: {@code ns == p} or {@code p + "/" <= ns < p + "0"} ('0'
     * follows '/'), in binary string order; null for {@link Namespace#ROOT}.
     */
    private static Bson within(Namespace prefix) {
        if (prefix.isRoot()) {
            return null;
        }
        String p = prefix.path();
        return Filters.or(Filters.eq(NS, p), Filters.and(Filters.gte(NS, p + "/"), Filters.lt(NS, p + "0")));
    }

    /** Every version of a key: the {@code kv} strings that start with its namespace and key. */
    private static Bson keyVersions(String ns, String key) {
        String prefix = ns + SEP + key + SEP;
        return Filters.and(Filters.gt(KEY_VERSION, prefix), Filters.lt(KEY_VERSION, prefix + ":")); // ':' follows '9'
    }

    // ---------------------------------------------------------------- followers

    /**
     * Facts as readers see them: one that a newer fact follows is superseded from when the newer
     * one became valid, whether or not its document says so yet (see the class comment).
     */
    private List<Fact> presented(List<Document> docs) {
        List<Fact> facts = new ArrayList<>(docs.size());
        List<String> open = new ArrayList<>();
        for (Document d : docs) {
            Fact f = fromDocument(d);
            facts.add(f);
            if (f.key() != null && f.isCurrent()) {
                open.add(f.id());
            }
        }
        if (open.isEmpty()) {
            return facts;
        }
        Map<String, Long> followedAt = followedAt(open);
        if (followedAt.isEmpty()) {
            return facts;
        }
        List<Fact> repaired = new ArrayList<>();
        for (int i = 0; i < facts.size(); i++) {
            Fact f = facts.get(i);
            Long at = f.isCurrent() ? followedAt.get(f.id()) : null;
            if (at != null) {
                f = f.supersededAt(Instant.ofEpochMilli(at));
                facts.set(i, f);
                repaired.add(f);
            }
        }
        repair(repaired);
        return facts;
    }

    /** @return for each of these ids that a fact follows, that fact's validFrom */
    private Map<String, Long> followedAt(Collection<String> ids) {
        Map<String, Long> at = new HashMap<>();
        List<String> all = new ArrayList<>(ids);
        for (int from = 0; from < all.size(); from += LOOKUP_CHUNK) {
            List<String> chunk = all.subList(from, Math.min(all.size(), from + LOOKUP_CHUNK));
            for (Document d : c.facts.find(Filters.in(FOLLOWS, chunk)).projection(Projections.include(FOLLOWS, VALID_FROM))
                    .into(new ArrayList<>())) {
                at.put(d.getString(FOLLOWS), number(d, VALID_FROM));
            }
        }
        return at;
    }

    /**
     * Writes the validTo a reader found missing (a writer stopped, or is about to write it, with the
     * same value). Best effort: a reader that may not write still reads.
     */
    private void repair(List<Fact> superseded) {
        if (superseded.isEmpty()) {
            return;
        }
        List<WriteModel<Document>> updates = new ArrayList<>();
        for (Fact f : superseded) {
            updates.add(new UpdateOneModel<>(Filters.and(Filters.eq("_id", f.id()), Filters.eq(VALID_TO, null)),
                    Updates.set(VALID_TO, f.validTo().toEpochMilli())));
        }
        try {
            c.facts.bulkWrite(updates, new BulkWriteOptions().ordered(false));
        } catch (MongoException e) {
            keepInterrupt(e); // the next reader, or a deletion of the newer fact, writes it
        }
    }

    // ---------------------------------------------------------------- deletion

    @Override
    public boolean delete(String id) {
        Checks.id(id, "id");
        return c.call("delete fact failed", () -> {
            Document doc = c.facts.find(Filters.eq("_id", id)).projection(Projections.include(FOLLOWS, VALID_FROM, WORD_COUNT))
                    .first();
            return doc != null && remove(List.of(doc)) > 0;
        });
    }

    @Override
    public long deleteNamespace(Namespace prefix) {
        Facts.deletable(prefix);
        return c.call("delete fact namespace failed", () -> inSteps(within(prefix)));
    }

    @Override
    public long prune() {
        long now = c.clock.millis();
        return c.call("prune facts failed", () -> inSteps(Filters.lte(EXPIRES, now)));
    }

    /**
     * Removes what matches in steps of {@link Facts#DELETE_BATCH} facts, each step one read of ids
     * and one delete, until a step finds nothing: an interrupted call leaves whole steps done.
     */
    private long inSteps(Bson filter) {
        long removed = 0;
        while (true) {
            List<Document> step = c.facts.find(filter).projection(Projections.include(FOLLOWS, VALID_FROM, WORD_COUNT))
                    .limit(Facts.DELETE_BATCH).into(new ArrayList<>());
            if (step.isEmpty()) {
                return removed;
            }
            removed += remove(step);
        }
    }

    /**
     * Deletes facts: first sets the validTo of each fact one of them follows (if a writer left it
     * unset), so that deleting a current fact never makes its predecessor current again.
     *
     * @return how many it deleted
     */
    private long remove(List<Document> docs) {
        Set<String> ids = new HashSet<>();
        docs.forEach(d -> ids.add(d.getString("_id")));
        List<WriteModel<Document>> predecessors = new ArrayList<>();
        long words = 0;
        for (Document d : docs) {
            words += wordCount(d);
            String follows = d.getString(FOLLOWS);
            if (follows != null && follows.indexOf(SEP) < 0 && !ids.contains(follows)) {
                predecessors.add(new UpdateOneModel<>(Filters.and(Filters.eq("_id", follows), Filters.eq(VALID_TO, null)),
                        Updates.set(VALID_TO, number(d, VALID_FROM))));
            }
        }
        if (!predecessors.isEmpty()) {
            c.facts.bulkWrite(predecessors, new BulkWriteOptions().ordered(false));
        }
        long deleted = c.facts.deleteMany(Filters.in("_id", ids)).getDeletedCount();
        if (deleted > 0) {
            // if another call deleted some of them meanwhile, their words are an estimate
            corpus(-deleted, -(deleted == docs.size() ? words : words * deleted / docs.size()));
        }
        return deleted;
    }

    // ---------------------------------------------------------------- restore

    @Override
    public Fact restore(Fact fact) {
        Objects.requireNonNull(fact, "fact");
        return c.call("restore fact failed", () -> {
            String ns = fact.namespace().path();
            for (int attempt = 0; attempt < maxAttempts; attempt++) {
                if (attempt > 0) {
                    backOff.accept(attempt - 1);
                }
                Document existing = c.facts.find(Filters.eq("_id", fact.id())).projection(WHOLE_FACT).first();
                if (existing != null) {
                    Fact stored = presented(List.of(existing)).get(0);
                    if (stored.equals(fact)) {
                        return stored;
                    }
                    throw new ConflictException("fact " + Checks.shorten(fact.id()) + " is already stored with other content");
                }
                if (fact.idempotencyKey() != null) {
                    Document used = c.facts.find(Filters.eq(IDEMPOTENCY_SLOT, slot(ns, fact.idempotencyKey())))
                            .projection(Projections.include("_id")).first();
                    if (used != null) {
                        throw new ConflictException("idempotencyKey " + Checks.shorten(fact.idempotencyKey())
                                + " is already used in " + fact.namespace() + " by fact " + used.getString("_id"));
                    }
                }
                String follows = null;
                if (fact.key() != null && fact.isCurrent()) {
                    KeyState key = keyState(ns, fact.key());
                    if (key.current() != null) {
                        throw new ConflictException("key " + Checks.shorten(fact.key()) + " already has a current fact in "
                                + fact.namespace() + ": " + key.current().id());
                    }
                    follows = key.follows(ns, fact.key());
                }
                Document doc = toDocument(fact, follows);
                try {
                    c.facts.insertOne(doc);
                } catch (MongoException e) {
                    if (UserData.isDuplicateKey(e)) {
                        continue; // the same id, the idempotency key or the key's current fact was taken: look again
                    }
                    throw e;
                }
                corpus(1, wordCount(doc));
                return fact;
            }
            throw new StoreUnavailableException(String.format(Locale.ROOT, "restore of fact %s lost %,d races in a row to"
                    + " other writers; nothing was written: retry it", Checks.shorten(fact.id()), maxAttempts), null, true);
        });
    }

    // ---------------------------------------------------------------- documents

    private static String slot(String ns, String name) {
        return ns + SEP + name;
    }

    /** What the first version of a key follows: contains the separator, so it is never a fact's id. */
    private static String firstOf(String ns, String key) {
        return SEP + ns + SEP + key;
    }

    private static String keyVersion(String ns, String key, long version) {
        return ns + SEP + key + SEP + String.format(Locale.ROOT, "%019d", version);
    }

    static Document toDocument(Fact f, String follows) {
        String ns = f.namespace().path();
        Document d = new Document("_id", f.id()).append(NS, ns);
        if (f.key() != null) {
            d.append(KEY, f.key()).append(KEY_VERSION, keyVersion(ns, f.key(), f.version()));
        }
        d.append(TEXT, f.text());
        if (!f.data().isEmpty()) {
            d.append(DATA, UserData.toBson(f.data()));
        }
        if (!f.labels().isEmpty()) {
            d.append(LABELS, UserData.toBson(f.labels()));
        }
        FactSource source = f.source();
        if (source != null) {
            RunRef run = source.run();
            d.append(SOURCE, new Document("s", run.sessionId()).append("a", run.agentId()).append("r", run.runId())
                    .append("q", source.sequence()));
        }
        d.append(VERSION, f.version()).append(CREATED, f.createdAt().toEpochMilli())
                .append(VALID_FROM, f.validFrom().toEpochMilli());
        if (f.validTo() != null) {
            d.append(VALID_TO, f.validTo().toEpochMilli());
        }
        if (f.expiresAt() != null) {
            d.append(EXPIRES, f.expiresAt().toEpochMilli());
        }
        if (f.dimensions() > 0) {
            d.append(VECTOR, new Binary(encode(f.vector())));
        }
        if (f.idempotencyKey() != null) {
            d.append(IDEMPOTENCY_KEY, f.idempotencyKey()).append(IDEMPOTENCY_SLOT, slot(ns, f.idempotencyKey()));
        }
        if (follows != null) {
            d.append(FOLLOWS, follows);
        }
        List<String> words = Facts.indexWords(f.text());
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String w : words) {
            counts.merge(w, 1, Integer::sum);
        }
        Document repeated = new Document();
        counts.forEach((w, n) -> {
            if (n > 1) {
                repeated.append(w, n);
            }
        });
        d.append(TERMS, new ArrayList<>(counts.keySet()));
        if (!repeated.isEmpty()) {
            d.append(TERM_COUNTS, repeated);
        }
        return d.append(WORD_COUNT, words.size());
    }

    /**
     * Reads a fact document. Stored values are trusted (DESIGN, "Compatibility"): write-time
     * limits are not checked again.
     */
    static Fact fromDocument(Document d) {
        Document src = d.get(SOURCE, Document.class);
        FactSource source = src == null ? null : new FactSource(new RunRef(src.getString("s"), src.getString("a"),
                src.getString("r")), number(src, "q"));
        Object vector = d.get(VECTOR);
        return new Fact(d.getString("_id"), Namespace.parse(d.getString(NS)), d.getString(KEY), d.getString(TEXT),
                UserData.fromBson(d.get(DATA)), UserData.labels(d.get(LABELS)), source, number(d, VERSION),
                instant(d, CREATED), instant(d, VALID_FROM), instant(d, VALID_TO), instant(d, EXPIRES),
                vector instanceof Binary b ? decode(b.getData()) : null, d.getString(IDEMPOTENCY_KEY));
    }

    private static long number(Document d, String field) {
        return ((Number) d.get(field)).longValue();
    }

    private static long wordCount(Document d) {
        Object n = d.get(WORD_COUNT);
        return n instanceof Number number ? number.longValue() : 0;
    }

    private static Instant instant(Document d, String field) {
        Object value = d.get(field);
        return value == null ? null : Instant.ofEpochMilli(((Number) value).longValue());
    }

    private static byte[] encode(float[] vector) {
        ByteBuffer b = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : vector) {
            b.putFloat(v);
        }
        return b.array();
    }

    private static float[] decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[bytes.length / Float.BYTES];
        for (int i = 0; i < v.length; i++) {
            v[i] = b.getFloat();
        }
        return v;
    }

    @Override
    public String toString() {
        return "MongoFactStore[" + c.prefix + "facts]";
    }
}
