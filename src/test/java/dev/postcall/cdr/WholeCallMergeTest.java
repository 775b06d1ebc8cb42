package dev.postcall.cdr;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.postcall.call.CallRecord;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Master.csv rows of one call (as a real Asterisk 22.10.1 wrote them) merged into the whole call. */
class WholeCallMergeTest {
  static CdrRow row(String channel, String dst, String dstchannel, String app, String start, String answer, String end,
      int duration, int billsec, String disposition, String uniqueid, String linkedid, int seq) {
    return new CdrRow("", "5550300", dst, "pc-h", "\"Test Caller\" <5550300>", channel, dstchannel, app, "", t(start), t(answer),
        t(end), duration, billsec, disposition, "DOCUMENTATION", uniqueid, "", "", linkedid, seq);
  }

  static Instant t(String s) {
    return s == null ? null : Instant.parse(s);
  }

  @Test
  void rang_out_and_went_on_spans_both_parts() {
    CdrRow dial = row("Local/300@pc-h-2;2", "300", "Local/ring@pc-callee-3;1", "Dial", "2026-12-06T19:25:38Z", null,
        "2026-12-06T19:25:42Z", 4, 0, "NO ANSWER", "1796585138.5", "1796585138.4", 5);
    CdrRow hangup = row("Local/300@pc-h-2;2", "300", "", "Hangup", "2026-12-06T19:25:42Z", null, "2026-12-06T19:25:42Z", 0,
        0, "FAILED", "1796585138.5", "1796585138.4", 15);
    CdrRow merged = MergeRows.merge(List.of(hangup, dial)).get(0).row();
    assertEquals(Instant.parse("2026-12-06T19:25:38Z"), merged.start());
    assertEquals(Instant.parse("2026-12-06T19:25:42Z"), merged.end());
    assertEquals(4, merged.duration());
    assertEquals(0, merged.billsec());
    assertEquals("NO ANSWER", merged.disposition(), "the Dial row's outcome");
  }

  @Test
  void parallel_rows_of_a_ring_group_are_one_part_the_longest_says_it() {
    CdrRow answered = row("Local/720@pc-legs-h-20;2", "720", "Local/answer@pc-callee-pc-21;1", "Dial", "2026-12-06T19:43:01Z",
        "2026-12-06T19:43:01Z", "2026-12-06T19:43:05Z", 3, 3, "ANSWERED", "1796586181.65", "1796586181.64", 69);
    CdrRow rang = row("Local/720@pc-legs-h-20;2", "720", "Local/ring@pc-callee-pc-22;1", "Dial", "2026-12-06T19:43:01Z",
        null, "2026-12-06T19:43:01Z", 0, 0, "NO ANSWER", "1796586181.65", "1796586181.64", 74);
    CdrRow merged = MergeRows.merge(List.of(answered, rang)).get(0).row();
    assertEquals(3, merged.duration());
    assertEquals(3, merged.billsec());
    assertEquals(Instant.parse("2026-12-06T19:43:05Z"), merged.end());
  }

  @Test
  void a_round_robin_queue_answered_by_its_second_member_is_answered_over_both_parts() {
    // 711 (pc-h) on Asterisk 22.10.1: 3101 rings 3 s, then 3102 answers and talks 3 s; the unanswered row comes first
    CdrRow rang = row("Local/711@pc-h-00000004;2", "711", "Local/3101@pc-qagents-00000005;1", "Queue", "2026-12-06T21:11:14Z",
        null, "2026-12-06T21:11:17Z", 3, 0, "NO ANSWER", "1796591474.9", "1796591474.8", 11);
    CdrRow answered = row("Local/711@pc-h-00000004;2", "711", "Local/3102@pc-qagents-0000000b;1", "Queue", "2026-12-06T21:11:18Z",
        "2026-12-06T21:11:18Z", "2026-12-06T21:11:22Z", 3, 3, "ANSWERED", "1796591474.9", "1796591474.8", 28);
    CdrRow merged = MergeRows.merge(List.of(rang, answered)).get(0).row();
    assertEquals("ANSWERED", merged.disposition(), "answered if any part was");
    assertEquals(Instant.parse("2026-12-06T21:11:14Z"), merged.start());
    assertEquals(8, merged.duration(), "over both parts");
    assertEquals(3, merged.billsec());
    assertEquals("Local/3102@pc-qagents-0000000b;1", merged.dstchannel(), "the member who answered");
    assertEquals("711", merged.dst());
  }

