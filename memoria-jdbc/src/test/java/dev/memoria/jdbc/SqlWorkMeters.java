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
 * B-tree costs every row of the table.
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
                    try (PreparedStatement ps = c.prepareStatement("EXPLAIN QUERY PLAN " + q.sql())) {
                        Database.bindAll(ps, q.params().toArray());
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                String detail = rs.getString("detail");
                                readsEverything |= (detail.startsWith("SCAN") && !detail.contains("json_each"))
                                        || detail.contains("TEMP B-TREE");
                            }
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
                                while (rs.next()) {
                                    work++;
                                }
                            }
                        }
                        work++; // the index seek itself
                    }
                }
            } catch (SQLException e) {
                throw new AssertionError(e);
            }
            return work;
        };
    }
}
