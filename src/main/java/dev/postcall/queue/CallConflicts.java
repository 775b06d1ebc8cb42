package dev.postcall.queue;

import dev.postcall.db.Sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** The recorded conflicts ({@code call_conflicts}), for the admins: how many, and the latest. */
public final class CallConflicts {
  /** One conflict as stored: both versions as JSON. */
  public record Row(long id, String pbxId, String uniqueid, CallConflict.Kind kind, String fields, String kept,
      String rejected, Instant detectedAt) {}

  private final DataSource ds;

  public CallConflicts(DataSource ds) {
    this.ds = ds;
  }

  public long count() throws SQLException {
    try (Connection c = ds.getConnection()) {
      return Sql.scalarLong(c, "SELECT COUNT(*) FROM call_conflicts");
    }
  }

  /** The latest {@code limit} conflicts, newest first. */
  public List<Row> latest(int limit) throws SQLException {
    List<Row> out = new ArrayList<>();
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT * FROM call_conflicts ORDER BY detected_at DESC, id DESC LIMIT ?")) {
      ps.setInt(1, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new Row(rs.getLong("id"), rs.getString("pbx_id"), rs.getString("uniqueid"),
              CallConflict.Kind.valueOf(rs.getString("kind")), rs.getString("fields"), rs.getString("kept"),
              rs.getString("rejected"), Sql.getInstant(rs, "detected_at")));
        }
      }
    }
    return out;
  }
}
