package dev.postcall.queue;

import dev.postcall.call.CallRef;
import dev.postcall.db.Sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;

/**
 * The job queue in the {@code jobs} table. Claims are {@code SELECT … FOR UPDATE SKIP LOCKED} so
 * any number of worker processes can share one database; every later update carries the row
 * version the claim returned and checks its row count (0 = our lease was taken over).
 */
public final class JobQueue {
  /** The database's now plus a bound number of microseconds: leases and due times follow the database's clock, not a node's. */
  private static final String DB_IN = "UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND";
  /**
   * A create in doubt since a bound number of microseconds ago on the database's clock (NULL: keep
   * the stored one). Any worker compares it with its own now ({@link #readJob}).
   */
  private static final String IN_DOUBT_SINCE = "create_in_doubt_at = COALESCE(UTC_TIMESTAMP(3) - INTERVAL ? MICROSECOND,"
      + " create_in_doubt_at)";
  private static final String PICK = """
      SELECT id FROM jobs WHERE state = ? AND next_attempt_at <= UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND
      ORDER BY next_attempt_at LIMIT ? FOR UPDATE SKIP LOCKED""";
  private static final String JOB_WITH_CALL = """
      SELECT j.id AS job_id, j.call_id, j.stage, j.attempts, j.version, j.mp3_path, j.objectref,
             j.attached_at, j.created_at AS job_created_at,
             TIMESTAMPDIFF(MICROSECOND, j.create_in_doubt_at, UTC_TIMESTAMP(6)) AS create_in_doubt_us_ago, c.*
      FROM jobs j JOIN calls c ON c.id = j.call_id WHERE j.id IN (%s)""";

  private final DataSource ds;
  private final Clock clock;

  public JobQueue(DataSource ds, Clock clock) {
    this.ds = ds;
    this.clock = clock;
  }

