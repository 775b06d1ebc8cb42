package dev.postcall.agi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.agi.HangupQuery.Field;
import dev.postcall.cdr.CdrNotices;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The whole call's timing and the leg rule over AGI, with values a real Asterisk 22.10.1 answered inside h. */
class HangupTimingTest {
  static HangupCallBuilder.Env env(String uniqueid, String channel) {
    return new HangupCallBuilder.Env(uniqueid, channel, "5550300", "Test Caller", "h", "pc-probe", null, null);
  }

  final CdrNotices notices = new CdrNotices();
  final HangupCallBuilder utc = new HangupCallBuilder(ZoneId.of("UTC"), notices);

  @Test
  void a_call_that_rang_out_and_went_on_starts_at_its_channel_and_lasts_to_the_end() {
    // scenario 300: CDR() in h is the Hangup part that began when Dial timed out after 4 s; its end is still empty
    var b = utc.build(env("1796585198.5", "Local/300@pc-probe-00000002;2"), Map.of(Field.START, "2026-12-06 19:26:42",
        Field.START_EPOCH, "1796585202.476188", Field.ANSWER_EPOCH, "0.000000", Field.END_EPOCH, "0.000000",
        Field.DURATION, "0", Field.BILLSEC, "0", Field.DIALSTATUS, "NOANSWER", Field.LINKEDID, "1796585198.4",
        Field.DST, "300"));
    assertEquals(Instant.parse("2026-12-06T19:26:38Z"), b.call().start(), "the uniqueid's second, not Dial's return");
    assertEquals(4, b.call().duration());
    assertEquals(0, b.call().billsec());
    assertEquals(Instant.parse("2026-12-06T19:26:42.476188Z"), b.call().end());
    assertFalse(b.leg(), "the ;2 half of an originated Local channel is the caller");
    assertEquals(List.of(), notices.all());
  }

  @Test
  void with_endbeforehexten_no_the_h_part_gets_no_made_up_end() {
    var b = utc.build(env("1796585198.5", "Local/300@pc-probe-00000002;2"), Map.of(Field.START_EPOCH, "1796585202.476188",
        Field.END_EPOCH, "0.000000", Field.DURATION, "0", Field.DST, "h", Field.LINKEDID, "1796585198.4"));
    assertEquals(Instant.parse("2026-12-06T19:26:38Z"), b.call().start());
    assertEquals(null, b.call().end(), "the CDR is not final inside h: nothing to take the end from");
    assertEquals(0, b.call().duration(), "what Asterisk said, for want of better");
  }

  @Test
  void a_call_of_one_part_keeps_its_own_figures_to_the_microsecond() {
    var b = utc.build(env("1796585198.1", "Local/101@pc-probe-00000000;2"), Map.of(Field.START, "2026-12-06 19:26:38",
        Field.START_EPOCH, "1796585198.452215", Field.ANSWER_EPOCH, "1796585198.459123", Field.END_EPOCH,
        "1796585201.960606", Field.DURATION, "3", Field.BILLSEC, "3", Field.LINKEDID, "1796585198.0"));
    assertEquals(Instant.parse("2026-12-06T19:26:38.452215Z"), b.call().start());
    assertEquals(Instant.parse("2026-12-06T19:26:41.960606Z"), b.call().end());
    assertEquals(3, b.call().duration());
    assertEquals(3, b.call().billsec());
  }

  /**
   * ScenariosPbxIT's flake on 400: the caller named late in one second, its Dial (CONGESTION at
   * once) and the Hangup part after it stamped in the next; Master.csv says 0 s. Taken for a later
   * part, the start went back to the uniqueid's second and the call lasted 1 s — and Master.csv's
   * view, starting a second after that stored start, looked like later parts only and kept it.
   */
  @Test
  void a_call_that_failed_at_once_across_a_second_boundary_lasts_0_s() {
    var b = utc.build(env("1796607126.7", "Local/400@pc-h-00000003;2"), Map.of(Field.START_EPOCH, "1796607127.004120",
        Field.ANSWER_EPOCH, "0.000000", Field.END_EPOCH, "0.000000", Field.DURATION, "0", Field.BILLSEC, "0",
        Field.DIALSTATUS, "CONGESTION", Field.DST, "400", Field.LINKEDID, "1796607126.6"));
    assertEquals(Instant.parse("2026-12-07T01:32:07.004120Z"), b.call().start());
    assertEquals(0, b.call().duration(), "as Master.csv's rows: Dial CONGESTION 0 s, Hangup FAILED 0 s");
    assertEquals(Instant.parse("2026-12-07T01:32:07.004120Z"), b.call().end());
  }

