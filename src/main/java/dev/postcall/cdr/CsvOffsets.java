package dev.postcall.cdr;

import dev.postcall.PostcallException;
import dev.postcall.db.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The {@code csv_offsets} rows of one tailer node: where it stands in each of its own files. Every
 * statement names the node, so a node never reads, moves or forgets another node's positions.
 * Rows from before positions were per node ({@link #LEGACY}) are adopted file by file.
 */
final class CsvOffsets {
  /** The node id of rows written before offsets were kept per node. */
  static final String LEGACY = "";

  private final DataSource ds;
  private final String node;

  CsvOffsets(DataSource ds, String node) {
    if (node == null || node.isEmpty()) throw new IllegalArgumentException("a tailer needs its node id");
    this.ds = ds;
    this.node = node;
  }

  String node() {
    return node;
  }

  /** This node's positions by file key. */
  Map<String, FileState> loadAll() throws SQLException {
    return load(node);
  }

  /** Positions written before they were per node, by file key. */
  Map<String, FileState> legacy() throws SQLException {
    return load(LEGACY);
  }

  private Map<String, FileState> load(String owner) throws SQLException {
    Map<String, FileState> out = new HashMap<>();
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT * FROM csv_offsets WHERE node_id = ?")) {
      ps.setString(1, owner);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          FileState s = new FileState(rs.getString("file_key"), rs.getString("path"), rs.getString("fingerprint"),
              rs.getInt("fingerprint_len"), rs.getLong("byte_offset"), rs.getLong("line_no"), rs.getLong("file_size"));
          out.put(s.fileKey(), s);
        }
      }
    }
    return out;
  }

  /**
   * Takes a pre-per-node row as this node's (the caller has no row of its own for that key). False
   * when another node took it first.
   */
  boolean adopt(String fileKey) throws SQLException {
    return Sql.autocommit(ds, c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE csv_offsets SET node_id = ? WHERE node_id = ? AND file_key = ?")) {
        ps.setString(1, node);
        ps.setString(2, LEGACY);
        ps.setString(3, fileKey);
        return ps.executeUpdate() == 1;
      }
    });
  }

  /** Starts tracking a file (or starts it over after a truncation): one row per node and file key. */
  void put(FileState s) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("INSERT INTO csv_offsets (node_id, file_key, path, fingerprint,"
            + " fingerprint_len, byte_offset, line_no, file_size, updated_at) VALUES (?,?,?,?,?,?,?,?, UTC_TIMESTAMP(3))"
            + " ON DUPLICATE KEY UPDATE path = VALUES(path), fingerprint = VALUES(fingerprint),"
            + " fingerprint_len = VALUES(fingerprint_len), byte_offset = VALUES(byte_offset),"
            + " line_no = VALUES(line_no), file_size = VALUES(file_size), updated_at = VALUES(updated_at)")) {
      ps.setString(1, node);
      ps.setString(2, s.fileKey());
      ps.setString(3, Sql.clip(s.path(), 1024));
      ps.setString(4, s.fingerprint());
      ps.setInt(5, s.fingerprintLen());
      ps.setLong(6, s.offset());
      ps.setLong(7, s.line());
      ps.setLong(8, s.size());
      ps.executeUpdate();
    }
  }

  /**
   * Moves {@code from} to {@code to} inside the batch's transaction. The row must still hold {@code
   * from}'s offset: otherwise someone else read these lines meanwhile and the batch rolls back.
   */
  void advance(Connection c, FileState from, FileState to) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE csv_offsets SET path = ?, fingerprint = ?,"
        + " fingerprint_len = ?, byte_offset = ?, line_no = ?, file_size = ?, updated_at = UTC_TIMESTAMP(3)"
        + " WHERE node_id = ? AND file_key = ? AND byte_offset = ? AND line_no = ?")) {
      ps.setString(1, Sql.clip(to.path(), 1024));
      ps.setString(2, to.fingerprint());
      ps.setInt(3, to.fingerprintLen());
      ps.setLong(4, to.offset());
      ps.setLong(5, to.line());
      ps.setLong(6, to.size());
      ps.setString(7, node);
      ps.setString(8, from.fileKey());
      ps.setLong(9, from.offset());
      ps.setLong(10, from.line());
      int rows = ps.executeUpdate();
      if (rows != 1)
        throw new OffsetMoved("offset of " + from.path() + " moved by someone else (expected " + from.offset()
            + "); batch rolled back");
    }
  }

  /** Forgets one of this node's files; another node's row with the same key is not touched. */
  void delete(String fileKey) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("DELETE FROM csv_offsets WHERE node_id = ? AND file_key = ?")) {
      ps.setString(1, node);
      ps.setString(2, fileKey);
      ps.executeUpdate();
    }
  }

  /** The saved position is no longer the one the batch started from: the batch was rolled back. */
  static final class OffsetMoved extends PostcallException {
    OffsetMoved(String message) {
      super(message, true);
    }
  }
}