  @Test
  void a_ringall_queue_row_per_member_is_answered_when_one_member_answered() {
    CdrRow a = row("Local/710@pc-h-0;2", "710", "Local/3002@pc-qagents-1;1", "Queue", "2026-12-06T21:11:14Z",
        "2026-12-06T21:11:16Z", "2026-12-06T21:11:20Z", 5, 3, "ANSWERED", "1796591474.1", "1796591474.0", 1);
    CdrRow b = row("Local/710@pc-h-0;2", "710", "Local/3001@pc-qagents-2;1", "Queue", "2026-12-06T21:11:14Z", null,
        "2026-12-06T21:11:16Z", 2, 0, "NO ANSWER", "1796591474.1", "1796591474.0", 6);
    CdrRow c = row("Local/710@pc-h-0;2", "710", "Local/3003@pc-qagents-3;1", "Queue", "2026-12-06T21:11:14Z", null,
        "2026-12-06T21:11:16Z", 2, 0, "NO ANSWER", "1796591474.1", "1796591474.0", 9);
    CdrRow merged = MergeRows.merge(List.of(b, c, a)).get(0).row();
    assertEquals("ANSWERED", merged.disposition());
    assertEquals(5, merged.duration());
    assertEquals(3, merged.billsec());
  }

  @Test
  void two_dials_the_second_answered_is_answered_and_keeps_the_number_dialled_first() {
    CdrRow first = row("Local/800@pc-h-0;2", "800", "Local/ring@pc-callee-1;1", "Dial", "2026-12-06T21:00:00Z", null,
        "2026-12-06T21:00:04Z", 4, 0, "NO ANSWER", "1796590800.1", "1796590800.0", 1);
    CdrRow second = row("Local/800@pc-h-0;2", "801", "Local/answer@pc-callee-2;1", "Dial", "2026-12-06T21:00:04Z",
        "2026-12-06T21:00:04Z", "2026-12-06T21:00:07Z", 3, 3, "ANSWERED", "1796590800.1", "1796590800.0", 5);
    CdrRow merged = MergeRows.merge(List.of(first, second)).get(0).row();
    assertEquals("ANSWERED", merged.disposition());
    assertEquals("800", merged.dst(), "the number dialled first");
    assertEquals(7, merged.duration());
  }

  @Test
  void a_bridge_after_a_redirect_leaves_a_last_s_part_that_is_no_number_and_no_zero_duration() {
    CdrRow talked = row("Local/810@pc-h-0;2", "810", "Local/answer@pc-callee-1;1", "Dial", "2026-12-06T21:00:00Z",
        "2026-12-06T21:00:00Z", "2026-12-06T21:00:05Z", 5, 5, "ANSWERED", "1796590800.1", "1796590800.0", 1);
    CdrRow s = row("Local/810@pc-h-0;2", "s", "", "Bridge", "2026-12-06T21:00:05Z", null, "2026-12-06T21:00:05Z", 0, 0,
        "NO ANSWER", "1796590800.1", "1796590800.0", 9);
    CdrRow merged = MergeRows.merge(List.of(s, talked)).get(0).row();
    assertEquals("810", merged.dst());
    assertEquals(5, merged.duration());
    assertEquals("ANSWERED", merged.disposition());
  }

  @Test
  void unknown_technology_is_chanunavail_as_over_agi_and_legs_are_left_out() {
    CdrRow nosuch = row("Local/501@pc-h-6;2", "501", "", "Dial", "2026-12-06T19:25:38Z", null, "2026-12-06T19:25:38Z", 0, 0,
        "NO ANSWER", "1796585138.13", "1796585138.12", 14);
    CdrRow cancel = row("Local/600@pc-h-7;2", "600", "Local/ring@pc-callee-8;1", "Dial", "2026-12-06T19:25:38Z", null,
        "2026-12-06T19:25:40Z", 2, 0, "NO ANSWER", "1796585138.15", "1796585138.14", 16);
    CdrRow one = row("Local/501@pc-h-6;1", "501", "", "AppDial2", "2026-12-06T19:25:38Z", null, "2026-12-06T19:25:38Z", 0, 0,
        "NO ANSWER", "1796585138.12", "1796585138.12", 13);
    CdrRow leg = row("Local/ring@pc-callee-8;2", "ring", "", "Wait", "2026-12-06T19:25:38Z", null, "2026-12-06T19:25:40Z", 2,
        0, "FAILED", "1796585138.17", "1796585138.14", 17);
    StoreBatch store = new StoreBatch(r -> !r.channel().endsWith(";1"), true, false, new CdrNotices());
    ImportCounts counts = new ImportCounts();
    List<CallRecord> calls = store.calls(List.of(new ParsedLine.Row(one, 1, 1), new ParsedLine.Row(nosuch, 2, 2),
        new ParsedLine.Row(cancel, 3, 3), new ParsedLine.Row(leg, 4, 4)), counts);
    assertEquals(List.of("1796585138.13", "1796585138.15"), calls.stream().map(CallRecord::uniqueid).toList());
    assertEquals("CHANUNAVAIL", calls.get(0).outcome());
    assertEquals("NO ANSWER", calls.get(1).outcome(), "a callee was rung: unanswered");
    assertEquals(2L, counts.skipped);
  }