  /**
   * 200 (pc-hh) in CI: named at 04:01:32, Dial BUSY from :32 to :33 (a few hundred ms), the Hangup
   * part after it at :33; Master.csv says 1 s. A part that begins this far into the next second is a
   * later part, not the first one stamped late.
   */
  @Test
  void a_part_after_a_quick_dial_in_the_next_second_is_a_later_part() {
    var b = utc.build(env("1796616092.27", "Local/200@pc-hh-0000000d;2"), Map.of(Field.START_EPOCH, "1796616093.200000",
        Field.ANSWER_EPOCH, "0.000000", Field.END_EPOCH, "1796616093.200000", Field.DURATION, "0", Field.BILLSEC, "0",
        Field.DIALSTATUS, "BUSY", Field.DST, "200", Field.LINKEDID, "1796616092.26"));
    assertEquals(Instant.parse("2026-12-07T04:01:32Z"), b.call().start());
    assertEquals(1, b.call().duration(), "as Master.csv's rows: Dial BUSY :32-:33, Hangup :33");
  }

  @Test
  void a_cdr_started_just_after_the_uniqueids_second_is_still_the_channels_first_part() {
    // 101 (pc-h) in CI: named at 01:32:06.9xx, CDR start stamped at 01:32:07.0xx; Master.csv says 3 s
    var b = utc.build(env("1796607126.3", "Local/101@pc-h-00000001;2"), Map.of(Field.START_EPOCH, "1796607127.012000",
        Field.ANSWER_EPOCH, "1796607127.020000", Field.END_EPOCH, "1796607130.500000", Field.DURATION, "3",
        Field.BILLSEC, "3", Field.DST, "101", Field.LINKEDID, "1796607125.2"));
    assertEquals(Instant.parse("2026-12-07T01:32:07.012Z"), b.call().start());
    assertEquals(3, b.call().duration());
    assertFalse(b.leg(), "the ;1 half was named in the second before: still this call's own channel");
  }

  @Test
  void an_answered_queue_call_is_answered_with_the_talk_time_though_its_last_part_rang_out() {
    // 710 (pc-h) inside h on Asterisk 22.10.1: Queue sets no DIALSTATUS; the last part is the member 3003's NO ANSWER
    var b = utc.build(env("1796591474.1", "Local/710@pc-h-00000000;2"), Map.of(Field.START_EPOCH, "1796591474.100000",
        Field.END_EPOCH, "1796591476.200000", Field.DURATION, "2", Field.BILLSEC, "0", Field.DISPOSITION, "NO ANSWER",
        Field.ANSWEREDTIME, "3", Field.DST, "710", Field.LINKEDID, "1796591474.0"));
    assertEquals("ANSWER", b.call().dialStatus());
    assertEquals("ANSWER", b.call().outcome());
    assertEquals(3, b.call().billsec(), "the bridge's talk time");
  }

  @Test
  void queue_status_says_why_nobody_answered_and_dialstatus_stays_when_nothing_was_bridged() {
    assertEquals("NOANSWER", HangupCallBuilder.outcome(Map.of(Field.QUEUESTATUS, "TIMEOUT")));
    assertEquals("CHANUNAVAIL", HangupCallBuilder.outcome(Map.of(Field.QUEUESTATUS, "JOINEMPTY")));
    assertEquals("BUSY", HangupCallBuilder.outcome(Map.of(Field.DIALSTATUS, "BUSY", Field.ANSWEREDTIME, "0")));
    assertEquals("ANSWER", HangupCallBuilder.outcome(Map.of(Field.DIALSTATUS, "NOANSWER", Field.ANSWEREDTIME, "4")),
        "talked, then a later Dial rang out: still an answered call");
    assertEquals(null, HangupCallBuilder.outcome(Map.of()));
  }

  @Test
  void s_left_by_a_bridge_after_a_redirect_is_no_called_number() {
    var b = utc.build(new HangupCallBuilder.Env("1796591474.1", "Local/810@pc-h-0;2", "5550810", "T", "s", "pc-h", null, null),
        Map.of(Field.START_EPOCH, "1796591479.100000", Field.END_EPOCH, "1796591479.100000", Field.DURATION, "0",
            Field.DST, "s", Field.ANSWEREDTIME, "5", Field.LINKEDID, "1796591474.0"));
    assertEquals(null, b.call().extension());
    assertEquals(5, b.call().duration(), "from the channel's creation, not the last 0-second part");
  }

