package dev.postcall.cdr;

import dev.postcall.db.Database;


import com.mysql.cj.conf.PropertyKey;
import com.mysql.cj.jdbc.JdbcConnection;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the Master.csv import may use {@code LOAD DATA LOCAL INFILE} ({@link LoadCalls}) or must
 * write multi-row INSERTs. Both sides must allow it: the connection (only {@link
 * Database#csvImport()}'s do) and the server ({@code local_infile}, ON by default in MariaDB, OFF in
 * MySQL 8). Decided at the first batch and logged once; a refusal later (local_infile switched off
 * while running) moves to INSERTs for good — slower, never a failed import.
 */
final class LocalInfile {
  private static final Logger log = LoggerFactory.getLogger(LocalInfile.class);

  enum Mode { LOAD_DATA, INSERT }

  private volatile Mode mode;

  /** True to use LOAD DATA on {@code c}; asks the server once. */
  boolean use(Connection c) throws SQLException {
    Mode m = mode;
    return (m != null ? m : decideOnce(c)) == Mode.LOAD_DATA;
  }

  /** Synchronized: the backfill's two transactions start together, and one line in the log is enough. */
  private synchronized Mode decideOnce(Connection c) throws SQLException {
    if (mode != null) return mode;
    boolean client = clientAllows(c);
    Mode m = decide(client, client && serverAllows(c));
    if (m == Mode.LOAD_DATA) log.info("Master.csv import: LOAD DATA LOCAL INFILE");
    else if (!client) log.info("Master.csv import: multi-row INSERTs (connection not set up for LOAD DATA LOCAL)");
    else log.warn("Master.csv import: the database server has local_infile=OFF; using multi-row INSERTs (slower)");
    mode = m;
    return m;
  }

  static Mode decide(boolean clientAllows, boolean serverAllows) {
    return clientAllows && serverAllows ? Mode.LOAD_DATA : Mode.INSERT;
  }

  /**
   * Whether {@code e} is the server refusing LOAD DATA LOCAL: MariaDB 4166 (local infile capability
   * disabled; 1148 before 10.5), MySQL 3948 (local data disabled). The server refuses before it
   * reads a row, so the same transaction can go on with INSERTs.
   */
  static boolean isRefusal(SQLException e) {
    return e.getErrorCode() == 4166 || e.getErrorCode() == 1148 || e.getErrorCode() == 3948;
  }

  /** After a refusal: INSERTs from now on. */
  synchronized void refused(SQLException e) {
    if (mode != Mode.INSERT)
      log.warn("Master.csv import: the server refused LOAD DATA LOCAL ({}); using multi-row INSERTs from now on", e.getMessage());
    mode = Mode.INSERT;
  }

  private static boolean clientAllows(Connection c) throws SQLException {
    return c.isWrapperFor(JdbcConnection.class)
        && c.unwrap(JdbcConnection.class).getPropertySet().getBooleanProperty(PropertyKey.allowLoadLocalInfile).getValue();
  }

  private static boolean serverAllows(Connection c) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT @@GLOBAL.local_infile")) {
      return rs.next() && rs.getBoolean(1);
    }
  }
}
