package dev.postcall.cdr;

import dev.postcall.db.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import javax.sql.DataSource;

/**
 * Where this node's PBX history ends for postcall ({@code csv_history}, one row per tailer node):
 * the first start of postcall as this node on this database. Calls that started before it are
 * imported only on purpose ({@code postcall backfill}); the node's tailer and nightly sweep leave
 * them out. A node that takes over the positions written before they were per node takes over
 * that database-wide horizon too.
 */
final class HistoryHorizon {
  private final DataSource ds;
  private final String node;
  private volatile Instant before;
  private volatile boolean known;

  HistoryHorizon(DataSource ds, String node) {
    this.ds = ds;
    this.node = node;
  }

  /** Records the horizon once (the first wins). */
  void mark(Instant at) throws SQLException {
    markFirstStart(ds, node, at);
  }

  /** Records that {@code node} first ran at {@code now}, unless it has a horizon already. */
  static void markFirstStart(DataSource ds, String node, Instant now) throws SQLException {
    try (Connection c = ds.getConnection()) {
      insert(c, node, now);
    }
  }

  private static void insert(Connection c, String node, Instant at) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT IGNORE INTO csv_history (node_id, tail_from) VALUES (?, ?)")) {
      ps.setString(1, node);
      Sql.setInstant(ps, 2, at);
      ps.executeUpdate();
    }
  }

  /**
   * At the tailer's first run in this process: the node's horizon, if it has none yet. A node that
   * adopted positions written before they were per node, or the first node to tail since, takes the
   * horizon written then (for a database older than that horizon: none, every row is new); any
   * other node's history ends when its process started.
   */
  void establish(Instant startedAt, boolean adoptedLegacy) throws SQLException {
    Sql.autocommit(ds, c -> {
      if (exists(c, "SELECT 1 FROM csv_history WHERE node_id = ?", node)) return null;
      boolean firstSince = !exists(c, "SELECT 1 FROM csv_history WHERE node_id <> ?", CsvOffsets.LEGACY);
      Instant legacy = tailFrom(c, CsvOffsets.LEGACY);
      if (legacy != null && (adoptedLegacy || firstSince)) insert(c, node, legacy);
      else if (!adoptedLegacy) insert(c, node, startedAt);
      return null;
    });
  }

  /** The horizon recorded for {@code node}, or null. */
  private static Instant tailFrom(Connection c, String node) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT tail_from FROM csv_history WHERE node_id = ?")) {
      ps.setString(1, node);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Sql.getInstant(rs, "tail_from") : null;
      }
    }
  }

  private static boolean exists(Connection c, String sql, String param) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, param);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /** At the tailer's first sight of a file with content: the horizon, recorded now if nothing was before. */
  Instant firstSight(Instant now) throws SQLException {
    mark(now);
    load();
    return before;
  }

  /** Reads the horizon (before each sweep). */
  void load() throws SQLException {
    try (Connection c = ds.getConnection()) {
      Instant b = tailFrom(c, node); // tail_from is NOT NULL: null means no row
      known = b != null;
      before = b;
      // positions without a horizon were written by a tailer older than csv_history: it read files whole
      if (!known) known = exists(c, "SELECT 1 FROM csv_offsets WHERE node_id = ? LIMIT 1", node);
    }
  }

  /** Whether the tailer has met a Master.csv yet (after {@link #load}): before that, history and new rows are one. */
  boolean known() {
    return known;
  }

  /**
   * Whether the row is not history (no horizon, or neither a start nor a uniqueid time: kept). New
   * by its uniqueid's creation second or by its start: a Master.csv read in the wrong zone must not
   * turn new calls into history, nor a uniqueid whose first part is not the channel's creation.
   */
  boolean accepts(CdrRow r) {
    Instant b = before;
    if (b == null) return true;
    Instant created = dev.postcall.queue.Uniqueids.created(r.uniqueid());
    if (created != null && !created.isBefore(b.truncatedTo(java.time.temporal.ChronoUnit.SECONDS))) return true;
    return r.start() == null ? created == null : !r.start().isBefore(b.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
  }
}
