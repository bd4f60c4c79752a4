package dev.memoria.langchain4j;

import dev.langchain4j.memory.ChatMemory;
import dev.langchain4j.memory.chat.ChatMemoryProvider;
import java.util.Objects;

/**
 * The {@link ChatMemoryProvider} of an AI service whose memories are {@link MemoriaChatMemory}s:
 * one per {@code @MemoryId}, each with the options of one builder.
 *
 * <pre>{@code
 * Assistant assistant = AiServices.builder(Assistant.class)
 *         .chatModel(model)
 *         .chatMemoryProvider(MemoriaChatMemoryProvider.of(MemoriaChatMemory.builder(stores).maxMessages(20)))
 *         .build();
 * }</pre>
 *
 * <p>A class of its own because {@code ChatMemoryProvider} lives in the {@code dev.langchain4j:langchain4j}
 * artifact (beside {@code AiServices}), which this module does not require: the store and the
 * memory work with {@code langchain4j-core} alone, even under reflection.
 *
 * <p>Immutable and thread-safe; a memory costs nothing until used, so AI services may create
 * one per id freely.
 */
public final class MemoriaChatMemoryProvider implements ChatMemoryProvider {
    private final MemoriaChatMemory.Builder options;

    private MemoriaChatMemoryProvider(MemoriaChatMemory.Builder options) {
        this.options = options;
    }

    /**
     * @param options the memories' options (the builder's id is replaced by each memory id); copied
     *     now, so later changes to the builder do not affect the provider
     * @return the provider
     * @throws IllegalStateException if neither a message count nor a token budget was set
     */
    public static MemoriaChatMemoryProvider of(MemoriaChatMemory.Builder options) {
        Objects.requireNonNull(options, "options");
        options.check();
        return new MemoriaChatMemoryProvider(options.copy());
    }

    /**
     * @param memoryId the AI service's memory id
     * @return a memory with the provider's options and that id
     * @throws NullPointerException if {@code memoryId} is null
     * @throws IllegalArgumentException if it makes no valid session id
     */
    @Override
    public ChatMemory get(Object memoryId) {
        return options.copy().id(memoryId).build();
    }

    @Override
    public String toString() {
        return "MemoriaChatMemoryProvider[" + options.describe() + "]";
    }
}
