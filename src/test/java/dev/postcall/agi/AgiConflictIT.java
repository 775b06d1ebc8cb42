package dev.postcall.agi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postcall.queue.CallConflict;
import dev.postcall.queue.CallConflicts;
import dev.postcall.call.CallRecord;
import dev.postcall.queue.CallStore;
import dev.postcall.queue.RecordingOwnership;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Forged sessions: a second hangup for a stored uniqueid that disagrees with the first is
 * kept aside as a conflict — recorded with both versions, counted, logged once — never merged and
 * never silently dropped; a recording is kept only with the call it belongs to.
 */
class AgiConflictIT {
  static final Transcript BUSY = AgiServerIT.BUSY;
  static final String MONITOR = "/var/spool/asterisk/monitor/";

  @RegisterExtension final AgiFixture fx = AgiFixture.started(Map.of(),
      ds -> new CallStore(ds, new RecordingOwnership("${uniqueid}.wav")));
  CallConflicts conflicts;

  @BeforeEach
  void setUp() {
    conflicts = new CallConflicts(fx.db.ds());
  }

  void play(Transcript t) throws Exception {
    new FakeAsterisk(fx.agi.localPort()).play(t);
    fx.agi.drainOnce();
  }

  double counted(String kind) {
    return fx.metrics.find("postcall.agi.conflicts").tag("kind", kind).counter().count();
  }

  long warnings(String fragment) {
    return fx.logs.lines().stream().filter(l -> l.startsWith("WARN") && l.contains(fragment)).count();
  }

  /** A real call's session as the transcript has it, with its own recording. */
  static Transcript real(String uid) {
    return BUSY.withUniqueid(uid).withVariables(Map.of("MIXMONITOR_FILENAME", MONITOR + uid + ".wav"));
  }

  static Transcript forged(String uid, String recording) {
    return BUSY.withUniqueid(uid).withEnv(Map.of("agi_calleridname", "ATTACKER", "agi_channel", "PJSIP/evil-00000001"))
        .withVariables(Map.of("MIXMONITOR_FILENAME", recording == null ? "" : recording));
  }

  @Test
  void a_forged_hangup_sent_first_keeps_the_call_but_the_real_one_is_recorded_as_a_conflict() throws Exception {
    play(forged("1795386561.77", null));
    play(real("1795386561.77"));
    CallRecord kept = fx.store.find("1795386561.77").orElseThrow();
    assertEquals("ATTACKER", kept.callerName(), "the first stays; nothing merged");
    assertEquals(1, fx.db.count("SELECT COUNT(*) FROM calls"));

    List<CallConflicts.Row> rows = conflicts.latest(10);
    assertEquals(1, rows.size());
    CallConflicts.Row r = rows.get(0);
    assertEquals(CallConflict.Kind.HANGUP_DIFFERS, r.kind());
    assertEquals("channel, caller name, recording", r.fields());
    ObjectMapper json = new ObjectMapper();
    JsonNode keptJson = json.readTree(r.kept());
    JsonNode rejected = json.readTree(r.rejected());
    assertEquals("ATTACKER", keptJson.get("caller_name").asText());
    assertEquals("PJSIP/evil-00000001", keptJson.get("channel").asText());
    assertEquals("Local/200@rig-00000026;2", rejected.get("channel").asText(), "the real session, whole");
    assertEquals(MONITOR + "1795386561.77.wav", rejected.get("recording").asText());
    assertEquals("BUSY", rejected.get("dial_status").asText());
    assertEquals(dev.postcall.config.PostcallConfig.Pbx.defaultId(), r.pbxId(), "the PBX of the hangup (pbx.id)");
    assertEquals(1.0, counted("hangup_differs"));
    assertEquals(1, warnings("call 1795386561.77: a second hangup disagrees with the stored call on channel, caller name, recording"),
        fx.logs.lines().toString());

    // the same event again (a replay from the spool, or Asterisk's retry): the same conflict, not a new one
    play(real("1795386561.77"));
    assertEquals(1, conflicts.count());
    assertEquals(1.0, counted("hangup_differs"));
    assertEquals(1, warnings("a second hangup disagrees"));
  }

  @Test
  void an_identical_repeat_is_a_quiet_duplicate() throws Exception {
    play(real("1795386561.78"));
    play(real("1795386561.78"));
    assertEquals(0, conflicts.count());
    assertEquals(0.0, counted("hangup_differs"));
    assertTrue(fx.logs.has("call 1795386561.78 was already stored — nothing added"), fx.logs.lines().toString());
    assertEquals(1.0, fx.metrics.find("postcall.agi.duplicates").counter().count(), "a harmless duplicate, counted");
  }

