package dev.memoria.fact;

import dev.memoria.Page;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** A fact store whose puts and similarity queries get their vectors from an {@link Embedder}. */
final class EmbeddingFactStore implements FactStore {
    private final FactStore facts;
    private final Embedder embedder;

    EmbeddingFactStore(FactStore facts, Embedder embedder) {
        this.facts = facts instanceof EmbeddingFactStore embedding ? embedding.facts : Objects.requireNonNull(facts, "facts");
        this.embedder = Objects.requireNonNull(embedder, "embedder");
    }

    private float[] embed(String text) {
        float[] vector = embedder.embed(text);
        if (vector == null) {
            throw new IllegalStateException("embedder " + embedder + " returned null for a text of " + text.length() + " characters");
        }
        return vector;
    }

    @Override
    public Fact put(NewFact fact) {
        Objects.requireNonNull(fact, "fact");
        return facts.put(fact.vector() != null ? fact : fact.withVector(embed(fact.text())));
    }

    @Override
    public List<Fact> putAll(List<NewFact> batch) {
        Objects.requireNonNull(batch, "facts");
        List<NewFact> embedded = new java.util.ArrayList<>(batch.size());
        for (NewFact fact : batch) {
            embedded.add(fact.vector() != null ? fact : fact.withVector(embed(fact.text())));
        }
        return facts.putAll(embedded);
    }

    @Override
    public Optional<Fact> get(String id) {
        return facts.get(id);
    }

    @Override
    public List<Fact> history(Namespace namespace, String key) {
        return facts.history(namespace, key);
    }

    @Override
    public Page<FactMatch> search(FactQuery query) {
        Objects.requireNonNull(query, "query");
        if (query.similarText() != null && query.similarVector() == null) {
            query = query.withSimilarVector(embed(query.similarText()));
        }
        return facts.search(query);
    }

    @Override
    public boolean delete(String id) {
        return facts.delete(id);
    }

    @Override
    public long deleteNamespace(Namespace prefix) {
        return facts.deleteNamespace(prefix);
    }

    @Override
    public long prune() {
        return facts.prune();
    }

    @Override
    public Fact restore(Fact fact) {
        return facts.restore(fact);
    }

    @Override
    public String toString() {
        return facts + " with embedder " + embedder;
    }
}
