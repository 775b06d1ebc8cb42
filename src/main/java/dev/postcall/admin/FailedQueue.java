package dev.postcall.admin;

import dev.postcall.queue.CallStore;
import dev.postcall.call.CallRef;
import dev.postcall.db.Sql;
import dev.postcall.queue.JobState;
import dev.postcall.queue.Stage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * Reads the failed-upload queue and the queue's statistics. Read-only: retry and discard go through
 * {@link dev.postcall.queue.JobQueue} so every change is an audited job event. Filters become
 * bound parameters only; newest failures first, served by {@code ix_jobs_state_updated} (V4).
 */
public final class FailedQueue {
  private static final String FROM = " FROM jobs j JOIN calls c ON c.id = j.call_id WHERE j.state = ?";
  /** The states not yet delivered, counted in one pass by {@link #stats()}. */
  private static final List<JobState> OPEN = List.of(JobState.PENDING, JobState.CLAIMED, JobState.FAILED, JobState.DISCARDED);

  private final DataSource ds;
  private final Clock clock;
  private final DoneCount doneCount = new DoneCount();

  public FailedQueue(DataSource ds, Clock clock) {
    this.ds = ds;
    this.clock = clock;
  }

  /** Counts above this are shown as "1,000+": counting a 100k queue exactly costs more than the page. */
  public static final int COUNT_CAP = 1_000;

  /** One page of the queue and how many match in all ({@code capped}: at least that many). */
  public record Page(List<FailedRow> rows, long total, boolean capped) {}

  /** A page of failed calls, newest failure first. */
  public List<FailedRow> list(FailedFilter f, int limit, int offset) throws SQLException {
    return query(f, limit, offset, false).rows();
  }

  /** A page for the web: the rows and the (capped) number of matches. */
  public Page page(FailedFilter f, int limit, int offset) throws SQLException {
    if (f.number() != null) {
      // a number filter scans every call anyway: count in the same pass
      Page p = query(f, limit, offset, true);
      if (!p.rows().isEmpty() || offset == 0) return p;
    }
    List<FailedRow> rows = query(f, limit, offset, false).rows();
    long total = countCapped(f);
    return new Page(rows, total, total > COUNT_CAP);
  }

