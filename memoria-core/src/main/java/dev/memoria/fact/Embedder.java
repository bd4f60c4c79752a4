package dev.memoria.fact;

/**
 * Turns text into a vector whose cosine similarity to another says how close their meanings are:
 * an embedding model in a real application. Memoria keeps each fact's vector with the fact and
 * compares them (K6); it never calls a model itself.
 *
 * <pre>{@code
 * FactStore facts = stores.facts().withEmbedder(text -> model.embed(text).content().vector());
 * }</pre>
 */
@FunctionalInterface
public interface Embedder {
    /**
     * @param text a fact's text, or a query's
     * @return its embedding; every call returns vectors of the same dimensions
     */
    float[] embed(String text);
}
