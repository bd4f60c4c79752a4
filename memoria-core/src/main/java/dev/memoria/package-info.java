/**
 * Memoria: durable sessions, runs and memory for AI agents. Start from {@link dev.memoria.Stores}
 * and, to run agents, {@link dev.memoria.runtime.AgentRuntime}.
 */
package dev.memoria;
