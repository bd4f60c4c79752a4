/**
 * The agent runtime: {@link dev.memoria.runtime.AgentRuntime} runs {@link dev.memoria.runtime.Agent}s
 * in sessions and persists every step through the three stores.
 */
package dev.memoria.runtime;
