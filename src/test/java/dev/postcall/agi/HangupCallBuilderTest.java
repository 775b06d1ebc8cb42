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
}
