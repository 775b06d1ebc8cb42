package dev.postcall.agi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.asteriskjava.fastagi.AgiException;
import org.asteriskjava.fastagi.AgiReader;
import org.asteriskjava.fastagi.internal.AgiReaders;
import org.junit.jupiter.api.Test;

/**
 * Found by AgiReaderFuzzTest: asterisk-java reads a reply by calling itself again for each
 * {@code HANGUP} line, so a client sending a few thousand of them overflowed the session thread's
 * stack — a StackOverflowError that no handler catches, and the call in that session was lost
 * without a line in our log. The connection now refuses more than a handful of HANGUP lines with
 * a reason, and the script stores the environment as for any broken answer.
 */
class HangupLineFloodTest {
  @Test
  void thousands_of_hangup_lines_end_the_read_with_a_reason_not_a_stack_overflow() throws Exception {
    String session = "agi_network_script: hangup\nagi_uniqueid: 1.2\n\n" + "HANGUP\n".repeat(100_000)
        + "200 result=1 (x)\n";
    List<String> outcomes = new ArrayList<>();
    try (LogCapture logs = new LogCapture()) {
      AgiConnection conn = new AgiConnection(new BytesSocket(session.getBytes(StandardCharsets.UTF_8)),
          (o, n) -> outcomes.add(o));
      AgiReader reader = AgiReaders.fastAgi(conn);
      assertEquals("1.2", reader.readRequest().getUniqueId());
      AgiException e = assertThrows(AgiException.class, reader::readReply);
      assertTrue(e.getMessage() != null, "asterisk-java gives its reason");
      conn.close();
      assertEquals(List.of("too_much_data"), outcomes);
      assertTrue(logs.has("sent more than " + AgiConnection.MAX_HANGUP_LINES + " HANGUP lines"), logs.lines().toString());
    }
  }

  @Test
  void the_one_hangup_line_asterisk_sends_is_still_read_past() throws Exception {
    String session = "agi_uniqueid: 1.2\n\nHANGUP\n200 result=1 (x)\n";
    AgiReader reader = AgiReaders.fastAgi(new AgiConnection(new BytesSocket(session.getBytes(StandardCharsets.UTF_8)),
        (o, n) -> { }));
    reader.readRequest();
    assertEquals("200 result=1 (x)", reader.readReply().getFirstLine());
  }
}
