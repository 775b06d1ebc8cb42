package dev.postcall.agi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.TestDb;
import dev.postcall.call.CallRecord;
import dev.postcall.queue.CallStore;
import dev.postcall.queue.JobState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every scenario a real Asterisk 22 produced (100…600, both endbeforehexten variants, the
 * args race) replayed against the server, and the stored rows checked against what that Asterisk
 * reported and what NOTES.md says.
 */
class HangupTranscriptsIT {
  /** NOTES.md: DIALSTATUS inside h per extension (null: not set, answered without Dial). */
  static final Map<String, String> DIALSTATUS = Map.of("100", "", "101", "ANSWER", "102", "ANSWER",
      "200", "BUSY", "300", "NOANSWER", "400", "CONGESTION", "500", "CHANUNAVAIL", "501", "CHANUNAVAIL",
      "600", "CANCEL");
  /** NOTES.md: CDR(disposition) read inside h with endbeforehexten=yes. */
  static final Map<String, String> DISPOSITION_IN_H = Map.of("100", "ANSWERED", "101", "ANSWERED",
      "102", "ANSWERED", "200", "FAILED", "300", "FAILED", "400", "FAILED", "500", "FAILED",
      "501", "NO ANSWER", "600", "NO ANSWER");

  static TestDb db;
  static CallStore store;
  static AgiService agi;
  @TempDir static Path spool;

  @BeforeAll
  static void start() throws Exception {
    db = TestDb.create();
    store = new CallStore(db.ds());
    agi = AgiHarness.start(store, spool, Map.of(), new SimpleMeterRegistry());
  }

  @AfterAll
  static void stop() {
    agi.close();
    db.close();
  }

  static List<Transcript> transcripts(String dir) throws URISyntaxException, java.io.IOException {
    Path p = Path.of(HangupTranscriptsIT.class.getResource("/asterisk/transcripts/" + dir).toURI());
    try (Stream<Path> files = Files.list(p)) {
      return files.map(f -> f.getFileName().toString()).filter(n -> n.contains("_hangup")).sorted()
          .map(n -> Transcript.load("/asterisk/transcripts/" + dir + "/" + n)).toList();
    }
  }

  static Instant local(String cdrTime) {
    return cdrTime.isEmpty() ? null : LocalDateTime.parse(cdrTime.replace(' ', 'T')).toInstant(ZoneOffset.UTC);
  }

  static Integer num(String s) {
    return s.isEmpty() ? null : Integer.valueOf(s);
  }

  static String blankToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  CallRecord play(Transcript t) throws Exception {
    FakeAsterisk.Session s = new FakeAsterisk(agi.localPort()).play(t);
    // one round trip for the call's values, then the session ends (no AJ_AGISTATUS round trip)
    assertEquals(1, s.commands().size(), t + ": " + s.commands());
    assertTrue(s.commands().get(0).startsWith("GET FULL VARIABLE "), s.commands().get(0));
    assertTrue(s.closedByServer(), t + ": postcall closes the session");
    String uid = t.envValue("agi_uniqueid").orElseThrow();
    agi.drainOnce(); // the writer commits after the session: wait for it
    return store.find(uid).orElseThrow(() -> new AssertionError(t + ": no row for " + uid));
  }

  @Test
  void endbeforehexten_yes_every_scenario_is_stored_with_final_cdr_values() throws Exception {
    List<Transcript> all = transcripts("endbeforehexten-yes");
    assertEquals(9, all.size());
    for (Transcript t : all) {
      CallRecord c = play(t);
      String ext = t.variable("CDR(dst)");
      assertEquals(ext, c.extension(), t.name);
      assertEquals(blankToNull(DIALSTATUS.get(ext)), c.dialStatus(), t.name);
      assertEquals(DISPOSITION_IN_H.get(ext), c.disposition(), t.name);
      // the CDR's own epoch values (CDR(start,u)) are the independent truth for the zone conversion;
      // a call whose last CDR part began later (300: Dial timed out, the dialplan went on) starts
      // in its uniqueid's second and lasts to the last part's end
      assertEquals(wholeCallStart(t), c.start().getEpochSecond(), t.name);
      assertEquals((long) Double.parseDouble(t.variable("CDR(end,u)")), c.end().getEpochSecond(), t.name);
      assertEquals(local(t.variable("CDR(answer)")), c.answer(), t.name);
      assertEquals(ext.equals("100") || ext.startsWith("10"), c.answer() != null, t.name + " answered?");
      assertEquals(lastPartOnly(t) ? num(t.variable("CDR(duration)"))
          : Integer.valueOf((int) ((long) Double.parseDouble(t.variable("CDR(end,u)")) - wholeCallStart(t))), c.duration(), t.name);
      assertEquals(num(t.variable("CDR(billsec)")), c.billsec(), t.name);
      assertEquals(t.variable("MIXMONITOR_FILENAME"), c.recording(), t.name);
      assertEquals(t.variable("CDR(linkedid)"), c.linkedid(), t.name);
      assertEquals(t.variable("CDR(userfield)"), c.userfield(), t.name);
      assertEquals(blankToNull(t.variable("CDR(dstchannel)")), c.dstChannel(), t.name);
      assertEquals(t.envValue("agi_channel").orElseThrow(), c.channel(), t.name);
      assertEquals("rig", c.context());
      assertEquals(t.envValue("agi_callerid").orElseThrow(), c.callerNumber());
      assertEquals(t.envValue("agi_calleridname").orElseThrow(), c.callerName());
      assertNull(c.accountcode(), "agi_accountcode is empty");
      assertEquals(CallRecord.Source.AGI, c.source());
    }
    assertEquals(9, db.count("SELECT COUNT(*) FROM jobs j JOIN calls c ON c.id = j.call_id "
        + "WHERE j.state = ? AND c.context = 'rig' AND c.end_time IS NOT NULL", JobState.PENDING));
  }