  @Test
  void rows_in_another_zone_are_moved_back_by_their_uniqueid_and_noticed_once() {
    CdrNotices notices = new CdrNotices();
    StoreBatch store = new StoreBatch(r -> true, true, false, notices).zoneHint("UTC");
    CdrRow berlin = row("Local/101@pc-h-0;2", "101", "Local/answer@pc-callee-1;1", "Dial", "2026-12-06T20:25:38Z",
        "2026-12-06T20:25:38Z", "2026-12-06T20:25:41Z", 3, 3, "ANSWERED", "1796585138.1", "1796585138.1", 1);
    CdrRow fixed = store.inZone(berlin);
    assertEquals(Instant.parse("2026-12-06T19:25:38Z"), fixed.start());
    assertEquals(Instant.parse("2026-12-06T19:25:41Z"), fixed.end());
    store.inZone(berlin);
    assertEquals(1, notices.all().size());
    CdrRow right = row("Local/300@pc-h-2;2", "300", "", "Hangup", "2026-12-06T19:25:42Z", null, "2026-12-06T19:25:42Z", 0, 0,
        "FAILED", "1796585138.5", "1796585138.5", 15);
    assertEquals(right, store.inZone(right), "a later part 4 s after creation is no zone error");
  }

  @Test
  void the_agent_is_the_answered_legs_interface_and_none_for_an_unanswered_call() {
    // 711: the member rung first did not answer; the agent is 3102, whose row comes second
    CdrRow rang = row("Local/711@pc-h-00000004;2", "711", "Local/3101@pc-qagents-00000005;1", "Queue", "2026-12-06T21:11:14Z",
        null, "2026-12-06T21:11:17Z", 3, 0, "NO ANSWER", "1796591474.9", "1796591474.8", 11);
    CdrRow answered = row("Local/711@pc-h-00000004;2", "711", "Local/3102@pc-qagents-0000000b;1", "Queue", "2026-12-06T21:11:18Z",
        "2026-12-06T21:11:18Z", "2026-12-06T21:11:22Z", 3, 3, "ANSWERED", "1796591474.9", "1796591474.8", 28);
    CallRecord queue = StoreBatch.toCall("1796591474.9", MergeRows.merge(List.of(rang, answered)).get(0).row(), "pbx1");
    assertEquals("Local/3102@pc-qagents", queue.agent());

    CdrRow dial = row("PJSIP/trunk-00000001", "101", "PJSIP/201-0000002a", "Dial", "2026-12-06T21:00:00Z",
        "2026-12-06T21:00:02Z", "2026-12-06T21:00:09Z", 9, 7, "ANSWERED", "1796590800.1", "1796590800.1", 1);
    assertEquals("PJSIP/201", StoreBatch.toCall("1796590800.1", dial, "pbx1").agent());

    CdrRow busy = row("PJSIP/trunk-00000002", "200", "PJSIP/202-0000002b", "Dial", "2026-12-06T21:00:00Z", null,
        "2026-12-06T21:00:01Z", 1, 0, "BUSY", "1796590800.2", "1796590800.2", 2);
    assertEquals(null, StoreBatch.toCall("1796590800.2", busy, "pbx1").agent(), "rang, never answered: no agent");
  }

  @Test
  void a_caller_answered_before_the_queue_takes_the_agent_from_the_members_row() {
    // Answer() then Queue(): the caller's own row is answered without a peer; the member's row names it
    CdrRow own = row("PJSIP/trunk-00000003", "712", "", "Queue", "2026-12-06T21:20:00Z", "2026-12-06T21:20:00Z",
        "2026-12-06T21:20:04Z", 4, 4, "ANSWERED", "1796591600.3", "1796591600.3", 1);
    CdrRow member = row("PJSIP/trunk-00000003", "712", "PJSIP/203-0000002c", "Queue", "2026-12-06T21:20:04Z",
        "2026-12-06T21:20:06Z", "2026-12-06T21:20:30Z", 26, 24, "ANSWERED", "1796591600.3", "1796591600.3", 2);
    CallRecord call = StoreBatch.toCall("1796591600.3", MergeRows.merge(List.of(own, member)).get(0).row(), "pbx1");
    assertEquals("PJSIP/203", call.agent());
  }
}
