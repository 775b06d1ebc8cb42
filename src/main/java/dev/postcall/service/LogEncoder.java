package dev.postcall.service;

import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;
import dev.postcall.config.Redact;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The log line format chosen by a property (conf/logback.xml: {@code POSTCALL_LOG_FORMAT=JSON}):
 * TEXT = the {@code pattern}, JSON = logback's {@link JsonEncoder}, one object per line. One
 * appender with a switchable encoder, because logback warns (and then prints its whole status at
 * every start) about an appender defined but not used. Every line passes {@link Redact}: a password
 * inside a URL never reaches the journal, whoever logs it (postcall, HikariCP, Connector/J, CXF).
 */
public final class LogEncoder extends EncoderBase<ILoggingEvent> {
  private String format = "TEXT";
  private String pattern = "%d %-5level [%thread] %logger %X{uniqueid:-} - %msg%n";
  private Encoder<ILoggingEvent> delegate;

  public void setFormat(String format) {
    this.format = format;
  }

  public void setPattern(String pattern) {
    this.pattern = pattern;
  }

  @Override
  public void start() {
    String f = format == null ? "TEXT" : format.strip().toUpperCase(Locale.ROOT);
    if (f.equals("JSON")) {
      JsonEncoder json = new JsonEncoder();
      json.setWithFormattedMessage(true);
      json.setWithMessage(false);
      json.setWithArguments(false);
      delegate = json;
    } else {
      if (!f.equals("TEXT")) addError("log format '" + format + "' unknown (TEXT or JSON): using TEXT");
      PatternLayoutEncoder text = new PatternLayoutEncoder();
      text.setPattern(pattern);
      delegate = text;
    }
    delegate.setContext(getContext());
    delegate.start();
    super.start();
  }

  @Override
  public void stop() {
    if (delegate != null) delegate.stop();
    super.stop();
  }

  @Override
  public byte[] headerBytes() {
    return delegate.headerBytes();
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    byte[] line = delegate.encode(redacted(event));
    Charset cs = delegate instanceof PatternLayoutEncoder p && p.getCharset() != null ? p.getCharset()
        : delegate instanceof JsonEncoder ? StandardCharsets.UTF_8 : Charset.defaultCharset();
    String text = new String(line, cs);
    String safe = Redact.secrets(text);
    return safe.equals(text) ? line : safe.getBytes(cs);
  }

  /** The event with its message redacted (JSON escapes '/', so the encoded line alone would not do). */
  private static ILoggingEvent redacted(ILoggingEvent e) {
    String m = e.getFormattedMessage();
    String safe = Redact.secrets(m);
    if (safe == null || safe.equals(m)) return e;
    return (ILoggingEvent) java.lang.reflect.Proxy.newProxyInstance(ILoggingEvent.class.getClassLoader(),
        new Class<?>[] {ILoggingEvent.class}, (proxy, method, args) -> {
          if (method.getName().equals("getFormattedMessage") && method.getParameterCount() == 0) return safe;
          try {
            return method.invoke(e, args);
          } catch (java.lang.reflect.InvocationTargetException t) {
            throw t.getCause();
          }
        });
  }

  @Override
  public byte[] footerBytes() {
    return delegate.footerBytes();
  }
}
