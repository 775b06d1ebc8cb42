package dev.postcall.agi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.agi.HangupQuery.Field;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HangupCallBuilderTest {
  static final HangupCallBuilder.Env ENV = new HangupCallBuilder.Env("1.2", "PJSIP/a-1", "100", "Alice", "h",
      "from-internal", null, null);
  final HangupCallBuilder berlin = new HangupCallBuilder(ZoneId.of("Europe/Berlin"));

  @Test
  void cdr_local_times_are_converted_with_the_configured_zone() {
    var b = berlin.build(ENV, Map.of(Field.START, "2026-07-01 12:00:00", Field.END, "2026-01-15 08:30:05"));
    assertEquals(Instant.parse("2026-07-01T10:00:00Z"), b.call().start(), "CEST is UTC+2");
    assertEquals(Instant.parse("2026-01-15T07:30:05Z"), b.call().end(), "CET is UTC+1");
    assertNull(b.call().answer(), "unanswered: no answer time");
    assertTrue(b.warnings().isEmpty(), b.warnings().toString());
  }

  @Test
  void dialled_extension_is_the_cdr_dst_not_the_h_of_the_hangup_extension() {
    assertEquals("200", berlin.build(ENV, Map.of(Field.DST, "200")).call().extension());
    assertNull(berlin.build(ENV, Map.of(Field.DST, "h")).call().extension(), "endbeforehexten=no");
    assertEquals("from-internal", berlin.build(ENV, Map.of()).call().context());
    assertEquals("rig", berlin.build(ENV, Map.of(Field.DCONTEXT, "rig")).call().context());
  }

  @Test
  void the_number_dialled_first_wins_over_the_dst_a_transfer_rewrote() {
    assertEquals("810", berlin.build(ENV, Map.of(Field.DST, "xfer", Field.DIALLED, "810")).call().extension());
    assertEquals("xfer", berlin.build(ENV, Map.of(Field.DST, "xfer", Field.DIALLED, "s")).call().extension(), "s is no number");
  }

  @Test
  void a_postcall_dialled_copy_without_postcall_start_is_told_once_and_cleared_when_the_line_arrives() {
    var notices = new dev.postcall.cdr.CdrNotices();
    var b = new HangupCallBuilder(ZoneId.of("UTC"), notices);
    b.build(ENV, Map.of(Field.DST, "200"));
    assertEquals(java.util.List.of(), notices.all(), "no postcall-dialled at all: nothing to say");
    b.build(ENV, Map.of(Field.DST, "200", Field.DIALLED, "200"));
    b.build(ENV, Map.of(Field.DST, "201", Field.DIALLED, "201"));
    assertEquals(1, notices.all().size());
    assertTrue(notices.detail().contains("POSTCALL_START"), notices.detail());
    b.build(ENV, Map.of(Field.DST, "200", Field.DIALLED, "200", Field.CALL_START, "1796616092.100000"));
    assertEquals("ok", notices.detail());
  }

  @Test
  void a_retriever_whom_the_bridge_gave_the_callers_linkedid_is_a_call_when_postcall_dialled_marked_it() {
    var retriever = new HangupCallBuilder.Env("1796598366.29", "PJSIP/r-1", "201", null, "h", "from-internal", null, null);
    Map<Field, String> v = new java.util.HashMap<>(Map.of(Field.LINKEDID, "1796598364.8", Field.DST, "831"));
    assertTrue(berlin.build(retriever, v).leg(), "unmarked: the linkedid says leg");
    v.put(Field.DIALLED, "831");
    assertTrue(!berlin.build(retriever, v).leg(), "marked at its start: a person's call");
  }

  @Test
  void a_retriever_lasts_until_its_hangup_when_its_last_cdr_part_ended_at_the_bridge() {
    var retriever = new HangupCallBuilder.Env("1796598366.29", "PJSIP/r-1", "201", null, "h", "from-internal", null, null);
    var c = berlin.build(retriever, Map.of(Field.START_EPOCH, "1796598366.100000", Field.ANSWER_EPOCH, "1796598368.000000",
        Field.END_EPOCH, "1796598368.200000", Field.DURATION, "2", Field.BILLSEC, "0", Field.NOW, "1796598371",
        Field.DIALLED, "831")).call();
    assertEquals(Instant.ofEpochSecond(1796598371), c.end());
    assertEquals(5, c.duration());
    assertEquals(3, c.billsec());
    // an ordinary call whose h runs within a second of its end keeps the CDR's figures
    var plain = berlin.build(retriever, Map.of(Field.START_EPOCH, "1796598366.100000", Field.END_EPOCH, "1796598368.200000",
        Field.DURATION, "2", Field.NOW, "1796598369")).call();
    assertEquals(2, plain.duration());
  }

  @Test
  void a_picker_keeps_the_uniqueid_it_started_with_and_is_answered() {
    // the h of a picker runs on the channel the pickup renamed to the ringing leg's name and uniqueid
    var leftover = new HangupCallBuilder.Env("1796598365.6", "Local/pickme@agents-3;1", "202", null, "h", "from-internal", null, null);
    var b = berlin.build(leftover, Map.of(Field.FIRST_UNIQUEID, "1796598365.25", Field.DIALLED, "821",
        Field.LINKEDID, "1796598364.4", Field.DISPOSITION, "NO ANSWER"));
    assertEquals("1796598365.25", b.call().uniqueid());
    assertEquals("ANSWER", b.call().dialStatus());
    assertEquals("821", b.call().extension());
    assertTrue(!b.leg());
  }

  @Test
  void a_picker_starts_at_its_own_postcall_start_not_at_the_picked_up_legs_part() {
    // POSTCALL_START is the picker's variable (set at its entry); CDR() is the ringing leg's, begun a second earlier
    var leftover = new HangupCallBuilder.Env("1796598364.6", "Local/pickme@agents-3;1", "202", null, "h", "from-internal", null, null);
    Map<Field, String> v = Map.of(Field.FIRST_UNIQUEID, "1796598365.25", Field.DIALLED, "821", Field.LINKEDID, "1796598364.4",
        Field.START_EPOCH, "1796598364.500000", Field.END_EPOCH, "1796598365.720000", Field.DURATION, "1");
    var guessed = berlin.build(leftover, v);
    assertEquals(Instant.parse("2026-12-06T23:06:04.500Z"), guessed.call().start(), "without it: before the picker existed");
    Map<Field, String> withStart = new java.util.EnumMap<>(v);
    withStart.put(Field.CALL_START, "1796598365.700000");
    var b = berlin.build(leftover, withStart);
    assertEquals("1796598365.25", b.call().uniqueid());
    assertEquals(Instant.parse("2026-12-06T23:06:05.700Z"), b.call().start());
    assertEquals(0, b.call().duration(), "from its own start to the end");
    assertEquals(java.util.List.of(), b.warnings());
  }

  @Test
  void odd_values_are_kept_with_a_warning() {
    var b = berlin.build(ENV, Map.of(Field.START, "yesterday", Field.DURATION, "-3", Field.BILLSEC, "x",
        Field.USERFIELD, "a\u0000b"));
    assertNull(b.call().start());
    assertNull(b.call().duration());
    assertNull(b.call().billsec());
    assertEquals("a\uFFFDb", b.call().userfield());
    assertEquals(4, b.warnings().size(), b.warnings().toString());
  }

  @Test
  void terminal_escapes_are_replaced_c1_included() {
    var b = berlin.build(ENV, Map.of(Field.USERFIELD, "\u001b]0;owned\u0007x\u009b31m"));
    assertEquals("\uFFFD]0;owned\uFFFDx\uFFFD31m", b.call().userfield());
  }

  @Test
  void recording_argument_overrides_the_channel_variable() {
    var env = new HangupCallBuilder.Env("1.2", null, null, null, null, null, null, "/rec/from-arg.wav");
    assertEquals("/rec/from-arg.wav", berlin.build(env, Map.of(Field.RECORDING, "/rec/x.wav")).call().recording());
  }

  @Test
  void endbeforehexten_no_zero_durations_stay_zero() {
    var b = berlin.build(ENV, Map.of(Field.DURATION, "0", Field.BILLSEC, "0", Field.DISPOSITION, "NO ANSWER"));
    assertEquals(0, b.call().duration());
    assertEquals(0, b.call().billsec());
    assertNull(b.call().end());
    assertNull(b.call().dialStatus(), "DIALSTATUS unset: answered without Dial");
  }

  @Test
  void the_queue_member_who_answered_is_the_agent_not_the_last_member_rung() {
    // ringall: CDR() in h is the last member's row (3003, never answered); MEMBERINTERFACE names 3002
    var b = berlin.build(ENV, Map.of(Field.DISPOSITION, "NO ANSWER", Field.ANSWEREDTIME, "3",
        Field.DSTCHANNEL, "Local/3003@pc-qagents-00000009;1", Field.MEMBERINTERFACE, "Local/3002@pc-qagents/n"));
    assertEquals("Local/3002@pc-qagents", b.call().agent());
    assertEquals("PJSIP/204", berlin.build(ENV, Map.of(Field.MEMBERINTERFACE, "PJSIP/204")).call().agent());
  }

  @Test
  void an_answered_dial_has_its_peers_device_as_the_agent() {
    var b = berlin.build(ENV, Map.of(Field.DISPOSITION, "ANSWERED", Field.DIALSTATUS, "ANSWER", Field.ANSWEREDTIME, "7",
        Field.DSTCHANNEL, "PJSIP/201-0000002a"));
    assertEquals("PJSIP/201", b.call().agent());
    var local = berlin.build(ENV, Map.of(Field.DIALSTATUS, "ANSWER", Field.DSTCHANNEL, "Local/answer@pc-callee-00000003;1"));
    assertEquals("Local/answer@pc-callee", local.call().agent());
    // a ring group: CDR() in h is the last leg rung; Dial names the one that answered
    var group = berlin.build(ENV, Map.of(Field.DIALSTATUS, "ANSWER", Field.DSTCHANNEL, "PJSIP/202-0000002c",
        Field.DIALEDPEERNAME, "PJSIP/201-0000002b"));
    assertEquals("PJSIP/201", group.call().agent());
  }

  @Test
  void nobody_answered_no_agent_even_with_a_channel_rung() {
    assertNull(berlin.build(ENV, Map.of(Field.DIALSTATUS, "NOANSWER", Field.DSTCHANNEL, "PJSIP/201-0000002a")).call().agent());
    assertNull(berlin.build(ENV, Map.of(Field.DIALSTATUS, "BUSY", Field.DSTCHANNEL, "PJSIP/202-0000002b")).call().agent());
    assertNull(berlin.build(ENV, Map.of(Field.QUEUESTATUS, "TIMEOUT", Field.DSTCHANNEL, "Local/3001@pc-qagents-1;1"))
        .call().agent(), "the queue gave up");
    assertNull(berlin.build(ENV, Map.of(Field.DISPOSITION, "ANSWERED")).call().agent(), "answered without Dial: no peer");
    assertNull(berlin.build(ENV, Map.of(Field.DIALSTATUS, "ANSWER", Field.DSTCHANNEL, "PJSIP/2\"01-1")).call().agent(),
        "nothing a dial string must not carry");
  }
}
