package dev.memoria.jdbc;

import java.sql.Connection;
import java.sql.SQLException;

/** A unit of work on a connection. */
@FunctionalInterface
interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
}
