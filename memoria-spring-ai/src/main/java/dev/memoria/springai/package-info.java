/**
 * Memoria as Spring AI's chat memory.
 *
 * <ul>
 *   <li>{@link dev.memoria.springai.MemoriaChatMemoryRepository}: a
 *       {@code ChatMemoryRepository} for {@code MessageWindowChatMemory} (or any memory built on a
 *       repository) that writes only what changed, never deletes history on a save, and keeps
 *       tool calls, tool responses, media and metadata exactly;
 *   <li>{@link dev.memoria.springai.MemoriaChatMemory}: a native {@code ChatMemory} whose
 *       {@code add} appends and whose {@code get} reads the window from the end of the log.
 * </ul>
 *
 * Both keep a conversation in a Memoria session: every message ever written stays readable in the
 * session's log ({@code memoria show}), tool calls paired with their results.
 */
package dev.memoria.springai;
