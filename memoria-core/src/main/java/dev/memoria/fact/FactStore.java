package dev.memoria.fact;

import dev.memoria.Page;
import java.util.List;
import java.util.Optional;

/**
 * The agent's long-term memory: facts learned about a user or the world, kept across sessions,
 * searchable, each traceable to the run and event it came from (contracts K1–K10).
 *
 * <pre>{@code
 * FactStore facts = stores.facts();
 * Namespace ada = Namespace.of("users", "ada");
 * facts.put(NewFact.builder(ada, "Ada prefers green tea").key("drink").build());
 * facts.put(NewFact.builder(ada, "Ada prefers coffee now").key("drink").build()); // supersedes the tea
 * facts.search(FactQuery.in(ada).text("coffee")).items();                         // the current fact
 * }</pre>
 *
 * <p>Every backend indexes the words of a fact's text for search (never a scan, K10); vectors are
 * compared in Java, brute force over the namespace's current facts that have one: that costs one
 * read of every such fact per similarity query, so keep similarity to namespaces of thousands
 * of facts, or narrow it with filters. Thread-safe.
 */
public interface FactStore {
    /**
     * Stores a fact (K1). With a key that has a current fact in the namespace, supersedes that
     * fact: it stays readable as history with {@code validTo} set, the new one is current (K2).
     * The same content again (text, data, labels, expiry) as the current fact of the key, or a
     * put with an {@code idempotencyKey} already used in the namespace, writes nothing and
     * returns the stored fact.
     *
     * @param fact the fact
     * @return the stored fact: id, version, createdAt and validFrom set
     * @throws dev.memoria.ConflictException if the idempotency key was used for other content
     */
    Fact put(NewFact fact);

    /**
     * Puts facts as {@link #put} would, one after the other, in as few writes as the backend can
     * (for imports, extractors and bulk loads). Not atomic: after a failure, the facts before the
     * failing one may be stored; putting them all again is safe when they carry idempotency keys.
     *
     * @param facts at most {@value dev.memoria.Limits#MAX_EVENTS_PER_APPEND} facts
     * @return the stored facts, in order
     */
    default List<Fact> putAll(List<NewFact> facts) {
        java.util.Objects.requireNonNull(facts, "facts");
        if (facts.size() > dev.memoria.Limits.MAX_EVENTS_PER_APPEND) {
            throw new IllegalArgumentException("facts: at most " + dev.memoria.Limits.MAX_EVENTS_PER_APPEND
                    + " per call, got " + facts.size());
        }
        List<Fact> stored = new java.util.ArrayList<>(facts.size());
        for (NewFact fact : facts) {
            stored.add(put(fact));
        }
        return stored;
    }

    /**
     * @param id a fact's id
     * @return the fact, current or superseded; empty if unknown, deleted or expired
     */
    Optional<Fact> get(String id);

    /**
     * @param namespace a namespace
     * @param key a key
     * @return every version of the key there, oldest first, expired ones left out
     */
    List<Fact> history(Namespace namespace, String key);

    /**
     * Finds facts (K3–K6); see {@link FactQuery}.
     *
     * @param query what to find
     * @return one page of matches, best first
     * @throws IllegalArgumentException if the query ranks by similarity to a text and this store
     *     has no {@link Embedder}, or the cursor belongs to another query
     */
    Page<FactMatch> search(FactQuery query);

    /**
     * Removes one fact version (K9). Other versions of its key stay; if it was current, the key has
     * no current fact until the next put.
     *
     * @param id a fact's id
     * @return whether it existed
     */
    boolean delete(String id);

    /**
     * Removes every fact, current or not, of a namespace and of those below it (K9), in bounded
     * steps: if it is interrupted, calling it again finishes the job.
     *
     * @param prefix a namespace; not {@link Namespace#ROOT}
     * @return how many facts it removed
     */
    long deleteNamespace(Namespace prefix);

    /**
     * Removes expired facts (K8). They are never returned even before a prune.
     *
     * @return how many it removed
     */
    long prune();

    /**
     * Writes a fact exactly as stored elsewhere: its id, version and times kept (for import and
     * copy). Writing the same fact again does nothing.
     *
     * @param fact a fact read from another store
     * @return the fact
     * @throws dev.memoria.ConflictException if another fact has its id or its idempotency key, or
     *     it is current and its key already has another
     *     current fact in the namespace
     */
    Fact restore(Fact fact);

    /**
     * @param embedder computes the vector of each fact put without one, and of each
     *     {@link FactQuery#similarTo(String)} query
     * @return this store, with similarity search (K6)
     */
    default FactStore withEmbedder(Embedder embedder) {
        return new EmbeddingFactStore(this, embedder);
    }
}
