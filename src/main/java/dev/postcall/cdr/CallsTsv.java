package dev.postcall.cdr;

import dev.postcall.call.CallRecord;
import dev.postcall.db.Sql;

import static dev.postcall.db.Sql.clip;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;

/**
 * Calls as the bytes {@code LOAD DATA} reads with {@link #FORMAT}: one line per call, the columns
 * of {@link #COLUMNS} separated by tabs, NULL as {@code \N}. Every value is clipped exactly as
 * {@link CallStore} binds it, so both ways of storing a call store the same row.
 *
 * <p>The escaping is what keeps hostile CDR text intact (a caller name is whatever the calling
 * party sent): backslash, tab, newline, carriage return and NUL are written as {@code \\ \t \n \r
 * \0}, which the server turns back into exactly those characters. Nothing else is special without
 * an ENCLOSED BY character — quotes and commas are plain data. The escape bytes are ASCII and never
 * occur inside a UTF-8 multi-byte sequence, so escaping the UTF-8 bytes is safe.
 */
final class CallsTsv {
  /** The calls columns, in CallStore.INSERT_CALL's order. */
  static final List<String> COLUMNS = List.of("uniqueid", "linkedid", "channel", "dst_channel", "caller_number",
      "caller_name", "extension", "context", "start_time", "answer_time", "end_time", "duration_s", "billsec_s",
      "disposition", "dial_status", "recording", "accountcode", "userfield", "source", "received_at", "agent", "pbx_id");

  /** The LOAD DATA clauses that read what this class writes. */
  static final String FORMAT = "CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\'"
      + " LINES TERMINATED BY '\\n' STARTING BY ''";

  private byte[] buf;
  private int len;

  CallsTsv(int expectedCalls) {
    buf = new byte[Math.max(256, expectedCalls * 320)];
  }

  /** The calls, each with {@code receivedAt}, as LOAD DATA input. */
  static byte[] of(List<CallRecord> calls, Instant receivedAt) {
    CallsTsv out = new CallsTsv(calls.size());
    for (CallRecord r : calls) out.add(r, receivedAt);
    return out.bytes();
  }

  void add(CallRecord r, Instant receivedAt) {
    text(clip(r.uniqueid(), 150)).tab();
    text(clip(r.linkedid(), 150)).tab();
    text(clip(r.channel(), 255)).tab();
    text(clip(r.dstChannel(), 255)).tab();
    text(clip(r.callerNumber(), 80)).tab();
    text(clip(r.callerName(), 255)).tab();
    text(clip(r.extension(), 80)).tab();
    text(clip(r.context(), 80)).tab();
    time(r.start()).tab();
    time(r.answer()).tab();
    time(r.end()).tab();
    number(r.duration()).tab();
    number(r.billsec()).tab();
    text(clip(r.disposition(), 32)).tab();
    text(clip(r.dialStatus(), 32)).tab();
    text(clip(r.recording(), 1024)).tab();
    text(clip(r.accountcode(), 80)).tab();
    text(clip(r.userfield(), 255)).tab();
    text(r.source().name()).tab();
    time(receivedAt).tab();
    text(clip(r.agent(), 255)).tab();
    text(r.pbxId()).put((byte) '\n');
  }

  byte[] bytes() {
    return Arrays.copyOf(buf, len);
  }

  private CallsTsv tab() {
    return put((byte) '\t');
  }

  private CallsTsv text(String s) {
    if (s == null) return nul();
    int n = s.length();
    boolean ascii = true;
    for (int i = 0; i < n && ascii; i++) ascii = s.charAt(i) < 0x80;
    if (ascii) {
      for (int i = 0; i < n; i++) escaped((byte) s.charAt(i));
    } else {
      // The JDK's encoder, as Connector/J's setString uses it (a lone surrogate becomes '?').
      for (byte b : s.getBytes(StandardCharsets.UTF_8)) escaped(b);
    }
    return this;
  }

  private void escaped(byte b) {
    switch (b) {
      case '\\' -> put((byte) '\\').put((byte) '\\');
      case '\t' -> put((byte) '\\').put((byte) 't');
      case '\n' -> put((byte) '\\').put((byte) 'n');
      case '\r' -> put((byte) '\\').put((byte) 'r');
      case 0 -> put((byte) '\\').put((byte) '0');
      default -> put(b);
    }
  }

  private CallsTsv number(Integer v) {
    if (v == null) return nul();
    ascii(Integer.toString(v));
    return this;
  }

  /** UTC wall-clock time with milliseconds, as {@link Sql#setInstant} binds it. */
  private CallsTsv time(Instant t) {
    if (t == null) return nul();
    LocalDateTime d = LocalDateTime.ofEpochSecond(t.getEpochSecond(), t.getNano(), ZoneOffset.UTC);
    if (d.getYear() < 1000 || d.getYear() > 9999) { // outside DATETIME's range: let the server judge the usual text
      ascii(Sql.format(t));
      return this;
    }
    digits(d.getYear(), 4).put((byte) '-').digits(d.getMonthValue(), 2).put((byte) '-').digits(d.getDayOfMonth(), 2)
        .put((byte) ' ').digits(d.getHour(), 2).put((byte) ':').digits(d.getMinute(), 2).put((byte) ':')
        .digits(d.getSecond(), 2).put((byte) '.').digits(d.getNano() / 1_000_000, 3);
    return this;
  }

  private CallsTsv digits(int v, int width) {
    ensure(width);
    for (int i = width - 1; i >= 0; i--) {
      buf[len + i] = (byte) ('0' + v % 10);
      v /= 10;
    }
    len += width;
    return this;
  }

  private void ascii(String s) {
    for (int i = 0; i < s.length(); i++) put((byte) s.charAt(i));
  }

  private CallsTsv nul() {
    return put((byte) '\\').put((byte) 'N');
  }

  private CallsTsv put(byte b) {
    ensure(1);
    buf[len++] = b;
    return this;
  }

  private void ensure(int n) {
    if (len + n > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
  }
}
