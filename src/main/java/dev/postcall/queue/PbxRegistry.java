package dev.postcall.queue;

import dev.postcall.db.Sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** The PBXs that feed this database ({@code pbx_nodes}): how a node learns it is not the only one. */
public final class PbxRegistry {
  private final DataSource ds;

  public PbxRegistry(DataSource ds) {
    this.ds = ds;
  }

  /** Records that {@code pbxId} (on {@code host}) feeds this database now. */
  public void register(String pbxId, String host, boolean explicit) throws SQLException {
    Sql.autocommit(ds, c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO pbx_nodes (pbx_id, host, explicit_id, first_seen, last_seen)"
          + " VALUES (?, ?, ?, UTC_TIMESTAMP(3), UTC_TIMESTAMP(3))"
          + " ON DUPLICATE KEY UPDATE host = VALUES(host), explicit_id = VALUES(explicit_id), last_seen = UTC_TIMESTAMP(3)")) {
        ps.setString(1, pbxId);
        ps.setString(2, Sql.clip(host, 255));
        ps.setBoolean(3, explicit);
        return ps.executeUpdate();
      }
    });
  }

  /**
   * Gives the calls stored before calls carried their PBX ({@code pbx_id = ''}: a database that
   * knew no single PBX when it was migrated) to {@code pbxId}, the only PBX feeding this database.
   * In chunks, so a large history never holds one long transaction. A call this PBX has stored again
   * meanwhile under its id keeps its '' twin (IGNORE). Returns how many calls were adopted.
   */
  public long adoptUnmarked(String pbxId) throws SQLException {
    long total = 0;
    for (String table : List.of("calls", "call_corrections", "call_conflicts")) {
      while (true) {
        int n = Sql.autocommit(ds, c -> {
          try (PreparedStatement ps = c.prepareStatement("UPDATE IGNORE " + table + " SET pbx_id = ? WHERE pbx_id = '' LIMIT 10000")) {
            ps.setString(1, pbxId);
            return ps.executeUpdate();
          }
        });
        if (table.equals("calls")) total += n;
        if (n < 10_000) break;
      }
    }
    return total;
  }

  /** The id {@code host} registered without choosing one (its host name, before systemname was read), or null. */
  public String implicitIdOf(String host) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT pbx_id FROM pbx_nodes WHERE host = ? AND explicit_id = FALSE"
            + " ORDER BY last_seen DESC LIMIT 1")) {
      ps.setString(1, Sql.clip(host, 255));
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  /** The other PBX ids known to this database, oldest first. */
  public List<String> others(String pbxId) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT pbx_id FROM pbx_nodes WHERE pbx_id <> ? ORDER BY first_seen")) {
      ps.setString(1, pbxId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) out.add(rs.getString(1));
      }
    }
    return out;
  }
}
