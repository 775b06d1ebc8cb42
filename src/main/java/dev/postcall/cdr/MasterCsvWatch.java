package dev.postcall.cdr;

import dev.postcall.db.Sql;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;

/**
 * Notices a Master.csv that stopped growing while calls keep arriving over AGI: Asterisk writes a
 * call's rows a few ms after its AGI session, so calls that started well after the file last
 * changed and ended a while ago should be in it. The usual cause is cdr_csv unregistered for want
 * of a {@code [csv]} section in cdr.conf (Asterisk 22 reads none from cdr_csv.conf).
 */
final class MasterCsvWatch {
  static final String KEY = "csv-stale";
  private static final int CALLS = 2;

  private final DataSource ds;
  private final Clock clock;
  private final CdrNotices notices;
  private final Duration settle;
  private final Duration every;
  private final String pbxId;
  private Instant checkedAt = Instant.MIN;

  /**
   * @param tailInterval the tailer's: a call's rows are read at most this long after they are
   *     written, so a call that ended two intervals and 5 s ago should have been read
   * @param pbxId the PBX whose Master.csv this is: only its own calls over AGI count
   */
  MasterCsvWatch(DataSource ds, Clock clock, CdrNotices notices, Duration tailInterval, String pbxId) {
    this.pbxId = pbxId;
    this.settle = tailInterval.multipliedBy(2).plusSeconds(5);
    this.every = tailInterval.plusSeconds(2);
    this.ds = ds;
    this.clock = clock;
    this.notices = notices;
  }

  /** At most every tail interval + 2 s; never throws (a failed look is tried again next time). */
  void check(List<Path> files) {
    Instant now = clock.instant();
    if (files.isEmpty() || now.isBefore(checkedAt.plus(every))) return;
    checkedAt = now;
    try {
      Instant changed = null;
      for (Path f : files) {
        if (!Files.exists(f)) continue;
        Instant t = Files.getLastModifiedTime(f).toInstant();
        if (changed == null || t.isAfter(changed)) changed = t;
      }
      // no file at all: every AGI call of the last hour counts
      Instant since = changed == null ? now.minus(Duration.ofHours(1)) : changed.plusSeconds(10);
      long missing = agiCallsBetween(since, now.minus(settle));
      if (missing >= CALLS) {
        notices.notice(KEY, "Master.csv " + files + " has not grown since " + (changed == null ? "(no file)" : changed)
            + " while " + missing + " calls arrived over AGI after it: is cdr_csv writing? Asterisk 22 reads [csv] from"
            + " cdr.conf only ('No [csv] section in cdr.conf. Unregistering backend.'); after fixing cdr.conf run"
            + " 'module unload cdr_csv.so' and 'module load cdr_csv.so' (a reload does not bring it back)");
      } else if (changed != null && missing == 0) {
        notices.clear(KEY, "Master.csv " + files + " grows again");
      }
    } catch (IOException | SQLException e) {
      // next time
    }
  }

  private long agiCallsBetween(Instant from, Instant to) throws SQLException {
    if (!from.isBefore(to)) return 0;
    try (Connection c = ds.getConnection()) {
      return Sql.scalarLong(c, "SELECT COUNT(*) FROM calls WHERE start_time > ? AND start_time < ? AND end_time < ?"
          + " AND source = 'AGI' AND pbx_id = ?", from, to, to, pbxId);
    }
  }
}
