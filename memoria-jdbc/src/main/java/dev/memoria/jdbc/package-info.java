/**
 * Memoria's stores over JDBC: {@link dev.memoria.jdbc.JdbcStores#sqlite(java.nio.file.Path)} (the
 * embedded default) and {@link dev.memoria.jdbc.JdbcStores#create(javax.sql.DataSource)} for
 * PostgreSQL or SQLite.
 */
package dev.memoria.jdbc;