  @Test
  void endbeforehexten_no_keeps_what_asterisk_gives_no_end_and_zero_durations() throws Exception {
    List<Transcript> all = transcripts("endbeforehexten-no");
    assertEquals(9, all.size());
    for (Transcript t : all) {
      CallRecord c = play(t);
      String ext = t.variable("CDR(userfield)").split("-")[1]; // rig-<ext>-<uniqueid>
      assertEquals(blankToNull(DIALSTATUS.get(ext)), c.dialStatus(), t.name);
      assertEquals("NO ANSWER", c.disposition(), t.name + ": inside h it always reads NO ANSWER");
      assertNull(c.end(), t.name);
      assertEquals(num(t.variable("CDR(duration)")), c.duration(), t.name);
      // inside h CDR(billsec) reads 0 here; ANSWEREDTIME is what Dial says was answered
      Integer cdrBillsec = num(t.variable("CDR(billsec)"));
      Integer answeredTime = num(t.variable("ANSWEREDTIME"));
      Integer billsec = answeredTime != null && (cdrBillsec == null || answeredTime > cdrBillsec) ? answeredTime : cdrBillsec;
      assertEquals(billsec, c.billsec(), t.name);
      assertEquals(lastPartOnly(t) ? local(t.variable("CDR(start)")).getEpochSecond() : wholeCallStart(t),
          c.start().getEpochSecond(), t.name + ": the h part starts at hangup, the call when its channel was created");
      assertNull(c.extension(), t.name + ": dst is 'h', the dialled extension is not known");
      assertEquals("rig", c.context());
      assertEquals(t.variable("MIXMONITOR_FILENAME"), c.recording());
    }
  }

  @Test
  void args_race_cdr_values_come_from_the_query_not_from_the_arguments() throws Exception {
    List<Transcript> all = transcripts("args-race");
    assertEquals(18, all.size());
    for (Transcript recorded : all) {
      // the rig ran these under the script name hangup-args; ours is hangup, the arguments stay
      Transcript t = recorded.withEnv(Map.of("agi_network_script", "hangup"));
      assertTrue(t.envValue("agi_arg_7").isPresent());
      CallRecord c = play(t);
      // the arguments said disposition NO ANSWER and no end; the CDR read in the session is final
      assertEquals(t.variable("CDR(disposition)"), c.disposition(), t.name);
      assertEquals(local(t.variable("CDR(end)")), c.end(), t.name);
      assertNotNull(c.end(), t.name);
      if (lastPartOnly(t)) assertEquals(t.envValue("agi_arg_2").map(HangupTranscriptsIT::local).orElseThrow(), c.start());
      else assertEquals(wholeCallStart(t), c.start().getEpochSecond(), t.name);
      assertEquals(blankToNull(t.variable("DIALSTATUS")), c.dialStatus(), t.name);
      assertEquals(t.variable("MIXMONITOR_FILENAME"), c.recording(), t.name);
    }
    long finalDispositions = db.count("SELECT COUNT(*) FROM calls WHERE context = 'rig-args' AND disposition <> 'NO ANSWER'");
    assertNotEquals(0, finalDispositions, "at least one args-race call differs from its (stale) arguments");
  }

  @Test
  void asterisk_that_hangs_up_before_sending_an_environment_stores_nothing_and_server_keeps_serving() throws Exception {
    Transcript empty = Transcript.load("/asterisk/transcripts/args-race/20261122T223130_0019_unknown_nouid.txt");
    assertTrue(empty.env.isEmpty());
    long before = store.count();
    FakeAsterisk.Session s = new FakeAsterisk(agi.localPort()).play(empty);
    assertTrue(s.closedByServer());
    assertEquals(before, store.count());
    Transcript next = transcripts("endbeforehexten-yes").get(0).withUniqueid("9900000001.1");
    assertFalse(play(next).uniqueid().isEmpty());
  }

  /** The second the call's channel was created: its uniqueid's epoch part. */
  static long wholeCallStart(Transcript t) {
    String uid = t.envValue("agi_uniqueid").orElseThrow();
    long created = Long.parseLong(uid.substring(0, uid.indexOf('.')));
    return lastPartOnly(t) ? partStart(t) : created;
  }

  /** The epoch second CDR() inside h started (CDR(start,u), or the local CDR(start) where not recorded). */
  static long partStart(Transcript t) {
    String u = t.variable("CDR(start,u)");
    return u != null && !u.isBlank() ? (long) Double.parseDouble(u) : local(t.variable("CDR(start)")).getEpochSecond();
  }

  /** Whether CDR() inside h is the call's only part (it starts in the uniqueid's second). */
  static boolean lastPartOnly(Transcript t) {
    String uid = t.envValue("agi_uniqueid").orElseThrow();
    return partStart(t) == Long.parseLong(uid.substring(0, uid.indexOf('.')));
  }
}
