package dev.memoria.jdbc;

import dev.memoria.StoreUnavailableException;
import java.sql.SQLException;

/** Translates driver failures by code (never by message text) into Memoria's exceptions. */
final class SqlErrors {
    private static final int SQLITE_BUSY = 5;
    private static final int SQLITE_LOCKED = 6;
    private static final int SQLITE_IOERR = 10;
    private static final int SQLITE_CORRUPT = 11;
    private static final int SQLITE_FULL = 13;
    private static final int SQLITE_CANTOPEN = 14;
    private static final int SQLITE_READONLY = 8;
    private static final int SQLITE_NOTADB = 26;

    private SqlErrors() {
    }

    /**
     * @param e a driver failure
     * @return whether it says the connection is gone (PostgreSQL: SQLSTATE class 08, or the server
     *     shutting down or terminating the backend), so that nothing more can run on it
     */
    static boolean isConnectionLoss(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        return state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03");
    }

    static StoreUnavailableException translate(SQLException e, Dialect dialect, String where) {
        if (dialect == Dialect.SQLITE) {
            int code = e.getErrorCode() & 0xff;
            return switch (code) {
                case SQLITE_BUSY, SQLITE_LOCKED -> new StoreUnavailableException(where
                        + ": the SQLite database stayed locked by another writer for longer than the busy timeout"
                        + " (retry, or raise JdbcOptions.busyTimeout)", e, true);
                case SQLITE_CORRUPT, SQLITE_NOTADB -> new StoreUnavailableException(where
                        + ": the file is not a SQLite database or is corrupt (" + e.getMessage() + ")", e, false);
                case SQLITE_CANTOPEN -> new StoreUnavailableException(where
                        + ": cannot open the SQLite file (check the path and its permissions)", e, false);
                case SQLITE_READONLY -> new StoreUnavailableException(where
                        + ": the SQLite file is read-only (check its permissions)", e, false);
                // the same call fails again until someone frees space; the stores work again then
                case SQLITE_FULL -> new StoreUnavailableException(where + ": the disk is full (free space; the stores"
                        + " write again once there is room)", e, false);
                case SQLITE_IOERR -> new StoreUnavailableException(where + ": disk I/O error (" + e.getMessage() + ")", e, true);
                default -> new StoreUnavailableException(where + ": " + e.getMessage(), e, false);
            };
        }
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        boolean retryable = state.startsWith("08") // connection exceptions
                || state.equals("40001") || state.equals("40P01") // serialization failure, deadlock
                || state.startsWith("53") // insufficient resources
                || state.equals("57P01") || state.equals("57P03"); // admin shutdown, cannot connect now
        return new StoreUnavailableException(where + ": " + e.getMessage() + " (SQLSTATE " + state + ")", e, retryable);
    }
}
