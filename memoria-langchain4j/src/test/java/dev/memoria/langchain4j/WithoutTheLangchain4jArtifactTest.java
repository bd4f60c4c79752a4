package dev.memoria.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The module's dependency on {@code dev.langchain4j:langchain4j} is optional (only
 * {@code ChatMemoryProvider}, for AI services, lives there): the store and the native memory work
 * with {@code langchain4j-core} alone. Run them in a class loader without that jar.
 */
class WithoutTheLangchain4jArtifactTest {

    @Test
    void theStoreAndTheNativeMemoryNeedOnlyLangchain4jCore() throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String path = entry.replace('\\', '/');
            boolean langchain4j = path.contains("/dev/langchain4j/langchain4j/");
            boolean tests = path.endsWith("/test-classes") || path.endsWith("/test-classes/");
            if (!langchain4j && !tests) {
                urls.add(Path.of(entry).toUri().toURL());
            }
        }
        try (URLClassLoader loader = new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader())) {
            assertThatThrownBy(() -> loader.loadClass("dev.langchain4j.memory.chat.ChatMemoryProvider"))
                    .isInstanceOf(ClassNotFoundException.class);
            Object stores = loader.loadClass("dev.memoria.Stores").getMethod("inMemory").invoke(null);
            Class<?> storesType = loader.loadClass("dev.memoria.Stores");
            Class<?> chatMessage = loader.loadClass("dev.langchain4j.data.message.ChatMessage");
            Object hello = loader.loadClass("dev.langchain4j.data.message.UserMessage").getMethod("from", String.class)
                    .invoke(null, "hello");

            Class<?> memoryType = loader.loadClass("dev.memoria.langchain4j.MemoriaChatMemory");
            Object builder = memoryType.getMethod("builder", storesType).invoke(null, stores);
            builder = builder.getClass().getMethod("maxMessages", int.class).invoke(builder, 3);
            Object memory = builder.getClass().getMethod("build").invoke(builder);
            memoryType.getMethod("add", chatMessage).invoke(memory, hello);
            assertThat((List<?>) memoryType.getMethod("messages").invoke(memory)).singleElement().hasToString(hello.toString());

            Class<?> storeType = loader.loadClass("dev.memoria.langchain4j.MemoriaChatMemoryStore");
            Object store = storeType.getMethod("create", storesType).invoke(null, stores);
            Method update = storeType.getMethod("updateMessages", Object.class, List.class);
            update.invoke(store, "id", List.of(hello));
            assertThat((List<?>) storeType.getMethod("getMessages", Object.class).invoke(store, "id")).hasSize(1);
        }
    }
}
