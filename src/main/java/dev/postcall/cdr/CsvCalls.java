package dev.postcall.cdr;

import dev.postcall.call.CallRecord;
import dev.postcall.call.NumberSuffixes;
import dev.postcall.db.Database;
import dev.postcall.db.Sql;
import dev.postcall.queue.CallStore;
import dev.postcall.queue.JobState;
import dev.postcall.queue.Stage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Master.csv side of {@link CallStore}: bulk insert of the calls the CSV brings (a backfill of
 * a million lines must not pay one round trip per row) and the merge of Master.csv's final timing
 * into a call the AGI path (or an earlier batch) stored first. Both run inside the caller's
 * transaction, so the tailer commits its file offset with them.
 */
public final class CsvCalls {
  /** Below MariaDB's in_predicate_conversion_threshold (1000), where an IN-list becomes a derived table. */
  private static final int CHUNK = 500;
  /** Due after the hold, on the database's clock (every node's jobs are claimed by it). */
  private static final String INSERT_JOBS = "INSERT INTO jobs (call_id, state, stage, attempts, next_attempt_at,"
      + " created_at, updated_at) SELECT id, ?, ?, 0, UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND, UTC_TIMESTAMP(3),"
      + " UTC_TIMESTAMP(3) FROM calls WHERE id >= ? AND source = ? AND received_at = ? ON DUPLICATE KEY UPDATE call_id = call_id";

  private final LocalInfile localInfile = new LocalInfile();

  /** What {@link #applyCsvTiming} did. */
  public enum Timing { UNCHANGED, FILLED, CORRECTION }

  /**
   * Inserts those calls not yet known (by PBX and uniqueid), each with a PENDING job: one query per
   * PBX for the known ones, one statement for the new calls ({@code LOAD DATA LOCAL INFILE} on a {@link
   * Database#csvImport()} connection, else multi-row INSERTs) and one for all their jobs, built on
   * the server from the rows just written — no ids travel back and forth. Idempotent exactly like
   * {@link CallStore#insertAll}: the unique key on (pbx_id, uniqueid) decides, so a call the AGI path
   * stores meanwhile is left alone. Returns the keys of the calls that were new.
   */
  public Set<CallRecord.Key> insertNew(Connection c, List<CallRecord> calls) throws SQLException {
    return insertNew(c, calls, java.time.Duration.ZERO);
  }

  /**
   * The same, the new calls' jobs due {@code hold} from now (csv.agi-hold): time for a FastAGI
   * hangup still on its way to bring what Master.csv lacks before the upload starts; {@link
   * CallStore} releases the job when it arrives.
   */
  public Set<CallRecord.Key> insertNew(Connection c, List<CallRecord> calls, java.time.Duration hold) throws SQLException {
    Map<CallRecord.Key, CallRecord> fresh = new LinkedHashMap<>();
    for (CallRecord r : calls) fresh.putIfAbsent(CallStore.key(r), r);
    Map<String, List<String>> byPbx = new LinkedHashMap<>();
    for (CallRecord.Key k : fresh.keySet()) byPbx.computeIfAbsent(k.pbxId(), p -> new ArrayList<>()).add(k.uniqueid());
    for (var e : byPbx.entrySet())
      for (String known : existing(c, e.getKey(), e.getValue())) fresh.remove(new CallRecord.Key(e.getKey(), known));
    if (fresh.isEmpty()) return Set.of();
    // received_at, the database's now as every node's calls get it, is also how we find our own rows
    // again below: read once, bound to every row.
    Instant at = databaseNow(c);
    // Every id this transaction's inserts get is above the largest id anyone has committed now.
    long firstId = nextId(c);
    List<CallRecord> rows = List.copyOf(fresh.values());
    long inserted = write(c, rows, at);
    NumberSuffixes.add(c, rows);
    long jobs = insertJobs(c, firstId, at, hold);
    // One job per call we inserted: a mismatch means we would leave a call without its job.
    if (jobs != inserted) throw new SQLException("inserted " + inserted + " calls from Master.csv but " + jobs + " jobs");
    if (inserted == rows.size()) return new LinkedHashSet<>(fresh.keySet());
    // The AGI path stored some of them after our look-up: ours are the rows with our received_at.
    Set<CallRecord.Key> ours = inserted(c, firstId, at);
    Set<CallRecord.Key> out = new LinkedHashSet<>(fresh.keySet());
    out.retainAll(ours);
    return out;
  }

