package dev.postcall.agi;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Collects what postcall's capture code logs, so a test can assert the reason was told. */
final class LogCapture implements AutoCloseable {
  private final Logger logger = (Logger) LoggerFactory.getLogger("dev.postcall.agi");
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final ch.qos.logback.classic.Level level = logger.getLevel();

  LogCapture() {
    appender.start();
    logger.setLevel(ch.qos.logback.classic.Level.DEBUG); // some reasons are told at DEBUG only
    logger.addAppender(appender);
  }

  List<String> lines() {
    // ListAppender appends inside AppenderBase.doAppend, which is synchronized on the appender —
    // not on its list: copying under the list's lock raced with a logging thread (CME in CI).
    synchronized (appender) {
      return appender.list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
    }
  }

  boolean has(String fragment) {
    return lines().stream().anyMatch(l -> l.contains(fragment));
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    logger.setLevel(level);
  }
}
