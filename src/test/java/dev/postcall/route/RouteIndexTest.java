package dev.postcall.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.postcall.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RouteIndexTest {
  @Test
  void numbers_are_normalised_by_prefix_then_last_digits() {
    CallerNumbers n = new CallerNumbers(List.of("+", "00", "0"), 0);
    assertEquals("33612345678", n.normalise("+33 6 12 34 56 78"));
    assertEquals("33612345678", n.normalise("0033612345678"));
    assertEquals("612345678", n.normalise("0612345678"));
    assertEquals("", n.normalise("anonymous"));
    assertEquals("", n.normalise(null));
    CallerNumbers last9 = new CallerNumbers(List.of(), 9);
    assertEquals("612345678", last9.normalise("+33 (0)6-12-34-56-78".replace("(0)", "")));
    assertEquals("201", last9.normalise("201"));
  }

  @Test
  void agent_is_the_interface_without_sequence_number_or_local_half() {
    assertEquals("PJSIP/201", AgentName.of("PJSIP/201-0000002a"));
    assertEquals("Local/3002@pc-qagents", AgentName.of("Local/3002@pc-qagents-00000001;1"));
    assertEquals("Local/3002@pc-qagents", AgentName.of("Local/3002@pc-qagents-00000001;2"));
    assertEquals("SIP/trunk-out", AgentName.of("SIP/trunk-out-000000ff"));
    assertEquals("PJSIP/201", AgentName.of("PJSIP/201"));
    assertNull(AgentName.of(""));
    assertNull(AgentName.of("PJSIP/2\"01-00000001"), "a quote would break SET VARIABLE");
    assertNull(AgentName.of("garbage"));
  }

  @Test
  void empty_until_ready_then_last_answer_within_the_window() {
    MutableClock clock = new MutableClock(Instant.parse("2026-12-06T10:00:00Z"));
    RouteIndex idx = new RouteIndex(new CallerNumbers(List.of("0"), 0), Duration.ofHours(24), 10, 2, clock);
    idx.answered("0612345678", "PJSIP/201", clock.instant());
    assertEquals(RouteIndex.Answer.EMPTY, idx.answer("0612345678"), "not loaded yet: empty");
    idx.markReady();
    idx.vip(Set.of("612345678"));
    assertEquals(new RouteIndex.Answer("PJSIP/201", "1", "10"), idx.answer("0612345678"));
    // an older answer arriving late does not replace the newer one
    idx.answered("0612345678", "PJSIP/202", clock.instant().minusSeconds(60));
    assertEquals("PJSIP/201", idx.answer("0612345678").lastAgent());
    clock.advance(Duration.ofHours(24).plusSeconds(1));
    assertEquals(new RouteIndex.Answer("", "1", "10"), idx.answer("0612345678"), "past the sticky window");
    assertEquals(0, idx.prune());
    assertEquals(new RouteIndex.Answer("", "0", "2"), idx.answer("0700000000"));
  }
}
