package dev.postcall.service;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Whatever logs a URL with a password in it (a library included), the line that leaves is masked. */
class LogEncoderRedactTest {
  static String encode(String format, String message) {
    LoggerContext ctx = (LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
    LogEncoder e = new LogEncoder();
    e.setContext(ctx);
    e.setFormat(format);
    e.setPattern("%-5level %logger - %msg%n");
    e.start();
    LoggingEvent ev = new LoggingEvent("x", ctx.getLogger("com.zaxxer.hikari.pool.HikariPool"), Level.WARN, message, null, null);
    return new String(e.encode(ev), StandardCharsets.UTF_8);
  }

  @Test
  void passwords_in_urls_are_masked_in_text_and_json_lines() {
    for (String format : new String[] {"TEXT", "JSON"}) {
      String line = encode(format, "Exception during pool initialization: jdbc:mysql://pc:dbSecret1@db:3306/x?password=dbSecret2&ssl=true");
      assertFalse(line.contains("dbSecret"), line);
      assertTrue(line.contains("pc:****@db") && line.contains("password=****"), line);
    }
    assertTrue(encode("TEXT", "plain line, nothing to hide").contains("plain line, nothing to hide"));
  }
}
