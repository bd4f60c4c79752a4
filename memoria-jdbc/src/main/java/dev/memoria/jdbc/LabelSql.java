package dev.memoria.jdbc;

import java.util.List;
import java.util.Map;

/** The label condition of session listings, in each dialect. */
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

}