  @Test
  void callee_legs_of_a_dial_or_a_queue_are_no_calls() {
    var leg = utc.build(env("1796585198.3", "Local/answer@pc-callee-00000001;2"), Map.of(Field.LINKEDID, "1796585198.0",
        Field.START_EPOCH, "1796585198.456944"));
    assertTrue(leg.leg());
    var member = utc.build(env("1796585198.13", "Local/3001@pc-qagents-00000006;2"), Map.of(Field.LINKEDID, "1796585198.8"));
    assertTrue(member.leg());
    var sip = utc.build(env("1796585198.20", "PJSIP/alice-00000001"), Map.of(Field.LINKEDID, "1796585198.20"));
    assertFalse(sip.leg(), "the first channel of a call");
    var unknown = utc.build(env("1796585198.21", "PJSIP/bob-00000002"), Map.of());
    assertFalse(unknown.leg(), "no linkedid: nothing to tell a leg by, kept");
  }

  @Test
  void a_pbx_in_another_zone_is_noticed_once_and_the_times_stay_right() {
    var b = utc.build(env("1796585198.1", "Local/101@pc-probe-00000000;2"), Map.of(Field.START, "2026-12-06 20:26:38",
        Field.START_EPOCH, "1796585198.452215", Field.END_EPOCH, "1796585201.960606", Field.DURATION, "3"));
    utc.build(env("1796585199.1", "Local/101@pc-probe-00000009;2"), Map.of(Field.START, "2026-12-06 20:26:39",
        Field.START_EPOCH, "1796585199.1", Field.DURATION, "0"));
    assertEquals(Instant.parse("2026-12-06T19:26:38.452215Z"), b.call().start());
    assertEquals(1, notices.all().size(), notices.all().toString());
    assertTrue(notices.all().get(0).startsWith("the PBX's CDR times are UTC+01:00 but cdr.timezone=UTC"), notices.all().toString());
  }

  @Test
  void without_epoch_values_the_local_times_are_read_in_the_configured_zone() {
    var b = new HangupCallBuilder(ZoneId.of("Europe/Berlin")).build(env("sim-1", "SIP/x"), Map.of(Field.START,
        "2026-07-01 12:00:00", Field.DURATION, "5"));
    assertEquals(Instant.parse("2026-07-01T10:00:00Z"), b.call().start());
    assertEquals(5, b.call().duration());
  }

  // POSTCALL_START: the first CDR part's start, kept by the shipped dialplan's postcall-dialled at the call's entry

  static Map<Field, String> with(Map<Field, String> v, Field f, String value) {
    Map<Field, String> out = new java.util.EnumMap<>(v);
    out.put(f, value);
    return out;
  }

  @Test
  void a_dial_failing_within_50_ms_across_a_second_boundary_lasts_from_the_first_part() {
    // named at :32.930, first part from :32.950, Dial BUSY from :32.990 to :33.000, the Hangup part from :33.000
    var env = env("1796616092.27", "Local/200@pc-hh-0000000d;2");
    Map<Field, String> v = Map.of(Field.START_EPOCH, "1796616093.000120", Field.ANSWER_EPOCH, "0.000000",
        Field.END_EPOCH, "0.000000", Field.DURATION, "0", Field.BILLSEC, "0", Field.DIALSTATUS, "BUSY", Field.DST, "200",
        Field.LINKEDID, "1796616092.26");
    var guessed = utc.build(env, v);
    assertEquals(Instant.parse("2026-12-07T04:01:33.000120Z"), guessed.call().start(), "without it: taken for the first part");
    assertEquals(0, guessed.call().duration());
    var exact = utc.build(env, with(v, Field.CALL_START, "1796616092.950000"));
    assertEquals(Instant.parse("2026-12-07T04:01:32.950Z"), exact.call().start());
    assertEquals(1, exact.call().duration(), "as Master.csv's rows: Dial BUSY :32-:33, Hangup :33");
    assertEquals(Instant.parse("2026-12-07T04:01:33.000120Z"), exact.call().end());
    assertEquals(0, exact.call().billsec());
    assertEquals(List.of(), exact.warnings());
  }

  @Test
  void a_dial_failing_in_the_first_parts_second_keeps_the_last_parts_duration() {
    // first part from :32.100, Dial CONGESTION at once, the dialplan plays 2.5 s more: Master.csv's longest row, 2 s
    var b = utc.build(env("1796616092.27", "Local/400@pc-h-0000000d;2"), Map.of(Field.CALL_START, "1796616092.100000",
        Field.START_EPOCH, "1796616092.104000", Field.END_EPOCH, "1796616094.604000", Field.DURATION, "2",
        Field.DIALSTATUS, "CONGESTION", Field.DST, "400", Field.LINKEDID, "1796616092.26"));
    assertEquals(Instant.parse("2026-12-07T04:01:32.100Z"), b.call().start());
    assertEquals(2, b.call().duration());
  }

