package dev.postcall.db;

import dev.postcall.Causes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import javax.sql.DataSource;

/** Small JDBC helpers: the database keeps UTC wall-clock times in DATETIME(3) columns. */
public final class Sql {
  private Sql() {}

  private static final java.time.format.DateTimeFormatter MILLIS =
      java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

  /**
   * Binds an instant as UTC text with milliseconds. Not setObject/setTimestamp: MariaDB introduces
   * itself as "5.5.5-10.x", Connector/J takes that for a server older than 5.6.4 and silently drops
   * the fractional seconds — leases, retry times and freshness would be cut to whole seconds.
   */
  public static void setInstant(PreparedStatement ps, int i, Instant t) throws SQLException {
    if (t == null) ps.setNull(i, Types.TIMESTAMP);
    else ps.setString(i, format(t));
  }

  /** The text {@link #setInstant} binds: UTC, {@code yyyy-MM-dd HH:mm:ss.SSS}. */
  public static String format(Instant t) {
    return MILLIS.format(t);
  }

  public static Instant getInstant(ResultSet rs, String col) throws SQLException {
    LocalDateTime t = rs.getObject(col, LocalDateTime.class);
    return t == null ? null : t.toInstant(ZoneOffset.UTC);
  }

  public static void setInt(PreparedStatement ps, int i, Integer v) throws SQLException {
    if (v == null) ps.setNull(i, Types.INTEGER);
    else ps.setInt(i, v);
  }

  public static Integer getInt(ResultSet rs, String col) throws SQLException {
    int v = rs.getInt(col);
    return rs.wasNull() ? null : v;
  }

  /**
   * Binds {@code params} to the statement's {@code ?} from index 1: an {@link Instant} as {@link
   * #setInstant} binds it, an enum (a job state, a stage) by its name, anything else with
   * setObject. Returns {@code ps}.
   */
  public static PreparedStatement bind(PreparedStatement ps, Object... params) throws SQLException {
    for (int i = 0; i < params.length; i++) {
      Object p = params[i];
      if (p instanceof Instant t) setInstant(ps, i + 1, t);
      else if (p instanceof Enum<?> e) ps.setString(i + 1, e.name());
      else ps.setObject(i + 1, p);
    }
    return ps;
  }

  /**
   * The first column of the first row of a query that always returns one (a {@code COUNT(*)}, a
   * {@code COALESCE(MAX(…), 0)}), read as {@link ResultSet#getLong} reads it: NULL is 0. {@code
   * params} bind as {@link #bind} binds them.
   */
  public static long scalarLong(Connection c, String sql, Object... params) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, params);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) throw new SQLException("no row from " + sql);
        return rs.getLong(1);
      }
    }
  }

  /** Work inside one transaction. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /**
   * Runs {@code work} in one transaction and commits. A deadlock or lock-wait timeout is retried
   * (up to 3 more times): InnoDB has rolled the whole transaction back, so running it again is
   * safe — and a worker must not leave a job to its lease expiry over a routine deadlock between
   * a claim and another job's update.
   */
  public static <T> T transaction(DataSource ds, Work<T> work) throws SQLException {
    return withDeadlockRetry(ds, work, true);
  }

  /**
   * Runs one statement in autocommit — atomic on its own, and one round trip instead of the four
   * a transaction costs — with the same deadlock retry as {@link #transaction}.
   */
  public static <T> T autocommit(DataSource ds, Work<T> work) throws SQLException {
    return withDeadlockRetry(ds, work, false);
  }

  private static <T> T withDeadlockRetry(DataSource ds, Work<T> work, boolean inTransaction) throws SQLException {
    for (int attempt = 1; ; attempt++) {
      try (Connection c = ds.getConnection()) {
        if (inTransaction) c.setAutoCommit(false);
        try {
          T out = work.run(c);
          if (inTransaction) c.commit();
          return out;
        } catch (SQLException | RuntimeException e) {
          if (inTransaction) c.rollback();
          if (attempt <= 3 && isDeadlock(e)) continue;
          throw e;
        }
      }
    }
  }

  /** MySQL/MariaDB 1213 (deadlock) and 1205 (lock wait timeout), SQLState 40001. */
  static boolean isDeadlock(Throwable e) {
    return Causes.any(e, t -> t instanceof SQLException s
        && (s.getErrorCode() == 1213 || s.getErrorCode() == 1205 || "40001".equals(s.getSQLState())));
  }

  /** Truncates to the column's width: a hostile 10 kB caller name must not fail the insert. */
  public static String clip(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max);
  }

}
