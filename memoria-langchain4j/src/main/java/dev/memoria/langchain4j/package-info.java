/**
 * Memoria as LangChain4j's chat memory, and a LangChain4j model as an agent of Memoria's runtime.
 *
 * <ul>
 *   <li>{@link dev.memoria.langchain4j.MemoriaChatMemoryStore}: a {@code ChatMemoryStore} for
 *       LangChain4j's own {@code MessageWindowChatMemory} and {@code TokenWindowChatMemory}; a write
 *       appends only what changed and never deletes the history.</li>
 *   <li>{@link dev.memoria.langchain4j.MemoriaChatMemory}: a native {@code ChatMemory} (and, through
 *       its builder, a {@code ChatMemoryProvider} for AI services) that appends each message and
 *       reads its window from the end of the log.</li>
 *   <li>{@link dev.memoria.langchain4j.ModelAgent}: an agent for {@link dev.memoria.runtime.AgentRuntime}
 *       driven by a {@code ChatModel}, with tools (some of them waiting for a person's approval), whose
 *       every step is stored as it happens and whose paused runs resume in any process.</li>
 * </ul>
 *
 * A memory id is a Memoria session holding one log ({@link dev.memoria.context.Conversation}):
 * every message ever written, tool calls paired with their results, readable with the API and with
 * {@code memoria show}. Messages come back {@code equals()} to those written.
 */
package dev.memoria.langchain4j;
