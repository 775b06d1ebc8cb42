package dev.postcall.agi;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;

/** Tells "the database is not there" from "the database refused this statement". */
final class DatabaseErrors {
  private DatabaseErrors() {}

  /**
   * True for connection failures (SQLState class 08, the pool's timeout): waiting helps, retrying
   * row by row does not. False for deadlocks, lock timeouts and refused values.
   */
  static boolean unreachable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException) return true;
      if (t instanceof SQLException s && s.getSQLState() != null && s.getSQLState().startsWith("08")) return true;
      if (t instanceof java.io.IOException) return true;
    }
    return false;
  }
}
