package dev.postcall.cli;

import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/** conf/logback.xml writes on a background thread; what is queued must be written before exit. */
final class Logs {
  private Logs() {}

  /** Writes the queued lines and stops logging; call last. */
  static void flush() {
    ILoggerFactory f = LoggerFactory.getILoggerFactory();
    if (f instanceof ch.qos.logback.classic.LoggerContext ctx) ctx.stop();
  }
}
