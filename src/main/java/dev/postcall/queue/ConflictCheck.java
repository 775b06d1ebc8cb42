package dev.postcall.queue;

import dev.postcall.call.CallRecord;
import dev.postcall.db.Sql;

import static dev.postcall.db.Sql.clip;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Hangups that must not be merged into what is stored, found inside the store's transaction: a
 * second hangup for a stored call (same PBX, same uniqueid) that disagrees with the first (it could
 * be forged: any local process can open a FastAGI session), and a recording that belongs to another
 * call of its PBX. The call stored first is kept; the other version goes to {@code call_conflicts}
 * for the admins, once per distinct event (a replay from the spool adds nothing), and listeners hear
 * of it after the commit. An identical repeat is a duplicate: nothing stored, listeners told.
 * Everything here is per PBX: the same uniqueid or recording name on another PBX is another call's.
 */
final class ConflictCheck {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String INSERT = """
      INSERT INTO call_conflicts (pbx_id, uniqueid, kind, call_id, fields, kept, rejected, fingerprint, detected_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(3)) ON DUPLICATE KEY UPDATE id = id""";

  /** What one transaction found: conflicts it recorded, duplicates it skipped. */
  static final class Found {
    final List<CallConflict> conflicts = new ArrayList<>();
    final List<CallRecord> duplicates = new ArrayList<>();
  }

  private final Function<String, RecordingOwnership> ownership;
  private volatile Consumer<CallConflict> listener = c -> {};
  private volatile Consumer<CallRecord> duplicateListener = c -> {};

  /** {@code ownership}: per pbx id, whose recording a file is by its name (that PBX's pattern). */
  ConflictCheck(Function<String, RecordingOwnership> ownership) {
    this.ownership = ownership;
  }

  void onConflict(Consumer<CallConflict> l) {
    this.listener = l;
  }

  void onDuplicate(Consumer<CallRecord> l) {
    this.duplicateListener = l;
  }

  /** Tells the listeners what a transaction that has committed found. */
  void publish(Found found) {
    for (CallConflict c : found.conflicts) listener.accept(c);
    for (CallRecord r : found.duplicates) duplicateListener.accept(r);
  }

  /**
   * Hangups whose uniqueid was already stored: each is compared with the stored call; one that
   * disagrees is recorded as a conflict and left out of what is returned — the calls that may still
   * lend their hangup values to the stored row.
   */
  List<CallRecord> screenKnown(Connection c, List<CallRecord> known, Found recorded)
      throws SQLException {
    List<CallRecord> agi = known.stream().filter(r -> r.source() == CallRecord.Source.AGI).toList();
    if (agi.isEmpty()) return known;
    Map<CallRecord.Key, Stored> stored = load(c, agi.stream().map(CallStore::key).distinct().toList());
    List<CallRecord> agree = new ArrayList<>();
    for (CallRecord r : agi) {
      Stored s = stored.get(CallStore.key(r));
      if (s == null) continue; // not there after all: nothing to merge into
      List<String> fields = differences(s.call, r);
      if (fields.isEmpty()) {
        if (s.call.source() == CallRecord.Source.AGI) recorded.duplicates.add(r);
        agree.add(r.recording() == null || s.call.source() == CallRecord.Source.AGI ? r : ownRecordingOnly(c, s, r, recorded));
      } else {
        record(c, new CallConflict(r.uniqueid(), CallConflict.Kind.HANGUP_DIFFERS, fields, s.call, r), s.id, recorded);
      }
    }
    return agree;
  }

  /**
   * Calls this transaction has just inserted: a hangup's recording is kept only if it belongs to the
   * call — named after it by recordings.pattern, or not named after another call and not already
   * another (earlier) call's. Otherwise the call stays, without the recording, and the refusal is a
   * conflict.
   */
  void screenFresh(Connection c, List<CallRecord> fresh, Found recorded) throws SQLException {
    for (CallRecord r : fresh) {
      if (r.source() != CallRecord.Source.AGI || r.recording() == null || r.recording().isBlank()) continue;
      Refusal why = refusal(c, r);
      if (why == null) continue;
      try (PreparedStatement ps = c.prepareStatement("UPDATE calls SET recording = NULL WHERE pbx_id = ? AND uniqueid = ?")) {
        ps.setString(1, r.pbxId());
        ps.setString(2, clip(r.uniqueid(), 150));
        ps.executeUpdate();
      }
      record(c, new CallConflict(r.uniqueid(), why.kind, List.of("recording"), why.owner, r),
          why.owner == null ? null : why.ownerId, recorded);
    }
  }

  /** A hangup agreeing with a row Master.csv brought: it lends its recording only if the recording is its own. */
  private CallRecord ownRecordingOnly(Connection c, Stored s, CallRecord r, Found recorded)
      throws SQLException {
    Refusal why = refusal(c, r);
    if (why == null) return r;
    record(c, new CallConflict(r.uniqueid(), why.kind, List.of("recording"), why.owner != null ? why.owner : s.call, r),
        why.owner != null ? why.ownerId : s.id, recorded);
    return withoutRecording(r);
  }

  private record Refusal(CallConflict.Kind kind, CallRecord owner, Long ownerId) {}