  /**
   * BoundaryPbxIT 980 (20 calls at once): named at :45, the CDR engine stamped its first part at
   * :46.3, Dial CONGESTION at :47.07; Master.csv's rows :46 and :47, 1 s. The uniqueid's second made it 2 s.
   */
  @Test
  void a_first_part_stamped_300_ms_late_is_still_the_start() {
    var env = env("1796618645.37", "Local/980@pc-boundary-h-0000000f;2");
    Map<Field, String> v = Map.of(Field.START_EPOCH, "1796618647.072000", Field.END_EPOCH, "0.000000",
        Field.DURATION, "0", Field.DIALSTATUS, "CONGESTION", Field.DST, "980", Field.LINKEDID, "1796618645.36");
    assertEquals(2, utc.build(env, v).call().duration(), "without it: from the uniqueid's second");
    var exact = utc.build(env, with(v, Field.CALL_START, "1796618646.300000"));
    assertEquals(Instant.parse("2026-12-07T04:44:06.300Z"), exact.call().start());
    assertEquals(1, exact.call().duration());
    // one part stamped late: its own figures
    var one = utc.build(env("1796607126.3", "Local/101@pc-h-00000001;2"), Map.of(Field.CALL_START, "1796607127.300000",
        Field.START_EPOCH, "1796607127.300000", Field.ANSWER_EPOCH, "1796607127.310000", Field.END_EPOCH,
        "1796607130.800000", Field.DURATION, "3", Field.BILLSEC, "3", Field.DST, "101", Field.LINKEDID, "1796607126.2"));
    assertEquals(Instant.parse("2026-12-07T01:32:07.300Z"), one.call().start());
    assertEquals(3, one.call().duration(), "not 4 from the uniqueid's second");
  }

  @Test
  void a_transfer_that_ran_postcall_dialled_again_keeps_the_first_start() {
    // 810: B talks from :34.2, redirects the caller at :39.1 into a context that runs postcall-dialled
    // again (ExecIf keeps the first value); C talks 3 s; CDR() in h is the last part, from :39.1
    var b = utc.build(env("1796591474.1", "Local/810@pc-h-0;2"), Map.of(Field.CALL_START, "1796591474.080000",
        Field.START_EPOCH, "1796591479.100000", Field.ANSWER_EPOCH, "1796591479.150000", Field.END_EPOCH,
        "1796591482.300000", Field.DURATION, "3", Field.BILLSEC, "3", Field.ANSWEREDTIME, "3", Field.DST, "xfer",
        Field.DIALLED, "810", Field.LINKEDID, "1796591474.0"));
    assertEquals(Instant.parse("2026-12-06T21:11:14.080Z"), b.call().start());
    assertEquals(8, b.call().duration(), ":14 to :22, every part");
    assertEquals("810", b.call().extension());
  }

  @Test
  void an_implausible_value_is_noted_and_the_start_guessed_from_the_uniqueid() {
    var env = env("1796616092.27", "Local/300@pc-h-0000000d;2");
    Map<Field, String> v = Map.of(Field.START_EPOCH, "1796616096.476188", Field.END_EPOCH, "0.000000",
        Field.DURATION, "0", Field.DIALSTATUS, "NOANSWER", Field.DST, "300", Field.LINKEDID, "1796616092.26");
    Instant guess = Instant.parse("2026-12-07T04:01:32Z");
    for (String bad : List.of("1796616096.500000", "1796529692.950000", "yesterday", "1796616092.9e3")) {
      var b = utc.build(env, with(v, Field.CALL_START, bad));
      assertEquals(guess, b.call().start(), bad);
      assertEquals(4, b.call().duration(), bad);
      assertEquals(1, b.warnings().size(), bad + ": " + b.warnings());
      assertTrue(b.warnings().get(0).startsWith("POSTCALL_START '" + bad + "' "), b.warnings().toString());
    }
    assertTrue(utc.build(env, with(v, Field.CALL_START, "1796616096.500000")).warnings().get(0)
        .contains("after the last CDR part's start"));
    assertTrue(utc.build(env, with(v, Field.CALL_START, "1796529692.950000")).warnings().get(0)
        .contains("before the channel was created"));
    // a uniqueid that names no second: the start must still be within MAX_CALL of the last part
    var sim = utc.build(env("sim-1", "SIP/x"), with(v, Field.CALL_START, "1796270492.000000"));
    assertEquals(Instant.parse("2026-12-07T04:01:36.476188Z"), sim.call().start());
    assertTrue(sim.warnings().get(0).contains("more than 2 days before"), sim.warnings().toString());
    // a CDR disabled at the entry: 0.000000, nothing to note
    var off = utc.build(env, with(v, Field.CALL_START, "0.000000"));
    assertEquals(guess, off.call().start());
    assertEquals(List.of(), off.warnings());
  }
}
