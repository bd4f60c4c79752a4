package dev.memoria.jdbc;

import dev.memoria.spi.Json;
import dev.memoria.testkit.WorkMeter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Work meters for contract M7, from the databases' own account of each read statement.
 * PostgreSQL: {@code EXPLAIN (ANALYZE)} — the rows every plan node produced or filtered out.
 * SQLite, which exposes no per-statement row counters to JDBC: its query plan — a read that
 * walks an index costs the rows it returns, one that scans the table or sorts in a temporary
 * B-tree costs every row of the table. A compound of limited arms (the session reads' UNION ALL
 * of one index-ordered scan per type) sorts only its arms' rows: it costs its rows times its arms.
 */
final class SqlWorkMeters {
    private SqlWorkMeters() {
    }

    static WorkMeter postgres(ReadCapture capture, DataSource ds) {
        return read -> {
            List<ReadCapture.Query> seen = capture.during(read);
            long work = 0;
            try (Connection c = ds.getConnection()) {
                for (ReadCapture.Query q : seen) {
                    try (PreparedStatement ps = c.prepareStatement("EXPLAIN (ANALYZE, FORMAT JSON) " + q.sql())) {
                        Database.bindAll(ps, q.params().toArray());
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            List<?> plans = (List<?>) Json.parse(rs.getString(1));
                            work += rowsTouched((Map<?, ?>) ((Map<?, ?>) plans.get(0)).get("Plan"));
                        }
                    }
                }
            } catch (SQLException e) {
                throw new AssertionError(e);
            }
            return work;
        };
    }

    private static long rowsTouched(Map<?, ?> node) {
        long loops = ((Number) node.get("Actual Loops")).longValue();
        long rows = ((Number) node.get("Actual Rows")).longValue() * loops;
        Object removed = node.get("Rows Removed by Filter");
        if (removed != null) {
            rows += ((Number) removed).longValue() * loops;
        }
        Object children = node.get("Plans");
        if (children instanceof List<?> list) {
            for (Object child : list) {
                rows += rowsTouched((Map<?, ?>) child);
            }
        }
        return rows;
    }

    static WorkMeter sqlite(ReadCapture capture, java.nio.file.Path file) {
        return read -> {
            List<ReadCapture.Query> seen = capture.during(read);
            long work = 0;
            try (Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file)) {
                for (ReadCapture.Query q : seen) {
                    boolean readsEverything = false;
                    // a compound (UNION ALL) of limited, index-ordered arms: SQLite sorts each arm's
                    // few rows (a co-routine) for the merge, which is no table scan
                    java.util.Map<Integer, String> details = new java.util.HashMap<>();
                    java.util.Map<Integer, Integer> parents = new java.util.HashMap<>();
                    java.util.Set<String> coroutines = new java.util.HashSet<>();
                    try (PreparedStatement ps = c.prepareStatement("EXPLAIN QUERY PLAN " + q.sql())) {
                        Database.bindAll(ps, q.params().toArray());
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                details.put(rs.getInt("id"), rs.getString("detail"));
                                parents.put(rs.getInt("id"), rs.getInt("parent"));
                                if (rs.getString("detail").startsWith("CO-ROUTINE ")) {
                                    coroutines.add(rs.getString("detail").substring("CO-ROUTINE ".length()).trim());
                                }
                            }
                        }
                    }
                    for (java.util.Map.Entry<Integer, String> node : details.entrySet()) {
                        String detail = node.getValue();
                        if (detail.startsWith("SCAN") && !detail.contains("json_each")) {
                            readsEverything |= !coroutines.contains(detail.substring("SCAN".length()).trim().split(" ")[0]);
                        } else if (detail.contains("TEMP B-TREE")) {
                            int parent = parents.get(node.getKey());
                            boolean sortsACoroutine = details.entrySet().stream().anyMatch(n -> parents.get(n.getKey()) == parent
                                    && n.getValue().startsWith("SCAN ") && coroutines.contains(n.getValue().substring(5).trim()));
                            readsEverything |= !sortsACoroutine;
                        }
                    }
                    if (readsEverything) {
                        try (ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM memoria_events")) {
                            rs.next();
                            work += rs.getLong(1);
                        }
                    } else {
                        try (PreparedStatement ps = c.prepareStatement(q.sql())) {
                            Database.bindAll(ps, q.params().toArray());
                            try (ResultSet rs = ps.executeQuery()) {
                                long rows = 0;
                                while (rs.next()) {
                                    rows++;
                                }
                                // each arm of a compound returns at most as many rows as the whole
                                work += rows * Math.max(1, coroutines.size());
                            }
                        }
                        work += 1 + coroutines.size(); // the index seeks themselves
                    }
                }
            } catch (SQLException e) {
                throw new AssertionError(e);
            }
            return work;
        };
    }

    /**
     * The K10 meter of SQLite facts, in rows: a word search is driven by the FTS5 index, so it
     * costs the index rows its MATCH yields (counted by running the same MATCH alone: the facts,
     * in any namespace, that hold every word), plus the rows it returns. The facts table must
     * only be reached by rowid from those index rows: any other access to it (a SCAN, or a
     * SEARCH through another index, such as the namespace's) costs every row of the table, so a
     * plan that walks the namespace cannot pass for a cheap one.
     */
    static WorkMeter sqliteFacts(ReadCapture capture, java.nio.file.Path file, String prefix) {
        String ftsTable = prefix + "fact_words";
        return read -> {
            List<ReadCapture.Query> seen = capture.during(read);
            long work = 0;
            try (Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file)) {
                for (ReadCapture.Query q : seen) {
                    List<String> plan = new ArrayList<>();
                    java.util.Set<String> subqueries = new java.util.HashSet<>();
                    try (PreparedStatement ps = c.prepareStatement("EXPLAIN QUERY PLAN " + q.sql())) {
                        Database.bindAll(ps, q.params().toArray());
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                String detail = rs.getString("detail");
                                plan.add(detail);
                                for (String kind : List.of("CO-ROUTINE ", "MATERIALIZE ")) {
                                    if (detail.startsWith(kind)) {
                                        subqueries.add(detail.substring(kind.length()).trim());
                                    }
                                }
                            }
                        }
                    }
                    boolean viaIndex = false;
                    boolean readsEverything = false;
                    for (String detail : plan) {
                        if (!detail.startsWith("SCAN ") && !detail.startsWith("SEARCH ")) {
                            continue;
                        }
                        String object = detail.substring(detail.indexOf(' ') + 1).split(" ")[0];
                        if (detail.contains("VIRTUAL TABLE")) {
                            // the word index, or json_each over one row's labels (a label filter)
                            viaIndex |= object.equals(ftsTable);
                        } else if (subqueries.contains(object) || object.startsWith("(subquery")) {
                            continue; // rows the query produced itself
                        } else {
                            readsEverything |= !(detail.startsWith("SEARCH ") && detail.contains("INTEGER PRIMARY KEY (rowid=?)"));
                        }
                    }
                    if (readsEverything) {
                        try (ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM " + prefix + "facts")) {
                            rs.next();
                            work += rs.getLong(1);
                        }
                    }
                    if (viaIndex) {
                        int match = q.sql().indexOf(ftsTable + " MATCH ?");
                        if (match < 0 || q.sql().indexOf('?') != match + ftsTable.length() + " MATCH ".length()) {
                            throw new AssertionError("the meter expects the MATCH expression as the first parameter: " + q.sql());
                        }
                        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM " + ftsTable + " WHERE " + ftsTable
                                + " MATCH ?")) {
                            ps.setObject(1, q.params().get(0));
                            try (ResultSet rs = ps.executeQuery()) {
                                rs.next();
                                work += rs.getLong(1);
                            }
                        }
                    }
                    try (PreparedStatement ps = c.prepareStatement(q.sql())) {
                        Database.bindAll(ps, q.params().toArray());
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                work++;
                            }
                        }
                    }
                }
            } catch (SQLException e) {
                throw new AssertionError(e);
            }
            return work;
        };
    }
}
