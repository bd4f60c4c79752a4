/**
 * In-memory stores: {@link dev.memoria.inmemory.InMemoryStores}, the reference implementation that
 * every other backend is measured against.
 */
package dev.memoria.inmemory;
