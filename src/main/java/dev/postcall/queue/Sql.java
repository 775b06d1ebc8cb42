package dev.postcall.queue;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/** Small JDBC helpers: the database keeps UTC wall-clock times in DATETIME(3) columns. */
public final class Sql {
  private Sql() {}

  public static void setInstant(PreparedStatement ps, int i, Instant t) throws SQLException {
    if (t == null) ps.setNull(i, Types.TIMESTAMP);
    else ps.setObject(i, LocalDateTime.ofInstant(t, ZoneOffset.UTC));
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

  /** Truncates to the column's width: a hostile 10 kB caller name must not fail the insert. */
  public static String clip(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max);
  }

}
