package dev.memoria.mongodb;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.Callable;

/**
 * A database whose collections let a test act around chosen driver calls: inject a failure, count
 * reads, or run another store's operation at the exact moment between two calls of an operation
 * (a delete between an appender's tail read and its insert), which no timing could place reliably.
 */
final class Intercepting {
    private Intercepting() {
    }

    /** What to do around one call of a collection's method. */
    @FunctionalInterface
    interface Hook {
        /**
         * @param collection the collection's name
         * @param method the method called
         * @param args its arguments
         * @param proceed makes the real call and returns its result
         * @return the call's result
         * @throws Throwable whatever the call should throw
         */
        Object around(String collection, Method method, Object[] args, Callable<Object> proceed) throws Throwable;
    }

    static MongoDatabase database(MongoDatabase real, Hook hook) {
        return (MongoDatabase) Proxy.newProxyInstance(Intercepting.class.getClassLoader(), new Class<?>[] {MongoDatabase.class},
                (proxy, method, args) -> {
                    Object result = invoke(real, method, args);
                    if (method.getName().equals("getCollection")) {
                        String name = (String) args[0];
                        MongoCollection<?> collection = (MongoCollection<?>) result;
                        return Proxy.newProxyInstance(Intercepting.class.getClassLoader(), new Class<?>[] {MongoCollection.class},
                                (p, m, a) -> hook.around(name, m, a, () -> invoke(collection, m, a)));
                    }
                    return result;
                });
    }

    /**
     * A database whose finds and aggregations hand out cursors that record whether they were
     * closed: {@code open} holds every cursor the stores took and did not close. (The in-process
     * server returns every result in its first reply, so it never holds a cursor a store could
     * leak; the client-side cursor is what a store must close.)
     */
    static MongoDatabase trackingCursors(MongoDatabase real, java.util.Set<Object> open) {
        return database(real, (collection, method, args, proceed) -> tracked(proceed.call(), open));
    }

    private static Object tracked(Object result, java.util.Set<Object> open) {
        if (result instanceof com.mongodb.client.MongoCursor<?> cursor) {
            open.add(cursor);
            return proxy(cursor, (p, m, a) -> {
                if (m.getName().equals("close")) {
                    open.remove(cursor);
                }
                return invoke(cursor, m, a);
            });
        }
        if (result instanceof com.mongodb.client.MongoIterable<?> iterable) {
            // sort(), limit() … return the iterable again: keep wrapping, so that iterator() is seen
            return proxy(iterable, (p, m, a) -> tracked(invoke(iterable, m, a), open));
        }
        return result;
    }

    private static Object proxy(Object target, java.lang.reflect.InvocationHandler handler) {
        java.util.Set<Class<?>> interfaces = new java.util.LinkedHashSet<>();
        for (Class<?> type = target.getClass(); type != null; type = type.getSuperclass()) {
            collectInterfaces(type, interfaces);
        }
        return Proxy.newProxyInstance(Intercepting.class.getClassLoader(), interfaces.toArray(new Class<?>[0]), handler);
    }

    private static void collectInterfaces(Class<?> type, java.util.Set<Class<?>> into) {
        for (Class<?> i : type.getInterfaces()) {
            if (java.lang.reflect.Modifier.isPublic(i.getModifiers()) && into.add(i)) {
                collectInterfaces(i, into);
            }
        }
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Exception {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw (Error) e.getCause();
        }
    }
}
