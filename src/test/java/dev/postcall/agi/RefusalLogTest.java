package dev.postcall.agi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Refused connections: one line at once, then at most one summary per interval, time moved by the test. */
class RefusalLogTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void first_refusal_is_logged_at_once_the_rest_summed_up_once_per_interval() {
    Logger logger = (Logger) LoggerFactory.getLogger("test.refusals");
    ListAppender<ILoggingEvent> out = new ListAppender<>();
    out.start();
    logger.addAppender(out);
    RefusalLog log = new RefusalLog(logger, 10 * SECOND);

    log.note(SessionOutcome.REFUSED, "10.0.0.1", () -> "first one", 0);
    for (int i = 0; i < 6_000; i++)
      log.note(SessionOutcome.OVER_LIMIT, "127.0.0.1:" + (10_000 + i), () -> "never made", SECOND + i);
    log.note(SessionOutcome.REFUSED, "10.0.0.2", () -> "never made", 2 * SECOND);
    log.flush(9 * SECOND);
    assertEquals(List.of("first one"), messages(out), "nothing more within the interval");

    log.flush(10 * SECOND);
    List<String> m = messages(out);
    assertEquals(2, m.size());
    String summary = m.get(1);
    assertTrue(summary.contains("6001 more connections refused or closed in the last 10 s"), summary);
    assertTrue(summary.contains("1 refused (not in agi.allow)") && summary.contains("6000 over_limit"), summary);
    assertTrue(summary.contains("127.0.0.1:10000, 127.0.0.1:10001") && summary.endsWith("and others"), summary);
    assertEquals(RefusalLog.PEERS_NAMED, summary.split("127\\.0\\.0\\.1:|10\\.0\\.0\\.2").length - 1, summary);

    log.note(SessionOutcome.EVICTED, "127.0.0.1:1", () -> "counted", 11 * SECOND);
    log.flush(19 * SECOND);
    assertEquals(2, messages(out).size(), "within the next interval: counted, not logged");
    log.flush(20 * SECOND);
    assertEquals(3, messages(out).size());
    log.note(SessionOutcome.REFUSED, "10.0.0.3", () -> "after a quiet interval: at once", 31 * SECOND);
    assertEquals("after a quiet interval: at once", messages(out).get(3));
    logger.detachAppender(out);
  }

  private static List<String> messages(ListAppender<ILoggingEvent> out) {
    return out.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }
}
