package dev.memoria.jdbc;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** A WHERE clause built from a filter's conditions, every value a bound parameter. */
final class SqlWhere {
    private final Database db;
    final StringBuilder sql = new StringBuilder(" WHERE 1 = 1");
    final List<Object> params = new ArrayList<>();

    SqlWhere(Database db) {
        this.db = db;
    }

    SqlWhere equal(String column, Object value) {
        if (value != null) {
            sql.append(" AND ").append(column).append(" = ?");
            params.add(value);
        }
        return this;
    }

    /** {@code column IN (…)} over the names of enum constants, in a canonical order; nothing when empty. */
    SqlWhere in(String column, Collection<? extends Enum<?>> values) {
        if (!values.isEmpty()) {
            sql.append(" AND ").append(column).append(" IN (");
            String sep = "";
            for (String name : new TreeSet<>(values.stream().map(Enum::name).toList())) {
                sql.append(sep).append('?');
                params.add(name);
                sep = ", ";
            }
            sql.append(')');
        }
        return this;
    }

    SqlWhere after(String column, Instant instant) {
        if (instant != null) {
            sql.append(" AND ").append(column).append(" > ?");
            params.add(instant.toEpochMilli());
        }
        return this;
    }

    SqlWhere before(String column, Instant instant) {
        if (instant != null) {
            sql.append(" AND ").append(column).append(" < ?");
            params.add(instant.toEpochMilli());
        }
        return this;
    }

    SqlWhere labels(Map<String, String> labels) {
        LabelSql.append(db, labels, sql, params);
        return this;
    }

    /** Resumes a keyset walk after (time, id), in the walk's direction. */
    SqlWhere after(String timeColumn, boolean descending, long time, String id) {
        String op = descending ? "<" : ">";
        sql.append(" AND (").append(timeColumn).append(' ').append(op).append(" ? OR (").append(timeColumn)
                .append(" = ? AND id ").append(op).append(" ?))");
        params.add(time);
        params.add(time);
        params.add(id);
        return this;
    }

    /** {@code ORDER BY time, id} in the direction, and the limit. */
    SqlWhere orderBy(String timeColumn, boolean descending, int limit) {
        String direction = descending ? " DESC" : "";
        sql.append(" ORDER BY ").append(timeColumn).append(direction).append(", id").append(direction).append(" LIMIT ?");
        params.add(limit);
        return this;
    }
}
