package dev.postcall.incident;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.postcall.config.PostcallConfig;
import dev.postcall.config.Settings;
import dev.postcall.call.CallRecord;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DialStatusMappingTest {
  private final PostcallConfig config = PostcallConfig.from(Settings.of(Map.of()));
  private final DialStatusMapping mapping = new DialStatusMapping(config.statusMap(), config.statusDefault());

  @ParameterizedTest(name = "DIALSTATUS {0} -> {1}")
  @CsvSource({
      "ANSWER, answered", "BUSY, busy", "NOANSWER, unanswered", "CANCEL, unanswered",
      "CONGESTION, congestion", "CHANUNAVAIL, impossible", "DONTCALL, unanswered",
      "TORTURE, unanswered", "INVALIDARGS, impossible"})
  void every_dialstatus_maps_to_its_default_status(String dialStatus, String expected) {
    assertEquals(expected, mapping.statusFor(call(dialStatus, "FAILED")));
  }

  @ParameterizedTest(name = "disposition {0} -> {1}")
  @CsvSource({
      "ANSWERED, answered", "NO ANSWER, unanswered", "BUSY, busy", "FAILED, impossible",
      "CONGESTION, congestion"})
  void disposition_is_used_when_dialstatus_is_unset(String disposition, String expected) {
    assertEquals(expected, mapping.statusFor(call(null, disposition)));
  }

  @Test
  void dialstatus_wins_over_disposition_because_h_reads_failed_after_busy() {
    assertEquals("busy", mapping.statusFor(call("BUSY", "FAILED")));
  }

  @Test
  void blank_dialstatus_falls_back_to_disposition() {
    assertEquals("answered", mapping.statusFor(call("  ", "ANSWERED")));
  }

  @ParameterizedTest
  @CsvSource({"no answer", "' No Answer '", "no_answer", "NO  ANSWER"})
  void disposition_spelling_is_normalised(String disposition) {
    assertEquals("unanswered", mapping.statusFor(call(null, disposition)));
  }

  @Test
  void unknown_outcome_maps_to_the_configured_default() {
    assertEquals("unknown", mapping.statusFor(call("SOMETHING_NEW", null)));
  }

  @Test
  void missing_outcome_maps_to_the_configured_default() {
    assertEquals("unknown", mapping.statusFor(call(null, null)));
    assertEquals("unknown", mapping.statusFor(call("", "")));
  }

  @Test
  void configured_values_override_the_defaults_and_keys_are_normalised() {
    PostcallConfig custom = PostcallConfig.from(Settings.of(Map.of(
        "status.NO ANSWER", "missed", "status.ANSWER", "taken", "status.default", "other")));
    DialStatusMapping m = new DialStatusMapping(custom.statusMap(), custom.statusDefault());
    assertEquals("missed", m.statusFor(call(null, "NO ANSWER")));
    assertEquals("taken", m.statusFor(call("ANSWER", null)));
    assertEquals("other", m.statusFor(call("WHATEVER", null)));
  }

  @Test
  void keys_given_in_lower_case_still_match() {
    DialStatusMapping m = new DialStatusMapping(Map.of("no answer", "missed"), "x");
    assertEquals("missed", m.statusFor(call(null, "NO ANSWER")));
  }

  static CallRecord call(String dialStatus, String disposition) {
    return new CallRecord("1795386559.69", null, "Local/101@rig-00000001;2", null, "2001", null, "101",
        "rig", Instant.parse("2026-11-23T10:00:00Z"), null, null, 0, 0, disposition, dialStatus, null,
        null, null, CallRecord.Source.AGI, dev.postcall.config.PostcallConfig.Pbx.defaultId());
  }

  /**
   * Found by DialStatusMappingFuzzTest: the unknown-outcome warning wrote DIALSTATUS and the
   * disposition raw, so a carriage return or newline from the PBX or Master.csv split the log line
   * (and a 100 kB value went into it whole).
   */
  @Test
  void unknown_outcome_warning_stays_one_short_log_line() {
    ch.qos.logback.classic.Logger logger =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(DialStatusMapping.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs =
        new ch.qos.logback.core.read.ListAppender<>();
    logs.start();
    logger.addAppender(logs);
    try {
      assertEquals("unknown", mapping.statusFor(call("X\r\nuniqueid=forged", "Y".repeat(100_000) + "\n")));
    } finally {
      logger.detachAppender(logs);
    }
    assertEquals(1, logs.list.size());
    String line = logs.list.get(0).getFormattedMessage();
    assertEquals(-1, line.indexOf('\n'), line);
    assertEquals(-1, line.indexOf('\r'), line);
    org.junit.jupiter.api.Assertions.assertTrue(line.length() < 1_000, "cut: " + line.length() + " chars");
    org.junit.jupiter.api.Assertions.assertTrue(line.contains("X??uniqueid=forged"), line);
  }

  /** A busy PBX with an unmapped outcome would warn for every call: once per value is enough. */
  @Test
  void an_unmapped_outcome_is_warned_once_per_value() {
    ch.qos.logback.classic.Logger logger =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(DialStatusMapping.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs =
        new ch.qos.logback.core.read.ListAppender<>();
    logs.start();
    logger.addAppender(logs);
    try {
      for (int i = 0; i < 50; i++) assertEquals("unknown", mapping.statusFor(call(null, "TELEPORTED")));
      assertEquals("unknown", mapping.statusFor(call(null, "LEVITATING")));
      assertEquals("unknown", mapping.statusFor(call(null, " teleported ")));
    } finally {
      logger.detachAppender(logs);
    }
    java.util.List<String> warnings = logs.list.stream()
        .filter(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN).map(e -> e.getFormattedMessage()).toList();
    assertEquals(2, warnings.size(), warnings.toString());
    org.junit.jupiter.api.Assertions.assertTrue(warnings.get(0).contains("'TELEPORTED'"), warnings.toString());
    org.junit.jupiter.api.Assertions.assertTrue(warnings.get(1).contains("'LEVITATING'"), warnings.toString());
  }
}