  private long write(Connection c, List<CallRecord> rows, Instant at) throws SQLException {
    if (localInfile.use(c)) {
      try {
        return LoadCalls.write(c, rows, at);
      } catch (SQLException e) {
        if (!LocalInfile.isRefusal(e)) throw e;
        localInfile.refused(e);
      }
    }
    return CallStore.insertRows(c, rows, at);
  }

  /** UTC_TIMESTAMP(3): milliseconds, as received_at (DATETIME(3)) keeps them. */
  private static Instant databaseNow(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT UTC_TIMESTAMP(3)"); ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getObject(1, java.time.LocalDateTime.class).toInstant(java.time.ZoneOffset.UTC);
    }
  }

  private static long nextId(Connection c) throws SQLException {
    return Sql.scalarLong(c, "SELECT COALESCE(MAX(id), 0) + 1 FROM calls");
  }

  /**
   * A job for each call this transaction wrote: id at or above {@code firstId}, source CSV, our
   * received_at (a call another transaction commits in that range has its own job already, and
   * uq_jobs_call keeps it one). Under READ COMMITTED the SELECT reads calls without locking that id
   * range, so AGI inserts above it do not wait for our commit.
   */
  private static long insertJobs(Connection c, long firstId, Instant at, java.time.Duration hold) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(INSERT_JOBS)) {
      ps.setString(1, JobState.PENDING.name());
      ps.setString(2, Stage.first().name());
      ps.setLong(3, hold.toNanos() / 1000);
      ps.setLong(4, firstId);
      ps.setString(5, CallRecord.Source.CSV.name());
      Sql.setInstant(ps, 6, at);
      return ps.executeLargeUpdate();
    }
  }

  private static Set<CallRecord.Key> inserted(Connection c, long firstId, Instant at) throws SQLException {
    Set<CallRecord.Key> out = new HashSet<>();
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT pbx_id, uniqueid FROM calls WHERE id >= ? AND source = ? AND received_at = ?")) {
      ps.setLong(1, firstId);
      ps.setString(2, CallRecord.Source.CSV.name());
      Sql.setInstant(ps, 3, at);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) out.add(new CallRecord.Key(rs.getString(1), rs.getString(2)));
      }
    }
    return out;
  }

  /**
   * The uniqueids among {@code ids} that are already calls of PBX {@code pbxId}. A batch of Master.csv rows spans a few
   * seconds, so its uniqueids (epoch.sequence) lie close together: one index range scan from the
   * smallest to the largest finds the known ones without sending a thousand values to compare.
   * Should that range hold many more calls than the batch (keys without order like the {@code csv-}
   * hashes, a file of mixed days), the values are looked up one by one instead. Either way this
   * only spares the insert work: a call missed here is still skipped by the unique key.
   */
  Set<String> existing(Connection c, String pbxId, List<String> ids) throws SQLException {
    if (ids.isEmpty()) return Set.of();
    int limit = 2 * ids.size() + 16;
    Set<String> inRange = new HashSet<>();
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT uniqueid FROM calls WHERE pbx_id = ? AND uniqueid BETWEEN ? AND ? LIMIT ?")) {
      ps.setString(1, pbxId);
      ps.setString(2, Collections.min(ids));
      ps.setString(3, Collections.max(ids));
      ps.setInt(4, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) inRange.add(rs.getString(1));
      }
    }
    if (inRange.size() < limit) {
      Set<String> out = new HashSet<>(ids);
      out.retainAll(inRange);
      return out;
    }
    Set<String> out = new HashSet<>();
    for (List<String> chunk : chunks(ids)) {
      try (PreparedStatement ps = c.prepareStatement("SELECT uniqueid FROM calls WHERE pbx_id = ? AND uniqueid IN ("
          + String.join(",", Collections.nCopies(chunk.size(), "?")) + ")")) {
        ps.setString(1, pbxId);
        for (int i = 0; i < chunk.size(); i++) ps.setString(2 + i, chunk.get(i));
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  /**
   * Merges Master.csv's view of the whole call ({@code csv}: its rows merged, see the cdr package's
   * MergeRows) into the stored call. When that view starts no later than the stored start it saw
   * the call from its first part, and its start, end, duration and billsec are the call's (the
   * stored instants are kept where they fall in the same second: the AGI path reads microseconds).
   * Otherwise only later parts were read (a batch boundary between a call's rows): the later end is
   * taken and the duration runs from the stored start to it. For a call that came from Master.csv
   * itself, a Dial row's disposition and dstchannel also replace a Hangup row's FAILED; the AGI
   * path's DIALSTATUS is never touched.
   *
   * <p>While the job has not reached the upload (stage WAIT or CONVERT, or CREATE not yet claimed)
   * the call row is updated and the upload sends the final values. Otherwise the call row keeps what
   * was uploaded and the new values are recorded once in {@code call_corrections}.
   */
  public Timing applyCsvTiming(Connection c, CallRecord csv, Instant now) throws SQLException {
    Stored s = lock(c, csv.pbxId(), csv.uniqueid());
    if (s == null) return Timing.UNCHANGED;
    Instant start;
    Instant end;
    Instant answer;
    Integer duration;
    Integer billsec;
    if (csv.start() != null && (s.start == null || csv.start().getEpochSecond() <= s.start.getEpochSecond())) {
      start = sameSecond(s.start, csv.start()) ? s.start : csv.start();
      end = csv.end() == null || sameSecond(s.end, csv.end()) ? (s.end != null ? s.end : csv.end()) : csv.end();
      answer = csv.answer() == null || sameSecond(s.answer, csv.answer()) ? (s.answer != null ? s.answer : csv.answer()) : csv.answer();
      duration = csv.duration() != null ? csv.duration() : s.duration;
      billsec = csv.billsec() != null ? csv.billsec() : s.billsec;
    } else {
      start = s.start;
      end = later(s.end, csv.end());
      answer = s.answer != null ? s.answer : csv.answer();
      duration = !java.util.Objects.equals(end, s.end) && start != null ? Integer.valueOf((int) (end.getEpochSecond() - start.getEpochSecond()))
          : larger(s.duration, csv.duration());
      billsec = larger(s.billsec, csv.billsec());
    }
    boolean dial = s.csvSource && "FAILED".equals(s.disposition) && csv.disposition() != null
        && !"FAILED".equals(csv.disposition());
    boolean timing = !java.util.Objects.equals(end, s.end) || !java.util.Objects.equals(duration, s.duration)
        || !java.util.Objects.equals(billsec, s.billsec) || !java.util.Objects.equals(answer, s.answer)
        || !java.util.Objects.equals(start, s.start);
    if (!timing && !dial) return Timing.UNCHANGED;
    if (!s.uploadStarted()) {
      try (PreparedStatement ps = c.prepareStatement("UPDATE calls SET end_time = ?, duration_s = ?, billsec_s = ?,"
          + " answer_time = ?, disposition = ?, dst_channel = ?, start_time = ?, agent = COALESCE(agent, ?) WHERE id = ?")) {
        Sql.setInstant(ps, 1, end);
        Sql.setInt(ps, 2, duration);
        Sql.setInt(ps, 3, billsec);
        Sql.setInstant(ps, 4, answer);
        ps.setString(5, dial ? csv.disposition() : s.disposition);
        ps.setString(6, dial ? Sql.clip(csv.dstChannel(), 255) : s.dstChannel);
        Sql.setInstant(ps, 7, start);
        ps.setString(8, Sql.clip(csv.agent(), 255)); // a later batch's answered leg names the agent an earlier one lacked
        ps.setLong(9, s.id);
        ps.executeUpdate();
      }
      return Timing.FILLED;
    }
    if (!timing) return Timing.UNCHANGED;
    try (PreparedStatement ps = c.prepareStatement("INSERT IGNORE INTO call_corrections (call_id, uniqueid, old_end,"
        + " old_duration, old_billsec, new_end, new_duration, new_billsec, job_state, job_stage, recorded_at,"
        + " old_start, new_start, pbx_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
      ps.setLong(1, s.id);
      ps.setString(2, csv.uniqueid());
      Sql.setInstant(ps, 3, s.end);
      Sql.setInt(ps, 4, s.duration);
      Sql.setInt(ps, 5, s.billsec);
      Sql.setInstant(ps, 6, end);
      Sql.setInt(ps, 7, duration);
      Sql.setInt(ps, 8, billsec);
      ps.setString(9, s.jobState);
      ps.setString(10, s.jobStage);
      Sql.setInstant(ps, 11, now);
      Sql.setInstant(ps, 12, s.start);
      Sql.setInstant(ps, 13, start);
      ps.setString(14, csv.pbxId());
      return ps.executeUpdate() == 1 ? Timing.CORRECTION : Timing.UNCHANGED;
    }
  }

  private record Stored(long id, boolean csvSource, Instant start, Instant answer, Instant end, Integer duration, Integer billsec,
      String disposition, String dstChannel, String jobState, String jobStage) {
    boolean uploadStarted() {
      return Stage.uploadStarted(jobStage == null ? null : Stage.valueOf(jobStage),
          jobState == null ? null : JobState.valueOf(jobState));
    }
  }

  private static Stored lock(Connection c, String pbxId, String uniqueid) throws SQLException {
    // Locks the call and its job: a worker's claim (SKIP LOCKED) passes it by for these few ms.
    try (PreparedStatement ps = c.prepareStatement("SELECT c.id, c.source, c.start_time, c.answer_time, c.end_time, c.duration_s,"
        + " c.billsec_s, c.disposition, c.dst_channel, j.state, j.stage FROM calls c LEFT JOIN jobs j ON j.call_id = c.id"
        + " WHERE c.pbx_id = ? AND c.uniqueid = ? FOR UPDATE")) {
      ps.setString(1, pbxId);
      ps.setString(2, Sql.clip(uniqueid, 150));
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) return null;
        return new Stored(rs.getLong("id"), CallRecord.Source.CSV.name().equals(rs.getString("source")), Sql.getInstant(rs, "start_time"),
            Sql.getInstant(rs, "answer_time"),
            Sql.getInstant(rs, "end_time"), Sql.getInt(rs, "duration_s"), Sql.getInt(rs, "billsec_s"),
            rs.getString("disposition"), rs.getString("dst_channel"), rs.getString("state"), rs.getString("stage"));
      }
    }
  }

  /** Master.csv has whole seconds; an AGI end within the same second is not a difference. */
  private static Instant later(Instant stored, Instant csv) {
    if (csv == null) return stored;
    if (stored == null) return csv;
    return csv.getEpochSecond() > stored.getEpochSecond() ? csv : stored;
  }

  /**
   * Releases the held jobs (see {@link CallStore#CallStore(javax.sql.DataSource, java.time.Duration)}) of calls
   * whose Master.csv rows have just been merged: nothing is left to wait for. Only jobs that never ran
   * are touched; due now on the database's clock.
   */
  public void release(Connection c, List<CallRecord.Key> calls) throws SQLException {
    Map<String, List<String>> byPbx = new LinkedHashMap<>();
    for (CallRecord.Key k : calls) byPbx.computeIfAbsent(k.pbxId(), p -> new ArrayList<>()).add(Sql.clip(k.uniqueid(), 150));
    for (var e : byPbx.entrySet()) {
      for (List<String> chunk : chunks(e.getValue())) {
        try (PreparedStatement ps = c.prepareStatement("UPDATE jobs j JOIN calls c ON c.id = j.call_id"
            + " SET j.next_attempt_at = UTC_TIMESTAMP(3) WHERE j.state = ? AND j.attempts = 0"
            + " AND j.next_attempt_at > UTC_TIMESTAMP(3) AND c.pbx_id = ? AND c.uniqueid IN ("
            + String.join(",", Collections.nCopies(chunk.size(), "?")) + ")")) {
          ps.setString(1, JobState.PENDING.name());
          ps.setString(2, e.getKey());
          for (int i = 0; i < chunk.size(); i++) ps.setString(3 + i, chunk.get(i));
          ps.executeUpdate();
        }
      }
    }
  }

  private static boolean sameSecond(Instant a, Instant b) {
    return a != null && b != null && a.getEpochSecond() == b.getEpochSecond();
  }

  private static Integer larger(Integer stored, Integer csv) {
    if (csv == null) return stored;
    return stored == null || csv > stored ? csv : stored;
  }

  private static List<List<String>> chunks(List<String> ids) {
    List<List<String>> out = new ArrayList<>();
    for (int i = 0; i < ids.size(); i += CHUNK) out.add(ids.subList(i, Math.min(ids.size(), i + CHUNK)));
    return out;
  }
}
