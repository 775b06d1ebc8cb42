package dev.postcall.agi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.agi.HangupQuery.Field;
import dev.postcall.agi.HangupSession.Step;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The session state machine as the capture loop drives it, with time moved by the test: what each
 * piece of input leads to, and when a session counts as silent.
 */
class HangupSessionTest {
  private static final long TIMEOUT = TimeUnit.SECONDS.toNanos(10);
  private static final String ENV = "agi_network: yes\nagi_network_script: hangup\nagi_request: agi://127.0.0.1/hangup\n"
      + "agi_channel: PJSIP/trunk-00000001\nagi_uniqueid: 1795000000.7\nagi_callerid: 200\nagi_context: rig\nagi_extension: h\n";
  private final AgiProtocol protocol = new AgiProtocol();

  private static HangupSession session(long now) {
    return new HangupSession(InetAddress.getLoopbackAddress(), 40_000, InetAddress.getLoopbackAddress(), 4573, now);
  }

  private Step feed(HangupSession s, String text, long now) {
    return s.received(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), now, protocol);
  }

  private static String answer(String dialStatus) {
    String[] v = new String[Field.values().length];
    Arrays.fill(v, "");
    v[Field.DIALSTATUS.ordinal()] = dialStatus;
    return "200 result=1 (" + String.join("|", v) + ")\n";
  }

  @Test
  void environment_in_pieces_then_the_answer_finishes_the_session_with_its_values() {
    HangupSession s = session(0);
    assertEquals(Step.WAIT, feed(s, ENV.substring(0, 40), 1));
    assertEquals(Step.WAIT, feed(s, ENV.substring(40), 2), "no blank line yet");
    assertEquals(Step.SEND_QUERY, feed(s, "\n", 3));
    assertEquals(Step.WAIT, s.querySent(protocol));
    assertEquals(Step.WAIT, feed(s, "200 result=1 (", 4), "half an answer");
    assertEquals(Step.FINISHED, feed(s, answer("BUSY").substring(14), 5));
    assertEquals("1795000000.7", s.env().uniqueid());
    assertEquals(Map.of(Field.DIALSTATUS, "BUSY"), s.values());
    assertEquals(null, s.outcome(), "the committer sets it");
  }

  @Test
  void answer_arriving_with_the_environment_is_read_once_the_query_is_sent() {
    HangupSession s = session(0);
    assertEquals(Step.SEND_QUERY, feed(s, ENV + "\n" + answer("NOANSWER"), 1));
    assertEquals(Step.FINISHED, s.querySent(protocol));
    assertEquals(Map.of(Field.DIALSTATUS, "NOANSWER"), s.values());
  }

  @Test
  void silent_only_past_the_timeout_counted_from_the_last_bytes_heard() {
    HangupSession s = session(0);
    assertFalse(s.silentPast(TIMEOUT, TIMEOUT), "exactly the timeout: not yet");
    assertTrue(s.silentPast(TIMEOUT + 1, TIMEOUT));
    feed(s, ENV.substring(0, 10), TIMEOUT / 2);
    assertFalse(s.silentPast(TIMEOUT + 1, TIMEOUT), "bytes heard since restart the clock");
    assertTrue(s.silentPast(TIMEOUT / 2 + TIMEOUT + 1, TIMEOUT));
  }

  @Test
  void timeout_after_the_environment_keeps_the_call_from_the_environment() {
    HangupSession s = session(0);
    assertEquals(Step.SEND_QUERY, feed(s, ENV + "\n", 1));
    assertEquals(Step.WAIT, s.querySent(protocol));
    assertTrue(s.silentPast(TIMEOUT + 2, TIMEOUT));
    s.outcome(SessionOutcome.TIMEOUT); // as the loop does before ending it
    assertEquals(Step.FINISHED, s.ended(protocol));
    assertEquals("1795000000.7", s.env().uniqueid());
    assertEquals(Map.of(), s.values());
    assertEquals(SessionOutcome.TIMEOUT, s.outcome(), "the committer's accepted does not replace it");
    assertFalse(s.silentPast(Long.MAX_VALUE, TIMEOUT), "a finished session is not the loop's to time out");
  }

  @Test
  void a_connection_closed_without_a_byte_is_no_request() {
    HangupSession s = session(0);
    assertEquals(Step.CLOSE, s.ended(protocol));
    assertEquals(SessionOutcome.NO_REQUEST, s.outcome());
  }

  @Test
  void requests_we_do_not_serve_are_closed_with_their_reason() {
    HangupSession unknown = session(0);
    assertEquals(Step.CLOSE, feed(unknown, ENV.replace("network_script: hangup", "network_script: bogus") + "\n", 1));
    assertEquals(SessionOutcome.UNKNOWN_SCRIPT, unknown.outcome());
    HangupSession noUid = session(0);
    assertEquals(Step.CLOSE, feed(noUid, ENV.replace("agi_uniqueid: 1795000000.7\n", "") + "\n", 1));
    assertEquals(SessionOutcome.NO_UNIQUEID, noUid.outcome());
    HangupSession http = session(0);
    assertEquals(Step.CLOSE, feed(http, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 1));
    assertEquals(SessionOutcome.NO_SCRIPT, http.outcome());
  }

  @Test
  void a_session_over_a_megabyte_ends_as_too_much_data() {
    HangupSession s = session(0);
    Step step = feed(s, ENV, 1);
    String filler = "agi_x: " + "y".repeat(1_000) + "\n";
    while (step == Step.WAIT) step = feed(s, filler, 2);
    assertEquals(SessionOutcome.TOO_MUCH_DATA, s.outcome());
    assertEquals(Step.FINISHED, step, "the environment so far carried the uniqueid: the call is kept");
  }
}
