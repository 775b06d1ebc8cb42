package dev.postcall.agi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Found by AgiReaderFuzzTest: asterisk-java reads a reply by calling itself again for each
 * {@code HANGUP} line, so a client sending a few thousand of them overflowed the thread's stack —
 * a StackOverflowError that no handler catches, and the call in that session was lost without a
 * line in our log. A session now refuses more than a handful of HANGUP lines with a reason, and
 * the call is stored from the environment as for any broken answer.
 */
class HangupLineFloodTest {
  private final AgiProtocol protocol = new AgiProtocol();

  @Test
  void thousands_of_hangup_lines_end_the_session_with_a_reason_and_keep_the_call() throws Exception {
    String session = "agi_network_script: hangup\nagi_uniqueid: 1.2\n\n" + "HANGUP\n".repeat(100_000)
        + "200 result=1 (x)\n";
    try (LogCapture logs = new LogCapture()) {
      AgiReaderFuzzTest.Played p = AgiReaderFuzzTest.Played.of(protocol, session.getBytes(StandardCharsets.UTF_8),
          new Random(1), false);
      assertEquals(HangupSession.Step.FINISHED, p.step());
      assertEquals("1.2", p.session().env().uniqueid());
      assertEquals(Map.of(), p.session().values());
      assertEquals(SessionOutcome.TOO_MUCH_DATA, p.session().outcome());
      assertTrue(logs.has("sent more than " + AgiLines.MAX_HANGUP_LINES + " HANGUP lines"), logs.lines().toString());
    }
  }

  @Test
  void the_one_hangup_line_asterisk_sends_is_still_read_past() {
    String[] values = new String[HangupQuery.Field.values().length];
    java.util.Arrays.fill(values, "");
    values[HangupQuery.Field.DIALSTATUS.ordinal()] = "BUSY";
    String answer = "200 result=1 (" + String.join("|", values) + ")";
    String session = "agi_network_script: hangup\nagi_uniqueid: 1.2\n\nHANGUP\n" + answer + "\n";
    AgiReaderFuzzTest.Played p = AgiReaderFuzzTest.Played.of(protocol, session.getBytes(StandardCharsets.UTF_8),
        new Random(1), false);
    assertEquals(HangupSession.Step.FINISHED, p.step());
    assertEquals(Map.of(HangupQuery.Field.DIALSTATUS, "BUSY"), p.session().values(), "the answer after it was read");
    assertEquals(null, p.session().outcome(), "no reason recorded");
  }
}
