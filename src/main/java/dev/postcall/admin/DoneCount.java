package dev.postcall.admin;

import dev.postcall.db.Sql;
import dev.postcall.queue.JobState;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * How many jobs were ever delivered, without counting them all on every scrape. Delivered jobs
 * are never deleted and pile up — a 400-seat call centre adds some 60 million a year — while
 * {@code /metrics} and the dashboard ask every few seconds. DONE is final, and a DONE job's
 * {@code updated_at} is the moment it was done, so the jobs done before a cutoff never change:
 * they are counted once (the first refresh reads them all) and later refreshes count only the
 * range since, through {@code ix_jobs_state_updated}. The cutoff trails the clock by
 * {@link #SETTLE}, far longer than any transaction stays open or than the clocks of two postcall
 * hosts sharing the database should differ.
 */
final class DoneCount {
  static final Duration SETTLE = Duration.ofMinutes(10);

  private Instant settledBefore; // guarded by this
  private long settled; // DONE jobs with updated_at < settledBefore (guarded by this)

  /** DONE jobs now (at {@code now}). */
  synchronized long count(Connection c, Instant now) throws SQLException {
    Instant cutoff = now.minus(SETTLE);
    if (settledBefore == null) {
      settled = count(c, null, cutoff);
      settledBefore = cutoff;
    } else if (cutoff.isAfter(settledBefore)) {
      settled += count(c, settledBefore, cutoff);
      settledBefore = cutoff;
    }
    return settled + count(c, settledBefore, null);
  }

  private static long count(Connection c, Instant from, Instant before) throws SQLException {
    StringBuilder sql = new StringBuilder("SELECT COUNT(*) FROM jobs WHERE state = ?");
    List<Object> args = new ArrayList<>(List.of(JobState.DONE));
    if (from != null) {
      sql.append(" AND updated_at >= ?");
      args.add(from);
    }
    if (before != null) {
      sql.append(" AND updated_at < ?");
      args.add(before);
    }
    return Sql.scalarLong(c, sql.toString(), args.toArray());
  }
}
