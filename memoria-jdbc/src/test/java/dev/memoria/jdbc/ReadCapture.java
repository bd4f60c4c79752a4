package dev.memoria.jdbc;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;

/**
 * Watches the queries the stores run, from outside: connections wrapped so that every
 * {@code executeQuery} of a prepared statement is recorded with its SQL and bound parameters,
 * while a capture is open. The M7 work meters replay what was recorded with EXPLAIN.
 */
final class ReadCapture {
    /** One query as it ran. */
    record Query(String sql, List<Object> params) {
    }

    private final List<List<Query>> open = new CopyOnWriteArrayList<>();

    /** @return the queries run while {@code read} ran */
    List<Query> during(Runnable read) {
        List<Query> seen = new CopyOnWriteArrayList<>();
        open.add(seen);
        try {
            read.run();
        } finally {
            open.remove(seen);
        }
        return new ArrayList<>(seen);
    }

    Connection wrap(Connection c) {
        return (Connection) Proxy.newProxyInstance(ReadCapture.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    Object result = invoke(c, method, args);
                    if (method.getName().equals("prepareStatement") && args.length == 1) {
                        return watch((PreparedStatement) result, (String) args[0]);
                    }
                    return result;
                });
    }

    DataSource wrap(DataSource ds) {
        return (DataSource) Proxy.newProxyInstance(ReadCapture.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    Object result = invoke(ds, method, args);
                    return method.getName().equals("getConnection") ? wrap((Connection) result) : result;
                });
    }

    private PreparedStatement watch(PreparedStatement ps, String sql) {
        Map<Integer, Object> params = new TreeMap<>();
        return (PreparedStatement) Proxy.newProxyInstance(ReadCapture.class.getClassLoader(),
                new Class<?>[] {PreparedStatement.class}, (proxy, method, args) -> {
                    String name = method.getName();
                    if (name.startsWith("set") && args != null && args.length == 2 && args[0] instanceof Integer i) {
                        params.put(i, args[1]);
                    } else if (name.equals("clearParameters")) {
                        params.clear();
                    } else if (name.equals("executeQuery") && (args == null || args.length == 0)) {
                        Query q = new Query(sql, new ArrayList<>(params.values()));
                        open.forEach(seen -> seen.add(q));
                    }
                    return invoke(ps, method, args);
                });
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
