package dev.postcall.agi;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;

/** Tells "the database is not there" from "the database refused this statement". */
final class DatabaseErrors {
  private DatabaseErrors() {}

  /**
   * True for connection failures (SQLState class 08, the pool's timeout) and for a schema that is
   * not in place yet (no such table or column, unknown database: the service listens before its
   * migrations ran, and a fresh database has no tables for the first hangups): waiting helps,
   * retrying row by row does not, and the event must stay in the spool. False for deadlocks, lock
   * timeouts and refused values.
   */
  static boolean unreachable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException) return true;
      if (t instanceof SQLException s && s.getSQLState() != null && s.getSQLState().startsWith("08")) return true;
      if (t instanceof SQLException s && schemaNotReady(s)) return true;
      if (t instanceof java.io.IOException) return true;
    }
    return false;
  }

  /** MySQL/MariaDB: 1146 no such table (42S02), 1054 unknown column (42S22), 1049 unknown database. */
  private static boolean schemaNotReady(SQLException s) {
    return "42S02".equals(s.getSQLState()) || "42S22".equals(s.getSQLState())
        || s.getErrorCode() == 1146 || s.getErrorCode() == 1054 || s.getErrorCode() == 1049;
  }
}
