package dev.postcall.cdr;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.postcall.queue.CallRecord;
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
}
