package dev.postcall.cdr;

import dev.postcall.db.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import javax.sql.DataSource;

/**
 * Where the PBX's history ends for postcall ({@code csv_history}): the first start of postcall on
 * this database, or — for a database that never recorded one — the moment the tailer first met a
 * Master.csv with content. Calls that started before it are imported only on purpose ({@code
 * postcall backfill}); the tailer and the nightly sweep leave them out.
 */
final class HistoryHorizon {
  private final DataSource ds;
  private volatile Instant before;
  private volatile boolean known;

  HistoryHorizon(DataSource ds) {
    this.ds = ds;
  }

  /** Records the horizon once (the first wins): now for a file tailed from its end, the epoch for one read whole. */
  void mark(Instant at) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("INSERT IGNORE INTO csv_history (id, tail_from) VALUES (1, ?)")) {
      Sql.setInstant(ps, 1, at);
      ps.executeUpdate();
    }
  }

  /**
   * Records postcall's first start on a database that has never tailed a file (a fresh install),
   * so calls that arrive between that start and the tailer's first look are not taken for history.
   */
  static void markFirstStart(DataSource ds, Instant now) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("INSERT IGNORE INTO csv_history (id, tail_from)"
            + " SELECT 1, ? FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM csv_offsets)")) {
      Sql.setInstant(ps, 1, now);
      ps.executeUpdate();
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
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT tail_from FROM csv_history WHERE id = 1");
        ResultSet rs = ps.executeQuery()) {
      known = rs.next();
      before = known ? Sql.getInstant(rs, "tail_from") : null;
    }
    if (!known) {
      // a tailer of a version before csv_history already tracks files: it read them whole
      try (Connection c = ds.getConnection();
          PreparedStatement ps = c.prepareStatement("SELECT 1 FROM csv_offsets LIMIT 1");
          ResultSet rs = ps.executeQuery()) {
        known = rs.next();
      }
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
