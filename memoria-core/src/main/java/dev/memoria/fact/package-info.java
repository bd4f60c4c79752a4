/**
 * Facts: the agent's long-term memory across sessions (contracts K1–K10). A {@link
 * dev.memoria.fact.FactStore} keeps {@link dev.memoria.fact.Fact}s in {@link
 * dev.memoria.fact.Namespace}s, supersedes a key's fact with the next one while keeping the old as
 * history, searches them by words (every backend with a real full-text index), by similarity of
 * vectors an {@link dev.memoria.fact.Embedder} computes, or both, and traces each fact to the run
 * and event it came from. A {@link dev.memoria.fact.FactExtractor} turns a run's events into facts,
 * incrementally and idempotently ({@link dev.memoria.fact.FactIngestion}).
 */
package dev.memoria.fact;
