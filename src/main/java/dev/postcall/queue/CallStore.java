package dev.postcall.queue;

import static dev.postcall.queue.Sql.clip;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Stores calls and their delivery jobs. Idempotent on uniqueid: a call that is already there adds
 * nothing, whichever path (AGI hangup, spool drain, Master.csv) brings it again.
 */
public final class CallStore {
  static final String INSERT_CALL = """
      INSERT INTO calls (uniqueid, linkedid, channel, dst_channel, caller_number, caller_name,
        extension, context, start_time, answer_time, end_time, duration_s, billsec_s, disposition,
        dial_status, recording, accountcode, userfield, source, received_at)
      VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
      ON DUPLICATE KEY UPDATE uniqueid = uniqueid""";
  private static final String INSERT_JOB = """
      INSERT INTO jobs (call_id, state, stage, attempts, next_attempt_at, created_at, updated_at)
      VALUES (?, 'PENDING', ?, 0, ?, ?, ?)""";

  private final DataSource ds;
  private final Clock clock;

  public CallStore(DataSource ds, Clock clock) {
    this.ds = ds;
    this.clock = clock;
  }

  /** Inserts one call and its job; false when the uniqueid was already known. */
  public boolean insert(CallRecord call) throws SQLException {
    return insertAll(List.of(call)).get(0);
  }

  /**
   * Inserts the calls and a PENDING job for each new one, all in one transaction (one commit for a
   * whole batch of hangups). Returns, per call, whether it was new.
   */
  public List<Boolean> insertAll(List<CallRecord> calls) throws SQLException {
    Instant now = clock.instant();
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try {
        List<Boolean> out = insertAll(c, calls, now);
        c.commit();
        return out;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  /** The same, inside the caller's transaction (the tailer commits its file offset with it). */
  public List<Boolean> insertAll(Connection c, List<CallRecord> calls, Instant now) throws SQLException {
    List<Boolean> out = new ArrayList<>(calls.size());
    try (PreparedStatement call = c.prepareStatement(INSERT_CALL, Statement.RETURN_GENERATED_KEYS);
        PreparedStatement job = c.prepareStatement(INSERT_JOB)) {
      for (CallRecord r : calls) {
        bind(call, r, now);
        // ON DUPLICATE KEY with an unchanged row reports 0 affected rows: the call was known.
        boolean isNew = call.executeUpdate() == 1;
        if (isNew) {
          long callId;
          try (ResultSet keys = call.getGeneratedKeys()) {
            keys.next();
            callId = keys.getLong(1);
          }
          job.setLong(1, callId);
          job.setString(2, Stage.first().name());
          Sql.setInstant(job, 3, now);
          Sql.setInstant(job, 4, now);
          Sql.setInstant(job, 5, now);
          job.executeUpdate();
        }
        out.add(isNew);
      }
    }
    return out;
  }

  static void bind(PreparedStatement ps, CallRecord r, Instant now) throws SQLException {
    ps.setString(1, clip(r.uniqueid(), 150));
    ps.setString(2, clip(r.linkedid(), 150));
    ps.setString(3, clip(r.channel(), 255));
    ps.setString(4, clip(r.dstChannel(), 255));
    ps.setString(5, clip(r.callerNumber(), 80));
    ps.setString(6, clip(r.callerName(), 255));
    ps.setString(7, clip(r.extension(), 80));
    ps.setString(8, clip(r.context(), 80));
    Sql.setInstant(ps, 9, r.start());
    Sql.setInstant(ps, 10, r.answer());
    Sql.setInstant(ps, 11, r.end());
    Sql.setInt(ps, 12, r.duration());
    Sql.setInt(ps, 13, r.billsec());
    ps.setString(14, clip(r.disposition(), 32));
    ps.setString(15, clip(r.dialStatus(), 32));
    ps.setString(16, clip(r.recording(), 1024));
    ps.setString(17, clip(r.accountcode(), 80));
    ps.setString(18, clip(r.userfield(), 255));
    ps.setString(19, r.source().name());
    Sql.setInstant(ps, 20, now);
  }

  public Optional<CallRecord> find(String uniqueid) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT * FROM calls WHERE uniqueid = ?")) {
      ps.setString(1, uniqueid);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(read(rs)) : Optional.empty();
      }
    }
  }

  public long count() throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM calls");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Reads a {@code calls} row (column names as in the table). */
  public static CallRecord read(ResultSet rs) throws SQLException {
    return new CallRecord(rs.getString("uniqueid"), rs.getString("linkedid"), rs.getString("channel"),
        rs.getString("dst_channel"), rs.getString("caller_number"), rs.getString("caller_name"),
        rs.getString("extension"), rs.getString("context"), Sql.getInstant(rs, "start_time"),
        Sql.getInstant(rs, "answer_time"), Sql.getInstant(rs, "end_time"), Sql.getInt(rs, "duration_s"),
        Sql.getInt(rs, "billsec_s"), rs.getString("disposition"), rs.getString("dial_status"),
        rs.getString("recording"), rs.getString("accountcode"), rs.getString("userfield"),
        CallRecord.Source.valueOf(rs.getString("source")));
  }
}
