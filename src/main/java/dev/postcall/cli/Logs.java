package dev.postcall.cli;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

  /**
   * Sends standard output — where the logging configuration writes the log — to {@code file}
   * (truncated) and returns the terminal's stream for the caller's own output. Logback's console
   * appender looks up {@code System.out} at every write, so the format and the asynchronous queue
   * stay as configured.
   */
  static PrintStream toFile(Path file) throws IOException {
    if (file.getParent() != null) Files.createDirectories(file.getParent());
    PrintStream terminal = System.out;
    System.setOut(new PrintStream(new FileOutputStream(file.toFile()), true, StandardCharsets.UTF_8));
    return terminal;
  }
}
