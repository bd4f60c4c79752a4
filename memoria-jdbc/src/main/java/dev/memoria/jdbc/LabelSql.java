package dev.memoria.jdbc;

import dev.memoria.Page;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** SQL shared by the listings: label conditions, cursor numbers and "limit + 1" paging. */
final class LabelSql {
    private LabelSql() {
    }

    /**
     * Adds "every label matches". PostgreSQL: jsonb containment. SQLite: one json_each lookup
     * per label, which takes any key as a value rather than as a JSON path.
     */
    static void append(Database db, Map<String, String> labels, StringBuilder sql, List<Object> params) {
        if (labels.isEmpty()) {
            return;
        }
        if (db.dialect == Dialect.POSTGRESQL) {
            sql.append(" AND labels @> CAST(? AS jsonb)");
            params.add(db.json(labels));
            return;
        }
        for (Map.Entry<String, String> e : labels.entrySet()) {
            sql.append(" AND EXISTS (SELECT 1 FROM json_each(labels) AS l WHERE l.key = ? AND l.value = ?)");
            params.add(e.getKey());
            params.add(e.getValue());
        }
    }

    static long parseLong(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("cursor: invalid, unsupported cursor format");
        }
    }

    static <T> Page<T> page(List<T> limitPlusOne, int limit, Function<T, String> cursorOf) {
        if (limitPlusOne.size() <= limit) {
            return new Page<>(limitPlusOne, null);
        }
        List<T> items = limitPlusOne.subList(0, limit);
        return new Page<>(items, cursorOf.apply(items.get(limit - 1)));
    }
}