  private Refusal refusal(Connection c, CallRecord r) throws SQLException {
    RecordingOwnership names = ownership.apply(r.pbxId());
    switch (names.of(r.uniqueid(), r.recording())) {
      case OWN:
        return null;
      case ANOTHER_CALL: {
        CallRecord.Key owner = new CallRecord.Key(r.pbxId(), clip(names.namedAfter(r.recording()), 150));
        Stored s = load(c, List.of(owner)).get(owner);
        return new Refusal(CallConflict.Kind.RECORDING_OF_ANOTHER_CALL, s == null ? null : s.call, s == null ? null : s.id);
      }
      default: {
        // the earliest other call of this PBX with this recording keeps it (another PBX's folder is another file)
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM calls WHERE pbx_id = ? AND recording = ? AND uniqueid <> ? "
            + "AND id < COALESCE((SELECT id FROM calls WHERE pbx_id = ? AND uniqueid = ?), ~0) ORDER BY id LIMIT 1")) {
          ps.setString(1, r.pbxId());
          ps.setString(2, clip(r.recording(), 1024));
          ps.setString(3, clip(r.uniqueid(), 150));
          ps.setString(4, r.pbxId());
          ps.setString(5, clip(r.uniqueid(), 150));
          try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) return null;
            return new Refusal(CallConflict.Kind.RECORDING_CLAIMED, CallStore.read(rs), rs.getLong("id"));
          }
        }
      }
    }
  }

  /**
   * The fields a second hangup disagrees on. Against a hangup: channel, caller number and name,
   * start (to the second) and recording, unset on one side counting as different. Against a row from
   * Master.csv, which formats the caller differently and has no recording: channel and start, where
   * both have them. Stored values are compared with the incoming ones cut to the column widths.
   */
  static List<String> differences(CallRecord stored, CallRecord in) {
    boolean hangup = stored.source() == CallRecord.Source.AGI;
    List<String> f = new ArrayList<>();
    differ("channel", stored.channel(), clip(in.channel(), 255), hangup, f);
    if (hangup) {
      differ("caller number", stored.callerNumber(), clip(in.callerNumber(), 80), true, f);
      differ("caller name", stored.callerName(), clip(in.callerName(), 255), true, f);
    }
    differ("start", second(stored.start()), second(in.start()), hangup, f);
    if (hangup) differ("recording", stored.recording(), clip(in.recording(), 1024), true, f);
    return f;
  }

  private static void differ(String field, Object stored, Object in, boolean unsetCounts, List<String> out) {
    if (!unsetCounts && (stored == null || in == null)) return;
    if (!Objects.equals(stored, in)) out.add(field);
  }

  private static Instant second(Instant t) {
    return t == null ? null : t.truncatedTo(ChronoUnit.SECONDS);
  }

  /** Inserts the conflict unless this very event was recorded before; adds it to {@code recorded} if new. */
  private static void record(Connection c, CallConflict conflict, Long callId, Found recorded)
      throws SQLException {
    String rejected = json(conflict.rejected());
    try (PreparedStatement ps = c.prepareStatement(INSERT)) {
      ps.setString(1, conflict.rejected().pbxId());
      ps.setString(2, clip(conflict.uniqueid(), 150));
      ps.setString(3, conflict.kind().name());
      if (callId == null) ps.setNull(4, java.sql.Types.BIGINT);
      else ps.setLong(4, callId);
      ps.setString(5, clip(String.join(", ", conflict.fields()), 255));
      ps.setString(6, conflict.kept() == null ? "{}" : json(conflict.kept()));
      ps.setString(7, rejected);
      // the event alone: its replay is the same conflict, even if it is now seen as a second hangup
      ps.setString(8, sha256(rejected));
      // the database's clock, as received_at: conflicts from nodes with different clocks list in order
      if (ps.executeUpdate() == 1) recorded.conflicts.add(conflict);
    }
  }

  private record Stored(long id, CallRecord call) {}

  private static Map<CallRecord.Key, Stored> load(Connection c, List<CallRecord.Key> keys) throws SQLException {
    Map<CallRecord.Key, Stored> out = new LinkedHashMap<>();
    CallStore.forEachStored(c, keys, "*", (pbxId, rs) -> {
      CallRecord call = CallStore.read(rs);
      out.put(call.key(), new Stored(rs.getLong("id"), call));
    });
    return out;
  }

  private static CallRecord withoutRecording(CallRecord r) {
    return new CallRecord(r.uniqueid(), r.linkedid(), r.channel(), r.dstChannel(), r.callerNumber(), r.callerName(),
        r.extension(), r.context(), r.start(), r.answer(), r.end(), r.duration(), r.billsec(), r.disposition(),
        r.dialStatus(), null, r.accountcode(), r.userfield(), r.source(), r.agent(), r.pbxId());
  }

  /** A version as the admins see it: every field, times in ISO-8601. */
  static String json(CallRecord r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("pbx_id", r.pbxId());
    m.put("uniqueid", r.uniqueid());
    m.put("source", r.source().name());
    m.put("channel", r.channel());
    m.put("caller_number", r.callerNumber());
    m.put("caller_name", r.callerName());
    m.put("start", str(r.start()));
    m.put("answer", str(r.answer()));
    m.put("end", str(r.end()));
    m.put("duration", r.duration());
    m.put("billsec", r.billsec());
    m.put("disposition", r.disposition());
    m.put("dial_status", r.dialStatus());
    m.put("recording", r.recording());
    m.put("linkedid", r.linkedid());
    m.put("dst_channel", r.dstChannel());
    m.put("extension", r.extension());
    m.put("context", r.context());
    m.put("accountcode", r.accountcode());
    m.put("userfield", r.userfield());
    try {
      return JSON.writeValueAsString(m);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a map of strings and numbers always serialises", e);
    }
  }

  private static String str(Instant t) {
    return t == null ? null : t.toString();
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
