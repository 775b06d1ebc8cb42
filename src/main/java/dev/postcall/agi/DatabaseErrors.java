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
   * migrations ran, and a fresh database has no tables for the first hangups) and for a server in
   * read-only mode (a replica being promoted): waiting helps,
   * retrying row by row does not, and the event must stay in the spool. False for deadlocks, lock
   * timeouts and refused values.
   */
  static boolean unreachable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException) return true;
      if (t instanceof SQLException s && s.getSQLState() != null && s.getSQLState().startsWith("08")) return true;
      if (t instanceof SQLException s && (schemaNotReady(s) || readOnly(s))) return true;
      if (t instanceof java.io.IOException) return true;
    }
    return false;
  }

  /**
   * A server that takes no writes right now: a replica not yet promoted in a primary switch (1290
   * "running with the --read-only option", 1836 read-only mode, 1792 read-only transaction). The
   * switch finishes in seconds; the event must wait for it, not be rejected.
   */
  private static boolean readOnly(SQLException s) {
    return s.getErrorCode() == 1290 || s.getErrorCode() == 1836 || s.getErrorCode() == 1792;
  }

  /** MySQL/MariaDB: 1146 no such table (42S02), 1054 unknown column (42S22), 1049 unknown database. */
  private static boolean schemaNotReady(SQLException s) {
    return "42S02".equals(s.getSQLState()) || "42S22".equals(s.getSQLState())
        || s.getErrorCode() == 1146 || s.getErrorCode() == 1054 || s.getErrorCode() == 1049;
  }
}
