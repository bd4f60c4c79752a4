/**
 * A run's memory: {@link dev.memoria.memory.Event}s appended to an ordered, gap-free log in a
 * {@link dev.memoria.memory.MemoryStore}, and read back as {@link dev.memoria.memory.MemoryEvent}s.
 */
package dev.memoria.memory;