  /** Claims up to {@code limit} due jobs for {@code owner}, leased until now + {@code lease}. */
  public List<Job> claim(String owner, int limit, Duration lease) throws SQLException {
    if (limit <= 0) return List.of();
    return Sql.transaction(ds, c -> {
      List<Long> ids = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(PICK)) {
        ps.setString(1, JobState.PENDING.name());
        ps.setLong(2, 0); // the database's now
        ps.setInt(3, limit);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) ids.add(rs.getLong(1));
        }
      }
      if (ids.isEmpty()) return List.<Job>of();
      String in = String.join(",", Collections.nCopies(ids.size(), "?"));
      // no need to check versions here: we hold the row locks from the SELECT above
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE jobs SET state = ?, lease_owner = ?, lease_until = " + DB_IN + ", attempts = attempts + 1,"
              + " version = version + 1, updated_at = " + DB_IN + " WHERE id IN (" + in + ")")) {
        ps.setString(1, JobState.CLAIMED.name());
        ps.setString(2, owner);
        ps.setLong(3, micros(lease));
        ps.setLong(4, 0);
        for (int i = 0; i < ids.size(); i++) ps.setLong(5 + i, ids.get(i));
        ps.executeUpdate();
      }
      List<Job> jobs = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(String.format(JOB_WITH_CALL, in))) {
        for (int i = 0; i < ids.size(); i++) ps.setLong(1 + i, ids.get(i));
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) jobs.add(readJob(rs));
        }
      }
      return jobs;
    });
  }

  /**
   * The job with its call as stored now. The Master.csv tailer may have filled in the call's final
   * timing (end, duration, billsec) since the job was claimed; the upload should carry it.
   */
  public Job withCurrentCall(Job job) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT * FROM calls WHERE id = ?")) {
      ps.setLong(1, job.callId());
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) return job;
        return new Job(job.id(), job.callId(), job.stage(), job.attempts(), job.version(), job.mp3Path(), job.objectref(),
            job.attachedAt(), job.createdAt(), CallStore.read(rs), job.createInDoubtAt());
      }
    }
  }

  /**
   * Jobs whose worker died (lease ran out) become claimable again. Returns how many. Looks first
   * with a plain read and updates only the ids it found: an UPDATE scanning the CLAIMED rows would
   * lock them against the workers' own progress updates (deadlocks). A job left at CREATE may
   * have had a create on the wire when its worker died: it is marked in doubt now, so the next
   * worker waits for the incident system to finish or drop that request before looking the call up.
   */
  public int recoverExpiredLeases() throws SQLException {
    List<Long> expired = new ArrayList<>();
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "SELECT id FROM jobs WHERE state = ? AND lease_until < " + DB_IN + " LIMIT 1000")) {
      ps.setString(1, JobState.CLAIMED.name());
      ps.setLong(2, 0);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) expired.add(rs.getLong(1));
      }
    }
    if (expired.isEmpty()) return 0;
    // in doubt since the database's now; the lease is re-checked: the owner may have renewed or finished meanwhile
    return releaseClaimed(expired, true, "lease_until < " + DB_IN, (ps, i) -> ps.setLong(i, 0));
  }

  /**
   * Claimed jobs among {@code ids} for which {@code condition} holds (its one parameter bound by
   * {@code bindCondition}) go back to PENDING, due now, their lease cleared. With {@code
   * markCreateInDoubt}, a job left at CREATE is marked as having a create in doubt since now.
   */
  private int releaseClaimed(List<Long> ids, boolean markCreateInDoubt, String condition, ParameterBinder bindCondition)
      throws SQLException {
    String in = String.join(",", Collections.nCopies(ids.size(), "?"));
    return Sql.autocommit(ds, c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE jobs SET state = ?, lease_owner = NULL, lease_until = NULL, version = version + 1,"
              + (markCreateInDoubt ? " create_in_doubt_at = CASE WHEN stage = ? THEN UTC_TIMESTAMP(3) ELSE create_in_doubt_at END," : "")
              + " next_attempt_at = " + DB_IN + ", updated_at = " + DB_IN
              + " WHERE id IN (" + in + ") AND state = ? AND " + condition)) {
        int i = 1;
        ps.setString(i++, JobState.PENDING.name());
        if (markCreateInDoubt) ps.setString(i++, Stage.CREATE.name());
        ps.setLong(i++, 0);
        ps.setLong(i++, 0);
        for (long id : ids) ps.setLong(i++, id);
        ps.setString(i++, JobState.CLAIMED.name());
        bindCondition.bind(ps, i);
        return ps.executeUpdate();
      }
    });
  }

  @FunctionalInterface
  private interface ParameterBinder {
    void bind(PreparedStatement ps, int index) throws SQLException;
  }

  /**
   * At start: jobs still leased by an earlier process of this same instance (their {@code
   * lease_owner} starts with {@code ownerPrefix}) whose process is gone ({@code gone} says so from
   * the owner name) are claimable again at once, instead of after their lease (5 minutes after a
   * kill -9). Returns how many.
   */
  public int releaseLeasesOf(String ownerPrefix, java.util.function.Predicate<String> gone) throws SQLException {
    String like = ownerPrefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    java.util.Map<Long, String> owned = new java.util.LinkedHashMap<>();
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT id, lease_owner FROM jobs WHERE state = ? AND lease_owner LIKE ?")) {
      ps.setString(1, JobState.CLAIMED.name());
      ps.setString(2, like);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) owned.put(rs.getLong(1), rs.getString(2));
      }
    }
    int released = 0;
    for (var e : owned.entrySet()) {
      if (!gone.test(e.getValue())) continue;
      String owner = e.getValue();
      released += releaseClaimed(List.of(e.getKey()), false, "lease_owner = ?", (ps, i) -> ps.setString(i, owner));
    }
    return released;
  }

  /**
   * Records that a stage finished: the job moves to {@code next} with its progress markers, and
   * the lease is extended. Returns the job as now stored.
   */
  public Job progress(Job job, Stage next, String mp3Path, String objectref, Instant attachedAt, Duration lease)
      throws SQLException {
    updateOwned(job, "stage = ?, mp3_path = ?, objectref = ?, attached_at = ?, lease_until = " + DB_IN + ", updated_at = " + DB_IN,
        ps -> {
          ps.setString(1, next.name());
          ps.setString(2, mp3Path);
          ps.setString(3, objectref);
          Sql.setInstant(ps, 4, attachedAt);
          ps.setLong(5, micros(lease));
          ps.setLong(6, 0);
          return 7;
        }, null);
    return job.advanced(next, mp3Path, objectref, attachedAt);
  }

  /**
   * Delivered. done_at and updated_at get the same instant (the database's now, one per statement):
   * the dashboard counts by the latter's index.
   */
  public void done(Job job) throws SQLException {
    done(job, null);
  }

  /** Delivered, with a note for the job's history (what the last stage found). */
  public void done(Job job, String note) throws SQLException {
    updateOwned(job, "state = ?, stage = ?, lease_owner = NULL, lease_until = NULL, last_error = NULL,"
        + " done_at = UTC_TIMESTAMP(3), updated_at = UTC_TIMESTAMP(3)", ps -> {
          ps.setString(1, JobState.DONE.name());
          ps.setString(2, Stage.DONE.name());
          return 3;
        }, new Event(job.stage(), JobEventOutcome.DONE, note));
  }

  /**
   * Delivered, but a create went unanswered: the job waits (PENDING at RECONCILE, a fresh attempt
   * count) until {@code at}, when a worker claims it like any other job and looks for a second object.
   */
  public void awaitReconcile(Job job, Instant at, String note) throws SQLException {
    updateOwned(job, "state = ?, stage = ?, lease_owner = NULL, lease_until = NULL, next_attempt_at = " + DB_IN + ","
        + " attempts = 0, last_error = NULL, updated_at = " + DB_IN, ps -> {
          ps.setString(1, JobState.PENDING.name());
          ps.setString(2, Stage.RECONCILE.name());
          ps.setLong(3, microsUntil(at));
          ps.setLong(4, 0);
          return 5;
        }, new Event(job.stage(), JobEventOutcome.DELIVERED, note));
  }

  /** Back to PENDING, due again at {@code at}; the error is kept for the admins. */
  public void retryLater(Job job, Instant at, String error) throws SQLException {
    retryLater(job, at, error, null);
  }

  /** As {@link #retryLater(Job, Instant, String)}; a non-null {@code createInDoubtAt} is stored with it. */
  public void retryLater(Job job, Instant at, String error, Instant createInDoubtAt) throws SQLException {
    updateOwned(job, "state = ?, lease_owner = NULL, lease_until = NULL, next_attempt_at = " + DB_IN + ","
        + " last_error = ?, " + IN_DOUBT_SINCE + ", updated_at = UTC_TIMESTAMP(3)", ps -> {
          ps.setString(1, JobState.PENDING.name());
          ps.setLong(2, microsUntil(at));
          ps.setString(3, error);
          bindMicrosAgo(ps, 4, createInDoubtAt);
          return 5;
        }, new Event(job.stage(), JobEventOutcome.RETRY, error));
  }

  /**
   * Back to PENDING without using up an attempt: the recording is still being written, or the
   * service is shutting down. Not an error.
   */
  public void postpone(Job job, Instant at, String why) throws SQLException {
    updateOwned(job, "state = ?, lease_owner = NULL, lease_until = NULL, next_attempt_at = " + DB_IN + ","
        + " attempts = attempts - 1, updated_at = UTC_TIMESTAMP(3)", ps -> {
          ps.setString(1, JobState.PENDING.name());
          ps.setLong(2, microsUntil(at));
          return 3;
        }, new Event(job.stage(), JobEventOutcome.POSTPONED, why));
  }

  /** Into the failed-upload queue, with the reason and the stage it failed in. */
  public void fail(Job job, String error) throws SQLException {
    fail(job, error, null);
  }

  /** As {@link #fail(Job, String)}; a non-null {@code createInDoubtAt} is stored with it (an admin retry honours it). */
  public void fail(Job job, String error, Instant createInDoubtAt) throws SQLException {
    updateOwned(job, "state = ?, lease_owner = NULL, lease_until = NULL, last_error = ?,"
        + " failed_stage = ?, " + IN_DOUBT_SINCE + ", updated_at = UTC_TIMESTAMP(3)", ps -> {
          ps.setString(1, JobState.FAILED.name());
          ps.setString(2, error);
          ps.setString(3, job.stage().name());
          bindMicrosAgo(ps, 4, createInDoubtAt);
          return 5;
        }, new Event(job.stage(), JobEventOutcome.FAILED, error));
  }

  /**
   * A FAILED (or DISCARDED) job goes back to PENDING, due now on the database's clock. False if there
   * was none. Throws {@link CallRef.AmbiguousException} when the ref names no PBX and several PBXs
   * have that uniqueid.
   */
  public boolean retry(CallRef call, String who) throws SQLException {
    return adminUpdate(call, JobState.PENDING, "next_attempt_at = UTC_TIMESTAMP(3), attempts = 0, failed_stage = NULL,"
        + " discarded_by = NULL, discard_reason = NULL", EnumSet.of(JobState.FAILED, JobState.DISCARDED), null,
        JobEventOutcome.RETRY_BY_ADMIN, who);
  }

  /** A FAILED job is closed for good; kept for the audit with who and why. */
  public boolean discard(CallRef call, String reason, String who) throws SQLException {
    if (reason == null || reason.isBlank()) throw new IllegalArgumentException("a reason is required to discard");
    return adminUpdate(call, JobState.DISCARDED, "next_attempt_at = UTC_TIMESTAMP(3), discarded_by = ?, discard_reason = ?",
        EnumSet.of(JobState.FAILED), reason, JobEventOutcome.DISCARDED, who);
  }

  /** Moves the job of {@code call} from one of the states {@code from} to {@code to}, with {@code set} after the state. */
  private boolean adminUpdate(CallRef call, JobState to, String set, Set<JobState> from, String reason, JobEventOutcome outcome,
      String who) throws SQLException {
    return Sql.transaction(ds, c -> {
      long id;
      String stage;
      int attempts;
      try (PreparedStatement sel = c.prepareStatement(
          "SELECT j.id, j.stage, j.attempts, c.pbx_id FROM jobs j JOIN calls c ON c.id = j.call_id"
              + " WHERE c.uniqueid = ?" + (call.pbxId() == null ? "" : " AND c.pbx_id = ?")
              + " AND j.state IN (" + String.join(",", Collections.nCopies(from.size(), "?")) + ") FOR UPDATE")) {
        int p = 1;
        sel.setString(p++, call.uniqueid());
        if (call.pbxId() != null) sel.setString(p++, call.pbxId());
        for (JobState state : from) sel.setString(p++, state.name());
        try (ResultSet rs = sel.executeQuery()) {
          if (!rs.next()) return false;
          id = rs.getLong(1);
          stage = rs.getString(2);
          attempts = rs.getInt(3);
          List<String> pbxs = new ArrayList<>(List.of(rs.getString(4)));
          while (rs.next()) pbxs.add(rs.getString(4));
          if (pbxs.size() > 1) throw new CallRef.AmbiguousException(call.uniqueid(), pbxs);
        }
      }
      try (PreparedStatement up = c.prepareStatement(
          "UPDATE jobs SET state = ?, " + set + ", version = version + 1, updated_at = UTC_TIMESTAMP(3) WHERE id = ?")) {
        int i = 1;
        up.setString(i++, to.name());
        if (reason != null) {
          up.setString(i++, who);
          up.setString(i++, reason);
        }
        up.setLong(i, id);
        up.executeUpdate();
      }
      insertEvent(c, id, attempts, stage, outcome, (who == null ? "" : who + ": ") + (reason == null ? "" : reason));
      return true;
    });
  }

  /**
   * Renews the leases of the jobs {@code owner} is running now ({@code ids}) to the database's now
   * + {@code lease}. The version stays: the delivery's own next update must still match it. A job
   * of ours that is not in {@code ids} is left to run out. Returns how many were renewed.
   */
  public int renewLeases(String owner, Collection<Long> ids, Duration lease) throws SQLException {
    if (ids.isEmpty()) return 0;
    String in = String.join(",", Collections.nCopies(ids.size(), "?"));
    return Sql.autocommit(ds, c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE jobs SET lease_until = " + DB_IN
          + " WHERE state = ? AND lease_owner = ? AND id IN (" + in + ")")) {
        ps.setLong(1, micros(lease));
        ps.setString(2, JobState.CLAIMED.name());
        ps.setString(3, owner);
        int i = 4;
        for (long id : ids) ps.setLong(i++, id);
        return ps.executeUpdate();
      }
    });
  }

  private static long micros(Duration d) {
    return d.toNanos() / 1000;
  }

  /** An instant of this node's clock as "this long from now", so the database's clock decides when it is due. */
  private long microsUntil(Instant at) {
    return micros(Duration.between(clock.instant(), at));
  }

  /** An instant of this node's clock as "this long ago" (NULL for none), for the database's clock to place. */
  private void bindMicrosAgo(PreparedStatement ps, int index, Instant at) throws SQLException {
    if (at == null) ps.setNull(index, java.sql.Types.BIGINT);
    else ps.setLong(index, micros(Duration.between(at, clock.instant())));
  }

  private record Event(Stage stage, JobEventOutcome outcome, String message) {}

  @FunctionalInterface
  private interface Binder {
    /** Binds the SET parameters and returns the next parameter index. */
    int bind(PreparedStatement ps) throws SQLException;
  }

  /**
   * Updates the job if this worker still owns it (same version, still CLAIMED). With an event, the
   * update and the event are one transaction; without one — a stage's progress, four per call —
   * the single UPDATE runs in autocommit: just as atomic, and one round trip instead of four.
   */
  private void updateOwned(Job job, String set, Binder binder, Event event) throws SQLException {
    if (event == null) {
      checkOwned(job, Sql.autocommit(ds, c -> ownedUpdate(c, job, set, binder)));
      return;
    }
    Sql.transaction(ds, c -> {
      checkOwned(job, ownedUpdate(c, job, set, binder));
      insertEvent(c, job.id(), job.attempts(), event.stage().name(), event.outcome(), event.message());
      return null;
    });
  }

  private static int ownedUpdate(Connection c, Job job, String set, Binder binder) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "UPDATE jobs SET " + set + ", version = version + 1 WHERE id = ? AND version = ? AND state = ?")) {
      int i = binder.bind(ps);
      ps.setLong(i, job.id());
      ps.setLong(i + 1, job.version());
      ps.setString(i + 2, JobState.CLAIMED.name());
      return ps.executeUpdate();
    }
  }

  private static void checkOwned(Job job, int rows) {
    if (rows == 0) throw new LeaseLostException(job.uniqueid());
    if (rows > 1) throw new IllegalStateException("updated " + rows + " jobs for id " + job.id());
  }

  /** An entry of the job's history, at the database's now: the same clock as the job's updated_at. */
  private static void insertEvent(Connection c, long jobId, int attempt, String stage, JobEventOutcome outcome, String message)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO job_events (job_id, at, attempt, stage, outcome, message) VALUES (?, UTC_TIMESTAMP(3), ?,?,?,?)")) {
      ps.setLong(1, jobId);
      ps.setInt(2, attempt);
      ps.setString(3, stage);
      ps.setString(4, outcome.name());
      ps.setString(5, Sql.clip(message, 4000));
      ps.executeUpdate();
    }
  }

  /**
   * The job as claimed. Its create-in-doubt time is stored on the database's clock and handed to the
   * worker on its own (how long ago, from now): the settle wait is then right on a node whose clock
   * is off.
   */
  private Job readJob(ResultSet rs) throws SQLException {
    long agoMicros = rs.getLong("create_in_doubt_us_ago");
    Instant inDoubtSince = rs.wasNull() ? null : clock.instant().minus(agoMicros, java.time.temporal.ChronoUnit.MICROS);
    return new Job(rs.getLong("job_id"), rs.getLong("call_id"), Stage.valueOf(rs.getString("stage")),
        rs.getInt("attempts"), rs.getLong("version"), rs.getString("mp3_path"), rs.getString("objectref"),
        Sql.getInstant(rs, "attached_at"), Sql.getInstant(rs, "job_created_at"), CallStore.read(rs), inDoubtSince);
  }


  /** What the worker found wrong with a call's recording, each a column of {@code calls}. */
  public enum RecordingFlag {
    /** Recorded much shorter than it was answered. */
    SHORT("recording_short"),
    /** Written by two MixMonitors on one file: a later part twice, the call's first part not at all. */
    OVERWRITTEN("recording_overwritten");

    private final String column;

    RecordingFlag(String column) {
      this.column = column;
    }
  }

  /** Sets {@code flag} on the job's call; the call is still delivered. */
  public void flagRecording(Job job, RecordingFlag flag) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("UPDATE calls SET " + flag.column + " = TRUE WHERE id = ?")) {
      ps.setLong(1, job.callId());
      ps.executeUpdate();
    }
  }

  /**
   * Moves the job's call's end to at least {@code end} and its duration to at least {@code
   * seconds}: never shortens either (its recordings show the call lasted that long).
   */
  public void extendCallEnd(Job job, Instant end, int seconds) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("UPDATE calls SET end_time = GREATEST(COALESCE(end_time, ?), ?),"
            + " duration_s = GREATEST(COALESCE(duration_s, 0), ?) WHERE id = ?")) {
      Sql.setInstant(ps, 1, end);
      Sql.setInstant(ps, 2, end);
      ps.setInt(3, seconds);
      ps.setLong(4, job.callId());
      ps.executeUpdate();
    }
  }

  /** The call's recordings in call order (empty until the worker found them, or for a single file of an older job). */
  public List<CallRecording> recordings(Job job) throws SQLException {
    return Sql.autocommit(ds, c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT seq, name, started_at, audio_ms, mp3_path FROM call_recordings WHERE call_id = ? ORDER BY seq")) {
        ps.setLong(1, job.callId());
        List<CallRecording> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            long ms = rs.getLong("audio_ms");
            out.add(new CallRecording(rs.getInt("seq"), rs.getString("name"), Sql.getInstant(rs, "started_at"),
                rs.wasNull() ? null : ms, rs.getString("mp3_path")));
          }
        }
        return out;
      }
    });
  }

  /**
   * Stores the call's recordings as the worker found them (replacing an earlier list: the files
   * are looked for again whenever the job passes WAIT), in one transaction.
   */
  public void recordingsFound(Job job, List<CallRecording> found) throws SQLException {
    Sql.transaction(ds, c -> {
      try (PreparedStatement del = c.prepareStatement("DELETE FROM call_recordings WHERE call_id = ?")) {
        del.setLong(1, job.callId());
        del.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO call_recordings (call_id, seq, name, started_at, audio_ms, mp3_path) VALUES (?,?,?,?,?,?)")) {
        for (CallRecording r : found) {
          ps.setLong(1, job.callId());
          ps.setInt(2, r.seq());
          ps.setString(3, Sql.clip(r.name(), 1024));
          Sql.setInstant(ps, 4, r.startedAt());
          if (r.audioMs() == null) ps.setNull(5, java.sql.Types.BIGINT);
          else ps.setLong(5, r.audioMs());
          ps.setString(6, r.mp3Path());
          ps.addBatch();
        }
        ps.executeBatch();
      }
      return null;
    });
  }

  /** One recording converted: a retry converts only those without an MP3. */
  public void recordingConverted(Job job, CallRecording r) throws SQLException {
    Sql.autocommit(ds, c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE call_recordings SET mp3_path = ?, audio_ms = ? WHERE call_id = ? AND seq = ?")) {
        ps.setString(1, r.mp3Path());
        if (r.audioMs() == null) ps.setNull(2, java.sql.Types.BIGINT);
        else ps.setLong(2, r.audioMs());
        ps.setLong(3, job.callId());
        ps.setInt(4, r.seq());
        return ps.executeUpdate();
      }
    });
  }
}
