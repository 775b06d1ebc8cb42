package dev.postcall.cdr;

import dev.postcall.PostcallException;
import dev.postcall.db.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;

/** The {@code csv_offsets} table: where the tailer stands in each file it reads. */
final class CsvOffsets {
  private final DataSource ds;
  private final Clock clock;

  CsvOffsets(DataSource ds, Clock clock) {
    this.ds = ds;
    this.clock = clock;
  }

  Map<String, FileState> loadAll() throws SQLException {
    Map<String, FileState> out = new HashMap<>();
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT * FROM csv_offsets");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        FileState s = new FileState(rs.getString("file_key"), rs.getString("path"), rs.getString("fingerprint"),
            rs.getInt("fingerprint_len"), rs.getLong("byte_offset"), rs.getLong("line_no"), rs.getLong("file_size"));
        out.put(s.fileKey(), s);
      }
    }
    return out;
  }

  /** Starts tracking a file (or starts it over after a truncation): one row per file key. */
  void put(FileState s) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("INSERT INTO csv_offsets (file_key, path, fingerprint,"
            + " fingerprint_len, byte_offset, line_no, file_size, updated_at) VALUES (?,?,?,?,?,?,?,?)"
            + " ON DUPLICATE KEY UPDATE path = VALUES(path), fingerprint = VALUES(fingerprint),"
            + " fingerprint_len = VALUES(fingerprint_len), byte_offset = VALUES(byte_offset),"
            + " line_no = VALUES(line_no), file_size = VALUES(file_size), updated_at = VALUES(updated_at)")) {
      ps.setString(1, s.fileKey());
      ps.setString(2, Sql.clip(s.path(), 1024));
      ps.setString(3, s.fingerprint());
      ps.setInt(4, s.fingerprintLen());
      ps.setLong(5, s.offset());
      ps.setLong(6, s.line());
      ps.setLong(7, s.size());
      Sql.setInstant(ps, 8, clock.instant());
      ps.executeUpdate();
    }
  }

  /**
   * Moves {@code from} to {@code to} inside the batch's transaction. The row must still hold {@code
   * from}'s offset: otherwise someone else read these lines meanwhile and the batch rolls back.
   */
  void advance(Connection c, FileState from, FileState to) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE csv_offsets SET path = ?, fingerprint = ?,"
        + " fingerprint_len = ?, byte_offset = ?, line_no = ?, file_size = ?, updated_at = ?"
        + " WHERE file_key = ? AND byte_offset = ? AND line_no = ?")) {
      ps.setString(1, Sql.clip(to.path(), 1024));
      ps.setString(2, to.fingerprint());
      ps.setInt(3, to.fingerprintLen());
      ps.setLong(4, to.offset());
      ps.setLong(5, to.line());
      ps.setLong(6, to.size());
      Sql.setInstant(ps, 7, clock.instant());
      ps.setString(8, from.fileKey());
      ps.setLong(9, from.offset());
      ps.setLong(10, from.line());
      int rows = ps.executeUpdate();
      if (rows != 1)
        throw new PostcallException("offset of " + from.path() + " moved by someone else (expected " + from.offset()
            + "); batch rolled back", true);
    }
  }

  void delete(String fileKey) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("DELETE FROM csv_offsets WHERE file_key = ?")) {
      ps.setString(1, fileKey);
      ps.executeUpdate();
    }
  }
}
