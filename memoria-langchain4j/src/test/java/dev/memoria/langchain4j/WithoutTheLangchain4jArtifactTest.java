package dev.memoria.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The module's dependency on {@code dev.langchain4j:langchain4j} is optional (only
 * {@code ChatMemoryProvider}, for AI services, lives there): the store and the native memory work
 * with {@code langchain4j-core} alone. Run them in a class loader without that jar.
 */
class WithoutTheLangchain4jArtifactTest {

    /** The test's class path without the {@code langchain4j} jar and without the test classes. */
    private static URLClassLoader withoutLangchain4j() throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String path = entry.replace('\\', '/');
            boolean langchain4j = path.contains("/dev/langchain4j/langchain4j/");
            boolean tests = path.endsWith("/test-classes") || path.endsWith("/test-classes/");
            if (!langchain4j && !tests) {
                urls.add(Path.of(entry).toUri().toURL());
            }
        }
        return new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
    }

    @Test
    void theStoreAndTheNativeMemoryNeedOnlyLangchain4jCore() throws Exception {
        try (URLClassLoader loader = withoutLangchain4j()) {
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

    /**
     * A {@link ModelAgent} run with a tool call and an answer, in the runtime, with
     * {@code langchain4j-core} alone: the model and the tool are proxies of the isolated classes.
     */
    @Test
    void theModelAgentNeedsOnlyLangchain4jCore() throws Exception {
        try (URLClassLoader loader = withoutLangchain4j()) {
            assertThatThrownBy(() -> loader.loadClass("dev.langchain4j.service.tool.ToolExecutor"))
                    .isInstanceOf(ClassNotFoundException.class);
            Class<?> aiMessage = loader.loadClass("dev.langchain4j.data.message.AiMessage");
            Class<?> request = loader.loadClass("dev.langchain4j.agent.tool.ToolExecutionRequest");
            Object requestBuilder = request.getMethod("builder").invoke(null);
            requestBuilder = invoke(requestBuilder, "id", "c1");
            requestBuilder = invoke(requestBuilder, "name", "echo");
            requestBuilder = invoke(requestBuilder, "arguments", "{}");
            Object callEcho = aiMessage.getMethod("from", List.class).invoke(null, List.of(invoke(requestBuilder, "build")));
            Object answer = aiMessage.getMethod("from", String.class).invoke(null, "echoed it");
            List<Object> responses = new ArrayList<>();
            for (Object m : List.of(callEcho, answer)) {
                Object b = loader.loadClass("dev.langchain4j.model.chat.response.ChatResponse").getMethod("builder").invoke(null);
                responses.add(invoke(invoke(b, "aiMessage", m), "build"));
            }
            AtomicInteger calls = new AtomicInteger();
            Object model = proxy(loader, "dev.langchain4j.model.chat.ChatModel",
                    (proxy, method, args) -> method.getName().equals("doChat") ? responses.get(calls.getAndIncrement())
                            : InvocationHandler.invokeDefault(proxy, method, args));
            Object executor = proxy(loader, "dev.memoria.langchain4j.ModelAgent$ToolExecutor", (proxy, method, args) -> "echo!");
            Object specBuilder = loader.loadClass("dev.langchain4j.agent.tool.ToolSpecification").getMethod("builder").invoke(null);
            Object spec = invoke(invoke(specBuilder, "name", "echo"), "build");

            Object agentBuilder = loader.loadClass("dev.memoria.langchain4j.ModelAgent").getMethod("builder", String.class,
                    loader.loadClass("dev.langchain4j.model.chat.ChatModel")).invoke(null, "echoer", model);
            agentBuilder = invoke(agentBuilder, "tool", spec, executor);
            Object agent = invoke(agentBuilder, "build");
            Object stores = loader.loadClass("dev.memoria.Stores").getMethod("inMemory").invoke(null);
            Object rt = loader.loadClass("dev.memoria.runtime.AgentRuntime").getMethod("create", loader.loadClass("dev.memoria.Stores"))
                    .invoke(null, stores);
            Object session = invoke(rt, "startSession", null, null);
            Object result = invoke(rt, "run", invoke(session, "id"), agent, "echo something");
            assertThat(invoke(result, "reply")).isEqualTo(Optional.of("echoed it"));
            assertThat((List<?>) invoke(result, "events")).hasSize(5); // user, call step (message, call), result, answer
            assertThat(calls).hasValue(2);
        }
    }

    private static Object proxy(ClassLoader loader, String type, InvocationHandler handler) throws ClassNotFoundException {
        Class<?> iface = loader.loadClass(type);
        return Proxy.newProxyInstance(loader, new Class<?>[] {iface}, (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return switch (method.getName()) {
                    case "toString" -> "proxy " + iface.getSimpleName();
                    case "hashCode" -> System.identityHashCode(proxy);
                    default -> proxy == args[0];
                };
            }
            return handler.invoke(proxy, method, args);
        });
    }

    /** Calls the public method of that name and argument count (the only one, in these tests). */
    private static Object invoke(Object target, String name, Object... args) throws Exception {
        for (Method m : target.getClass().getMethods()) {
            if (m.getName().equals(name) && m.getParameterCount() == args.length
                    && (args.length != 1 || args[0] == null || m.getParameterTypes()[0].isInstance(args[0])
                            || m.getParameterTypes()[0] == Object.class)) {
                m.setAccessible(true);
                return m.invoke(target, args);
            }
        }
        throw new NoSuchMethodException(target.getClass().getName() + "." + name + " with " + args.length + " arguments");
    }
}