  @Test
  void a_recording_named_after_another_call_is_not_taken_and_the_real_call_keeps_it() throws Exception {
    play(forged("999.1", MONITOR + "1795386561.79.wav"));
    assertNull(fx.store.find("999.1").orElseThrow().recording(), "stored, without the other call's recording");
    CallConflicts.Row r = conflicts.latest(1).get(0);
    assertEquals(CallConflict.Kind.RECORDING_OF_ANOTHER_CALL, r.kind());
    assertEquals("999.1", r.uniqueid());
    assertEquals(1.0, counted("recording_of_another_call"));
    assertEquals(1, warnings("call 999.1: its recording " + MONITOR + "1795386561.79.wav is named after another call"));

    play(real("1795386561.79"));
    assertEquals(MONITOR + "1795386561.79.wav", fx.store.find("1795386561.79").orElseThrow().recording(), "its owner has it");
    assertEquals(1, conflicts.count());
  }

  @Test
  void a_recording_not_named_by_the_pattern_belongs_to_the_first_call_that_claims_it() throws Exception {
    String custom = MONITOR + "queue-sales-20261122.wav";
    play(BUSY.withUniqueid("1795386561.80").withVariables(Map.of("MIXMONITOR_FILENAME", custom)));
    play(BUSY.withUniqueid("1795386561.81").withVariables(Map.of("MIXMONITOR_FILENAME", custom)));
    assertEquals(custom, fx.store.find("1795386561.80").orElseThrow().recording());
    assertNull(fx.store.find("1795386561.81").orElseThrow().recording());
    CallConflicts.Row r = conflicts.latest(1).get(0);
    assertEquals(CallConflict.Kind.RECORDING_CLAIMED, r.kind());
    assertEquals("1795386561.81", r.uniqueid());
    assertTrue(r.kept().contains("\"uniqueid\":\"1795386561.80\""), r.kept());
    assertEquals(1, warnings("call 1795386561.81: its recording " + custom + " is already call 1795386561.80's"));
  }

  /**
   * Master.csv brought the call first (no DIALSTATUS, no recording): a forged hangup does not lend it
   * its values — a conflict; the real hangup, agreeing on channel and start, still does.
   */
  @Test
  void a_forged_hangup_does_not_fill_a_call_master_csv_brought_first() throws Exception {
    String uid = "1795386561.90";
    fx.store.insert(new CallRecord(uid, null, "Local/200@rig-00000026;2", null, "5550200", "\"Rig Caller\" <5550200>", "200",
        "rig", Instant.parse("2026-11-22T22:29:21Z"), null, Instant.parse("2026-11-22T22:29:21Z"), 0, 0, "FAILED", null,
        null, null, null, CallRecord.Source.CSV, dev.postcall.config.PostcallConfig.Pbx.defaultId()));
    play(forged(uid, MONITOR + uid + ".wav").withVariables(Map.of("DIALSTATUS", "ANSWER")));
    CallRecord c = fx.store.find(uid).orElseThrow();
    assertNull(c.dialStatus(), "nothing adopted from the forged session");
    assertNull(c.recording());
    assertEquals(CallConflict.Kind.HANGUP_DIFFERS, conflicts.latest(1).get(0).kind());
    assertEquals("channel", conflicts.latest(1).get(0).fields());

    play(real(uid));
    c = fx.store.find(uid).orElseThrow();
    assertEquals("BUSY", c.dialStatus(), "the real hangup fills it as before");
    assertEquals(MONITOR + uid + ".wav", c.recording());
    assertEquals(1, conflicts.count());
  }

  /** Two disagreeing hangups in one writer batch: the second is compared with the first, not dropped. */
  @Test
  void disagreeing_hangups_in_one_batch_are_a_conflict_too() throws Exception {
    CallRecord a = call("1795386561.82", "PJSIP/a-1", "Alice");
    CallRecord b = call("1795386561.82", "PJSIP/evil-2", "ATTACKER");
    assertEquals(List.of(true, false), fx.store.insertAll(List.of(a, b)));
    assertEquals("Alice", fx.store.find("1795386561.82").orElseThrow().callerName());
    assertEquals("channel, caller name", conflicts.latest(1).get(0).fields());
    assertEquals(List.of(false, false), fx.store.insertAll(List.of(a, b)), "replayed: duplicates");
    assertEquals(1, conflicts.count());
  }

  static CallRecord call(String uid, String channel, String name) {
    return new CallRecord(uid, null, channel, null, "200", name, "200", "rig", Instant.parse("2026-11-22T22:29:21Z"),
        null, null, 3, 0, "FAILED", "BUSY", null, null, null, CallRecord.Source.AGI, dev.postcall.config.PostcallConfig.Pbx.defaultId());
  }
}