  private Page query(FailedFilter f, int limit, int offset, boolean withTotal) throws SQLException {
    List<Object> args = new ArrayList<>(List.of(JobState.FAILED)); // the state in from(f)
    // Late row lookup: pick the page's job ids from indexes only, then read the wide rows (the
    // TEXT last_error) for those 50. Sorting whole rows made MariaDB spill a temporary table to
    // disk for a day's 3,000 failures (~250 ms instead of ~30 ms).
    String sql = "SELECT c.pbx_id, c.uniqueid, c.caller_number, c.extension, c.start_time, j.failed_stage, j.stage,"
        + " j.attempts, j.last_error, j.updated_at" + (withTotal ? ", k.total" : "")
        + " FROM (SELECT j.id" + (withTotal ? ", COUNT(*) OVER () AS total" : "") + from(f) + where(f, args)
        + " ORDER BY j.updated_at DESC, j.id DESC LIMIT ? OFFSET ?) k"
        + " JOIN jobs j ON j.id = k.id JOIN calls c ON c.id = j.call_id ORDER BY j.updated_at DESC, j.id DESC";
    args.add(limit);
    args.add(offset);
    List<FailedRow> out = new ArrayList<>();
    long total = 0;
    try (Connection c = ds.getConnection(); PreparedStatement ps = Sql.bind(c.prepareStatement(sql), args.toArray());
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        String stage = rs.getString("failed_stage");
        out.add(new FailedRow(rs.getString("uniqueid"), rs.getString("caller_number"), rs.getString("extension"),
            Sql.getInstant(rs, "start_time"), stage != null ? stage : rs.getString("stage"), rs.getInt("attempts"),
            rs.getString("last_error"), Sql.getInstant(rs, "updated_at"), rs.getString("pbx_id")));
        if (withTotal) total = rs.getLong("total");
      }
    }
    return new Page(out, total, false);
  }

  /** How many failed calls match, counting no further than {@link #COUNT_CAP} + 1. */
  long countCapped(FailedFilter f) throws SQLException {
    List<Object> args = new ArrayList<>(List.of(JobState.FAILED)); // the state in from
    boolean needsCalls = f.since() != null || f.until() != null || f.number() != null;
    String from = needsCalls ? from(f) : " FROM jobs j WHERE j.state = ?";
    String sql = "SELECT COUNT(*) FROM (SELECT 1" + from + where(f, args) + " LIMIT " + (COUNT_CAP + 1) + ") t";
    try (Connection c = ds.getConnection()) {
      return Sql.scalarLong(c, sql, args.toArray());
    }
  }

  /**
   * With a number filter the calls table leads: MariaDB cannot estimate {@code LIKE '%…%'} and,
   * left alone, walks every failed job in date order joining its call; reading the calls table once
   * and looking each match's job up by its unique call_id is far cheaper.
   */
  private static String from(FailedFilter f) {
    return f.number() != null
        ? " FROM calls c STRAIGHT_JOIN jobs j ON j.call_id = c.id WHERE j.state = ?"
        : FROM;
  }

  private static String where(FailedFilter f, List<Object> args) {
    StringBuilder w = new StringBuilder();
    if (f.since() != null) {
      w.append(" AND c.start_time >= ?");
      args.add(f.since());
    }
    if (f.until() != null) {
      w.append(" AND c.start_time < ?");
      args.add(f.until());
    }
    if (f.stage() != null) {
      w.append(" AND j.failed_stage = ?");
      args.add(f.stage().name());
    }
    if (f.number() != null) {
      w.append(" AND (c.caller_number LIKE ? OR c.extension LIKE ?)");
      args.add(contains(f.number()));
      args.add(contains(f.number()));
    }
    if (f.reason() != null) {
      w.append(" AND j.last_error LIKE ?");
      args.add(contains(f.reason()));
    }
    return w.toString();
  }

  /** LIKE pattern for "contains", with the user's own % and _ taken literally. */
  private static String contains(String s) {
    return "%" + s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
  }

  /**
   * The call, its job and every attempt; empty when the call is unknown. Throws {@link
   * CallRef.AmbiguousException} when the ref names no PBX and several PBXs have the uniqueid.
   */
  public Optional<CallDetail> show(CallRef call) throws SQLException {
    try (Connection c = ds.getConnection()) {
      long jobId;
      CallDetail d;
      try (PreparedStatement ps = c.prepareStatement("SELECT c.*, j.id AS job_id, j.state, j.stage, j.failed_stage,"
          + " j.attempts, j.next_attempt_at, j.mp3_path, j.objectref, j.last_error, j.discarded_by, j.discard_reason,"
          + " j.created_at AS job_created_at, j.updated_at, j.done_at"
          + " FROM calls c JOIN jobs j ON j.call_id = c.id WHERE c.uniqueid = ?"
          + (call.pbxId() == null ? " LIMIT 2" : " AND c.pbx_id = ?"))) {
        ps.setString(1, call.uniqueid());
        if (call.pbxId() != null) ps.setString(2, call.pbxId());
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) return Optional.empty();
          if (call.pbxId() == null && !rs.isLast()) throw ambiguous(c, call.uniqueid());
          jobId = rs.getLong("job_id");
          d = new CallDetail(CallStore.read(rs), Sql.getInstant(rs, "received_at"), rs.getString("state"),
              rs.getString("stage"), rs.getString("failed_stage"), rs.getInt("attempts"),
              Sql.getInstant(rs, "next_attempt_at"), rs.getString("mp3_path"), rs.getString("objectref"),
              rs.getString("last_error"), rs.getString("discarded_by"), rs.getString("discard_reason"),
              Sql.getInstant(rs, "job_created_at"), Sql.getInstant(rs, "updated_at"), Sql.getInstant(rs, "done_at"),
              new CallDetail.RecordingFlags(rs.getBoolean("recording_short"), rs.getBoolean("recording_overwritten")),
              new ArrayList<>());
        }
      }
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT at, attempt, stage, outcome, message FROM job_events WHERE job_id = ? ORDER BY at, id")) {
        ps.setLong(1, jobId);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next())
            d.history().add(new CallDetail.Attempt(Sql.getInstant(rs, "at"), rs.getInt("attempt"),
                rs.getString("stage"), rs.getString("outcome"), rs.getString("message")));
        }
      }
      return Optional.of(new CallDetail(d.call(), d.receivedAt(), d.state(), d.stage(), d.failedStage(), d.attempts(),
          d.nextAttemptAt(), d.mp3Path(), d.objectref(), d.lastError(), d.discardedBy(), d.discardReason(),
          d.createdAt(), d.updatedAt(), d.doneAt(), d.recordingFlags(), List.copyOf(d.history())));
    }
  }

  /** The ref of the call {@code ref} names: its PBX filled in; empty when unknown; ambiguity thrown. */
  public static Optional<CallRef> resolve(DataSource ds, CallRef ref) throws SQLException {
    if (ref.pbxId() != null) return Optional.of(ref);
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT pbx_id FROM calls WHERE uniqueid = ? LIMIT 2")) {
      ps.setString(1, ref.uniqueid());
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) return Optional.empty();
        String pbx = rs.getString(1);
        if (rs.next()) throw ambiguous(c, ref.uniqueid());
        return Optional.of(new CallRef(pbx, ref.uniqueid()));
      }
    }
  }

  private static CallRef.AmbiguousException ambiguous(Connection c, String uniqueid) throws SQLException {
    List<String> pbxs = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT pbx_id FROM calls WHERE uniqueid = ? ORDER BY pbx_id")) {
      ps.setString(1, uniqueid);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) pbxs.add(rs.getString(1));
      }
    }
    return new CallRef.AmbiguousException(uniqueid, pbxs);
  }

  public QueueStats stats() throws SQLException {
    Instant now = clock.instant();
    Map<String, Long> byState = new TreeMap<>();
    Map<String, Map<String, Long>> byStage = new TreeMap<>();
    Instant oldest = null;
    try (Connection c = ds.getConnection()) {
      // One pass over the jobs not delivered (few, unless failures pile up) for the counts and the
      // oldest waiting call; the delivered ones, which pile up for ever, are counted by doneCount.
      // an IN list, not <> DONE: that scans the delivered jobs too
      try (PreparedStatement ps = c.prepareStatement("SELECT state, COALESCE(failed_stage, stage) AS st, COUNT(*),"
          + " MIN(created_at) AS oldest FROM jobs WHERE state IN (?, ?, ?, ?) GROUP BY state, st")) {
        for (int i = 0; i < OPEN.size(); i++) ps.setString(i + 1, OPEN.get(i).name());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            String state = rs.getString(1);
            byState.merge(state, rs.getLong(3), Long::sum);
            byStage.computeIfAbsent(state, k -> new TreeMap<>()).put(rs.getString(2), rs.getLong(3));
            Instant first = Sql.getInstant(rs, "oldest");
            boolean waiting = JobState.PENDING.name().equals(state) || JobState.CLAIMED.name().equals(state);
            if (waiting && (oldest == null || first.isBefore(oldest))) oldest = first;
          }
        }
      }
      long done = doneCount.count(c, now);
      if (done > 0) {
        byState.put(JobState.DONE.name(), done);
        byStage.put(JobState.DONE.name(), new TreeMap<>(Map.of(Stage.DONE.name(), done)));
      }
      return new QueueStats(byState, byStage, oldest, delivered(c, now.minus(Duration.ofHours(1))),
          delivered(c, now.minus(Duration.ofDays(1))));
    }
  }

  private static long delivered(Connection c, Instant since) throws SQLException {
    // updated_at is done_at for a DONE job (JobQueue.done sets both; nothing touches it after):
    // filtered so, the count reads (state, updated_at) instead of needing an index of its own.
    return Sql.scalarLong(c, "SELECT COUNT(*) FROM jobs WHERE state = ? AND updated_at >= ?", JobState.DONE, since);
  }

  /** Deliveries per hour over the last {@code hours} hours, oldest first, zero-filled. */
  public Map<Instant, Long> deliveriesPerHour(int hours) throws SQLException {
    Instant end = clock.instant().truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(1));
    Instant start = end.minus(Duration.ofHours(hours));
    Map<Instant, Long> out = new LinkedHashMap<>();
    for (Instant h = start; h.isBefore(end); h = h.plus(Duration.ofHours(1))) out.put(h, 0L);
    try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
        "SELECT DATE_FORMAT(done_at, '%Y-%m-%dT%H:00:00Z'), COUNT(*) FROM jobs"
            + " WHERE state = ? AND updated_at >= ? AND updated_at < ?" // = done_at, see delivered()
            + " GROUP BY 1")) {
      ps.setString(1, JobState.DONE.name());
      Sql.setInstant(ps, 2, start);
      Sql.setInstant(ps, 3, end);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) out.put(Instant.parse(rs.getString(1)), rs.getLong(2));
      }
    }
    return out;
  }
}
