package dev.postcall.cdr;

import dev.postcall.call.CallRecord;

import com.mysql.cj.jdbc.JdbcStatement;
import java.io.ByteArrayInputStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;

/**
 * Writes calls with one {@code LOAD DATA LOCAL INFILE} streamed from memory: the server parses and
 * inserts a whole batch in one statement, several times faster than multi-row INSERTs of the same
 * rows. The statement is a constant — the rows travel as data ({@link CallsTsv}), never as SQL.
 */
final class LoadCalls {
  /** The file name is never opened: Connector/J sends the stream set on the statement instead. */
  static final String SQL = "LOAD DATA LOCAL INFILE 'postcall-calls.tsv' IGNORE INTO TABLE calls " + CallsTsv.FORMAT
      + " (" + String.join(", ", CallsTsv.COLUMNS) + ")";

  private static final int DUPLICATE_KEY = 1062;

  private LoadCalls() {}

  /**
   * Inserts the calls inside the caller's transaction; a call already stored (PBX and uniqueid) is skipped
   * (IGNORE: the AGI path may store one of them at this moment). Returns the number inserted.
   */
  static long write(Connection c, List<CallRecord> calls, Instant receivedAt) throws SQLException {
    byte[] rows = CallsTsv.of(calls, receivedAt);
    try (Statement st = c.createStatement()) {
      JdbcStatement load = st.unwrap(JdbcStatement.class);
      load.setLocalInfileInputStream(new ByteArrayInputStream(rows));
      long inserted;
      try {
        inserted = st.executeLargeUpdate(SQL);
      } finally {
        // The stream is the session's, not the statement's: leave nothing for a later request.
        load.setLocalInfileInputStream(null);
      }
      checkWarnings(st, calls.size() - inserted);
      return inserted;
    }
  }

  /**
   * With LOCAL the server cannot stop the client's stream, so it turns every row error into a
   * warning — a value it could not read would be stored mangled (a bad time as 0000-00-00), a row
   * without its value silently. The only warnings allowed are the duplicates IGNORE skipped; anything
   * else fails the batch, which rolls back.
   */
  private static void checkWarnings(Statement st, long skipped) throws SQLException {
    SQLWarning w = st.getWarnings(); // Connector/J asks the server only when the reply counted warnings
    if (w == null && skipped == 0) return;
    for (; w != null; w = w.getNextWarning()) {
      if (w.getErrorCode() != DUPLICATE_KEY)
        throw new SQLException("LOAD DATA into calls: " + w.getMessage(), w.getSQLState(), w.getErrorCode());
    }
    long warnings;
    try (ResultSet rs = st.executeQuery("SHOW COUNT(*) WARNINGS")) {
      rs.next();
      warnings = rs.getLong(1);
    }
    // SHOW WARNINGS lists at most max_error_count of them; the count covers the rest.
    if (warnings != skipped)
      throw new SQLException("LOAD DATA into calls: " + warnings + " warnings for " + skipped + " rows skipped as duplicates");
  }
}
