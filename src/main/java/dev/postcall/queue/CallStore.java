package dev.postcall.queue;

import dev.postcall.call.CallRecord;
import dev.postcall.call.NumberSuffixes;
import dev.postcall.db.Database;
import dev.postcall.db.Sql;

import static dev.postcall.db.Sql.clip;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * Stores calls and their delivery jobs. Idempotent on (pbx id, uniqueid): a call that is already
 * there adds nothing, whichever path (AGI hangup, spool drain, Master.csv) brings it again; the same
 * uniqueid from another PBX is another call. A hangup that disagrees with the stored call, or names
 * a recording that is not its own, is kept aside as a conflict ({@link ConflictCheck}); one that
 * agrees with a stored hangup is a duplicate, told to {@link #onDuplicate} listeners.
 */
public final class CallStore {
  public static final String INSERT_CALL = """
      INSERT INTO calls (uniqueid, linkedid, channel, dst_channel, caller_number, caller_name,
        extension, context, start_time, answer_time, end_time, duration_s, billsec_s, disposition,
        dial_status, recording, accountcode, userfield, source, received_at, agent, pbx_id)
      VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,COALESCE(?, UTC_TIMESTAMP(3)),?,?)
      ON DUPLICATE KEY UPDATE uniqueid = uniqueid""";
  /** Due after the hold, on the database's clock (every node's jobs are claimed by it). */
  private static final String JOB_ROW = "(?, ?, ?, 0, UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND, UTC_TIMESTAMP(3),"
      + " UTC_TIMESTAMP(3))";
  private static final String INSERT_JOB = "INSERT INTO jobs (call_id, state, stage, attempts, next_attempt_at, created_at,"
      + " updated_at) VALUES " + JOB_ROW;

  private static final int BATCH = 500;
  private static final int CALL_COLUMNS = 22;
  private static final String INSERT_CALLS_HEAD = INSERT_CALL.substring(0, INSERT_CALL.indexOf("VALUES") + 6) + " ";
  /** received_at: the bound instant, or the database's now when it is NULL (as in INSERT_CALL). */
  private static final String CALL_ROW = "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,COALESCE(?, UTC_TIMESTAMP(3)),?,?)";
  private static final String INSERT_JOBS_HEAD = INSERT_JOB.substring(0, INSERT_JOB.indexOf("VALUES") + 6) + " ";

  private final DataSource ds;
  private final ConflictCheck conflicts;
  private final java.time.Duration hold;

  public CallStore(DataSource ds) {
    this(ds, RecordingOwnership.NONE, java.time.Duration.ZERO);
  }

  /** {@code recordings}: whose recording a file is by its name (recordings.dir and .pattern). */
  public CallStore(DataSource ds, RecordingOwnership recordings) {
    this(ds, recordings, java.time.Duration.ZERO);
  }

  public CallStore(DataSource ds, RecordingOwnership recordings, java.time.Duration hold) {
    this(ds, pbx -> recordings, hold);
  }

  public CallStore(DataSource ds, java.time.Duration hold) {
    this(ds, RecordingOwnership.NONE, hold);
  }

  /**
   * @param hold how long a new call's job waits before its first step (csv.hold): the time the
   *     Master.csv tailer gets to bring the whole call's view in before anything is uploaded; the
   *     tailer releases the job as soon as it has merged the call's rows
   */
  public CallStore(DataSource ds, Function<String, RecordingOwnership> recordings, java.time.Duration hold) {
    this.ds = ds;
    this.conflicts = new ConflictCheck(recordings);
    this.hold = hold;
  }

  private long holdMicros() {
    return hold.toNanos() / 1000;
  }

  /** Told of each newly recorded conflict once its transaction has committed. */
  public void onConflict(java.util.function.Consumer<CallConflict> listener) {
    conflicts.onConflict(listener);
  }

  /**
   * Told, once its transaction has committed, of each hangup that agreed with the hangup already
   * stored for its call: nothing was added (the dialplan ran postcall twice, or a spooled event was
   * replayed after its first write had committed).
   */
  public void onDuplicate(java.util.function.Consumer<CallRecord> listener) {
    conflicts.onDuplicate(listener);
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
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try {
        ConflictCheck.Found recorded = new ConflictCheck.Found();
        List<Boolean> out = insertAll(c, calls, recorded);
        c.commit();
        conflicts.publish(recorded);
        return out;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  /** The same, inside the caller's transaction: the caller commits (or rolls back). */
  public List<Boolean> insertAll(Connection c, List<CallRecord> calls) throws SQLException {
    ConflictCheck.Found recorded = new ConflictCheck.Found();
    List<Boolean> out = insertAll(c, calls, recorded);
    conflicts.publish(recorded);
    return out;
  }

  private List<Boolean> insertAll(Connection c, List<CallRecord> calls, ConflictCheck.Found recorded)
      throws SQLException {
    if (calls.size() > 1) return insertBatch(c, calls, recorded);
    List<Boolean> out = new ArrayList<>(calls.size());
    try (PreparedStatement call = c.prepareStatement(INSERT_CALL, Statement.RETURN_GENERATED_KEYS);
        PreparedStatement job = c.prepareStatement(INSERT_JOB)) {
      for (CallRecord r : calls) {
        bind(call, r, null);
        // ON DUPLICATE KEY with an unchanged row reports 0 affected rows: the call was known.
        boolean isNew = call.executeUpdate() == 1;
        if (!isNew) adoptHangupValues(c, conflicts.screenKnown(c, List.of(r), recorded));
        if (isNew) {
          long callId;
          try (ResultSet keys = call.getGeneratedKeys()) {
            keys.next();
            callId = keys.getLong(1);
          }
          job.setLong(1, callId);
          job.setString(2, JobState.PENDING.name());
          job.setString(3, Stage.first().name());
          job.setLong(4, holdMicros());
          job.executeUpdate();
          NumberSuffixes.add(c, List.of(r));
          conflicts.screenFresh(c, List.of(r), recorded);
        }
        out.add(isNew);
      }
    }
    return out;
  }

  /**
   * Many calls in four statements instead of two per call (a burst of hangups is one round trip
   * per step, not per call): which calls exist, a multi-row insert of the new calls, their ids,
   * a multi-row insert of their jobs. A call another path (the tailer) stored after the first
   * step is a known call, as in {@link #insert}; should another hangup of the same call be
   * inserted at the same moment, both may report it new — the unique keys on calls (pbx_id,
   * uniqueid) and jobs.call_id still keep one call and one job.
   */
  private List<Boolean> insertBatch(Connection c, List<CallRecord> calls, ConflictCheck.Found recorded)
      throws SQLException {
    List<Boolean> out = new ArrayList<>(calls.size());
    for (int from = 0; from < calls.size(); from += BATCH) {
      List<CallRecord> chunk = calls.subList(from, Math.min(calls.size(), from + BATCH));
      Set<CallRecord.Key> known = new HashSet<>(sources(c, chunk.stream().map(CallStore::key).distinct().toList()).keySet());
      List<CallRecord> fresh = new ArrayList<>();
      List<CallRecord> seen = new ArrayList<>();
      for (CallRecord r : chunk) {
        boolean isNew = known.add(key(r)); // a repeat inside the batch is not new
        (isNew ? fresh : seen).add(r);
      }
      if (!fresh.isEmpty() && insertRows(c, fresh, null) < fresh.size()) {
        // Another transaction stored some of them after our look (the tailer, from Master.csv): the
        // insert waited for its commit and kept its row, stored from another source than ours. Those
        // calls are known ones, whose rows take this hangup's values as any known call's do — not
        // new calls of ours.
        java.util.Map<CallRecord.Key, String> stored = sources(c, fresh.stream().map(CallStore::key).toList());
        List<CallRecord> kept = new ArrayList<>();
        for (CallRecord r : fresh) {
          String source = stored.get(key(r));
          (source != null && !source.equals(r.source().name()) ? seen : kept).add(r);
        }
        fresh = kept;
      }
      Set<CallRecord.Key> ours = new HashSet<>();
      for (CallRecord r : fresh) ours.add(key(r));
      for (CallRecord r : chunk) out.add(ours.remove(key(r))); // new: the first of its key, inserted by us
      if (fresh.isEmpty()) {
        adoptHangupValues(c, conflicts.screenKnown(c, seen, recorded));
        continue;
      }
      NumberSuffixes.add(c, fresh);
      List<Long> ids = ids(c, fresh.stream().map(CallStore::key).toList());
      try (PreparedStatement ps = c.prepareStatement(INSERT_JOBS_HEAD
          + String.join(",", Collections.nCopies(ids.size(), JOB_ROW))
          + " ON DUPLICATE KEY UPDATE call_id = call_id")) {
        int k = 0;
        for (long id : ids) {
          ps.setLong(++k, id);
          ps.setString(++k, JobState.PENDING.name());
          ps.setString(++k, Stage.first().name());
          ps.setLong(++k, holdMicros());
        }
        ps.executeUpdate();
      }
      conflicts.screenFresh(c, fresh, recorded);
      // after the fresh rows: a repeat inside the batch is compared with the first of them
      adoptHangupValues(c, conflicts.screenKnown(c, seen, recorded));
    }
    return out;
  }

  /**
   * The hangup handler's values for calls Master.csv brought first. Since the hangup is spooled and
   * committed a few ms after its session, the tailer can read the call's CSV row before it: then
   * DIALSTATUS (the reliable outcome), the recording's name and the AGI-only fields still win, as
   * long as the upload has not started ({@link Stage#uploadStarted}, the rule Master.csv's timing
   * follows too). The CSV row's timing is final and stays. Later than that, the CSV status stands.
   * A job the tailer held for this hangup (csv.agi-hold) is released: nothing is left to wait for.
   */
  private static void adoptHangupValues(Connection c, List<CallRecord> known) throws SQLException {
    List<CallRecord> agi = known.stream().filter(r -> r.source() == CallRecord.Source.AGI).toList();
    if (agi.isEmpty()) return;
    try (PreparedStatement ps = c.prepareStatement("""
        UPDATE calls c JOIN jobs j ON j.call_id = c.id
        SET c.dial_status = ?, c.recording = COALESCE(?, c.recording), c.linkedid = COALESCE(c.linkedid, ?),
            c.dst_channel = COALESCE(c.dst_channel, ?), c.userfield = COALESCE(c.userfield, ?),
            c.agent = COALESCE(?, c.agent), c.extension = COALESCE(?, c.extension), c.source = ?,
            j.next_attempt_at = IF(j.state = ? AND j.attempts = 0, LEAST(j.next_attempt_at, UTC_TIMESTAMP(3)), j.next_attempt_at)
        WHERE c.pbx_id = ? AND c.uniqueid = ? AND c.source = ? AND """ + Stage.UPLOAD_NOT_STARTED_SQL)) {
      for (CallRecord r : agi) {
        ps.setString(1, clip(r.dialStatus(), 32));
        ps.setString(2, clip(r.recording(), 1024));
        ps.setString(3, clip(r.linkedid(), 150));
        ps.setString(4, clip(r.dstChannel(), 255));
        ps.setString(5, clip(r.userfield(), 255));
        ps.setString(6, clip(r.agent(), 255));
        // the number dialled first: a redirect rewrote dst in every Master.csv row
        ps.setString(7, clip(r.extension(), 80));
        ps.setString(8, CallRecord.Source.AGI.name());
        ps.setString(9, JobState.PENDING.name());
        ps.setString(10, r.pbxId());
        ps.setString(11, clip(r.uniqueid(), 150));
        ps.setString(12, CallRecord.Source.CSV.name());
        Stage.bindUploadNotStarted(ps, 13);
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /**
   * Inserts the calls with multi-row INSERTs ({@value #BATCH} rows per statement), without jobs; a
   * call already stored (same PBX and uniqueid) is left alone. {@code receivedAt}: an instant of the
   * database's clock, or null for its now. Returns the number of calls inserted (needs
   * useAffectedRows, as {@link Database} sets it: a known uniqueid counts 0).
   */
  public static long insertRows(Connection c, List<CallRecord> calls, Instant receivedAt) throws SQLException {
    long inserted = 0;
    for (int from = 0; from < calls.size(); from += BATCH) {
      List<CallRecord> chunk = calls.subList(from, Math.min(calls.size(), from + BATCH));
      try (PreparedStatement ps = c.prepareStatement(INSERT_CALLS_HEAD
          + String.join(",", Collections.nCopies(chunk.size(), CALL_ROW)) + " ON DUPLICATE KEY UPDATE uniqueid = uniqueid")) {
        for (int i = 0; i < chunk.size(); i++) bind(ps, chunk.get(i), receivedAt, i * CALL_COLUMNS);
        inserted += ps.executeUpdate();
      }
    }
    return inserted;
  }

  /** The key a call is stored under: its PBX and its uniqueid cut to the column's width. */
  public static CallRecord.Key key(CallRecord r) {
    return new CallRecord.Key(r.pbxId(), clip(r.uniqueid(), 150));
  }

  /** The keys grouped by PBX: one IN list per PBX, each an index range on (pbx_id, uniqueid). */
  static java.util.Map<String, List<String>> byPbx(List<CallRecord.Key> keys) {
    java.util.Map<String, List<String>> out = new java.util.LinkedHashMap<>();
    for (CallRecord.Key k : keys) out.computeIfAbsent(k.pbxId(), p -> new ArrayList<>()).add(k.uniqueid());
    return out;
  }

  /** The source of each of {@code keys} that is stored: the ones missing are not. */
  private static java.util.Map<CallRecord.Key, String> sources(Connection c, List<CallRecord.Key> keys) throws SQLException {
    java.util.Map<CallRecord.Key, String> out = new java.util.HashMap<>();
    forEachStored(c, keys, "uniqueid, source", (pbxId, rs) -> out.put(new CallRecord.Key(pbxId, rs.getString(1)), rs.getString(2)));
    return out;
  }

  private static List<Long> ids(Connection c, List<CallRecord.Key> keys) throws SQLException {
    List<Long> out = new ArrayList<>();
    forEachStored(c, keys, "id", (pbxId, rs) -> out.add(rs.getLong(1)));
    return out;
  }

  /** Reads one row of {@link #forEachStored}. */
  @FunctionalInterface
  interface StoredRow {
    void read(String pbxId, ResultSet rs) throws SQLException;
  }

  /** Selects {@code columns} of the stored calls among {@code keys}, one query per PBX ({@link #byPbx}). */
  static void forEachStored(Connection c, List<CallRecord.Key> keys, String columns, StoredRow row) throws SQLException {
    for (var e : byPbx(keys).entrySet()) {
      try (PreparedStatement ps = c.prepareStatement("SELECT " + columns + " FROM calls WHERE pbx_id = ? AND uniqueid IN ("
          + String.join(",", Collections.nCopies(e.getValue().size(), "?")) + ")")) {
        ps.setString(1, e.getKey());
        for (int i = 0; i < e.getValue().size(); i++) ps.setString(i + 2, e.getValue().get(i));
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) row.read(e.getKey(), rs);
        }
      }
    }
  }

  /** Binds the call's columns; {@code receivedAt} null: the database's now. */
  static void bind(PreparedStatement ps, CallRecord r, Instant receivedAt) throws SQLException {
    bind(ps, r, receivedAt, 0);
  }

  private static void bind(PreparedStatement ps, CallRecord r, Instant receivedAt, int o) throws SQLException {
    ps.setString(o + 1, clip(r.uniqueid(), 150));
    ps.setString(o + 2, clip(r.linkedid(), 150));
    ps.setString(o + 3, clip(r.channel(), 255));
    ps.setString(o + 4, clip(r.dstChannel(), 255));
    ps.setString(o + 5, clip(r.callerNumber(), 80));
    ps.setString(o + 6, clip(r.callerName(), 255));
    ps.setString(o + 7, clip(r.extension(), 80));
    ps.setString(o + 8, clip(r.context(), 80));
    Sql.setInstant(ps, o + 9, r.start());
    Sql.setInstant(ps, o + 10, r.answer());
    Sql.setInstant(ps, o + 11, r.end());
    Sql.setInt(ps, o + 12, r.duration());
    Sql.setInt(ps, o + 13, r.billsec());
    ps.setString(o + 14, clip(r.disposition(), 32));
    ps.setString(o + 15, clip(r.dialStatus(), 32));
    ps.setString(o + 16, clip(r.recording(), 1024));
    ps.setString(o + 17, clip(r.accountcode(), 80));
    ps.setString(o + 18, clip(r.userfield(), 255));
    ps.setString(o + 19, r.source().name());
    Sql.setInstant(ps, o + 20, receivedAt);
    ps.setString(o + 21, clip(r.agent(), 255));
    ps.setString(o + 22, r.pbxId());
  }

  public Optional<CallRecord> find(String pbxId, String uniqueid) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT * FROM calls WHERE pbx_id = ? AND uniqueid = ?")) {
      ps.setString(1, pbxId);
      ps.setString(2, uniqueid);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(read(rs)) : Optional.empty();
      }
    }
  }

  /**
   * The call of this uniqueid, whichever PBX it came from (a single-PBX installation's lookup);
   * throws {@link dev.postcall.call.CallRef.AmbiguousException} when several PBXs have it.
   */
  public Optional<CallRecord> find(String uniqueid) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT * FROM calls WHERE uniqueid = ? ORDER BY pbx_id")) {
      ps.setString(1, uniqueid);
      try (ResultSet rs = ps.executeQuery()) {
        List<CallRecord> found = new ArrayList<>();
        while (rs.next()) found.add(read(rs));
        if (found.size() > 1)
          throw new dev.postcall.call.CallRef.AmbiguousException(uniqueid, found.stream().map(CallRecord::pbxId).toList());
        return found.stream().findFirst();
      }
    }
  }

  public long count() throws SQLException {
    try (Connection c = ds.getConnection()) {
      return Sql.scalarLong(c, "SELECT COUNT(*) FROM calls");
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
        CallRecord.Source.valueOf(rs.getString("source")), rs.getString("agent"), rs.getString("pbx_id"));
  }
}
