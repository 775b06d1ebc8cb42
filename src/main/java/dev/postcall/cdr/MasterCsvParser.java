package dev.postcall.cdr;

import dev.postcall.SafeText;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads Asterisk's cdr_csv Master.csv: every text field quoted with {@code ""} inside, numbers
 * bare, an unset time an empty field, no header, 16 to 21 fields ({@link CsvLayout}).
 *
 * <p>Hand-written at the byte level rather than fastcsv because the tailer needs what a char-based
 * CSV reader cannot give: the exact <em>byte</em> offset after each complete line (to commit it with
 * the calls), a last line without its newline left unread until it is complete, and line numbers for
 * the error log. It also treats every newline as the end of a record: cdr_csv never writes one
 * inside a field, so an unbalanced quote spoils one line instead of swallowing the rest of the file.
 * Bytes that are not UTF-8 become U+FFFD. Memory is one fixed buffer whatever the file size; a
 * line longer than the buffer (Asterisk drops records over 1024 bytes anyway) is skipped as
 * malformed.
 */
public final class MasterCsvParser {
  /** Longest line read; longer ones are reported and skipped. */
  public static final int MAX_LINE = 1 << 20;
  private static final int MAX_FIELDS = 24;

  private final CsvLayout layout;
  private final ZoneId zone;

  /** @param layout the configured layout, or null to detect it per row */
  public MasterCsvParser(CsvLayout layout, ZoneId zone) {
    this.layout = layout;
    this.zone = zone;
  }

  /** A reader of {@code ch} from byte {@code offset}, which is line {@code line} + 1. */
  public Reader open(SeekableByteChannel ch, String file, long offset, long line) throws IOException {
    ch.position(offset);
    return new Reader(ch, file, offset, line);
  }

  /** Pulls complete lines; {@link #next()} returns null at the end or before an incomplete last line. */
  public final class Reader {
    private final SeekableByteChannel ch;
    private final String file;
    private final ByteBuffer buf = ByteBuffer.allocate(MAX_LINE);
    private final byte[] b = buf.array();
    private final String[] fields = new String[MAX_FIELDS];
    private final byte[] scratch = new byte[MAX_LINE];
    private final TimeParser times = new TimeParser(zone);
    private int pos;
    private int limit;
    private long offset;
    private long line;
    private boolean eof;

    private Reader(SeekableByteChannel ch, String file, long offset, long line) {
      this.ch = ch;
      this.file = file;
      this.offset = offset;
      this.line = line;
    }

    /** Up to {@code max} next lines (fewer at the end of what is complete; empty when none). */
    public List<ParsedLine> next(int max) throws IOException {
      List<ParsedLine> lines = new ArrayList<>(max);
      for (ParsedLine pl; lines.size() < max && (pl = next()) != null; ) lines.add(pl);
      return lines;
    }

    public ParsedLine next() throws IOException {
      boolean tooLong = false;
      int scanned = 0; // bytes after pos known to hold no newline
      while (true) {
        int nl = indexOfNewline(pos + scanned);
        if (nl >= 0) {
          int start = pos;
          pos = nl + 1;
          offset += pos - start;
          line++;
          if (tooLong) return new ParsedLine.Malformed(file, line, offset, "line longer than " + MAX_LINE + " bytes");
          int end = nl > start && b[nl - 1] == '\r' ? nl - 1 : nl;
          return parse(start, end);
        }
        if (eof) return null;
        scanned = limit - pos;
        if (pos == 0 && limit == b.length) {
          // One line fills the whole buffer: drop what we have and keep skipping to its newline.
          offset += limit;
          limit = 0;
          scanned = 0;
          tooLong = true;
        }
        fill();
      }
    }

    private int indexOfNewline(int from) {
      for (int i = from; i < limit; i++) if (b[i] == '\n') return i;
      return -1;
    }

    private void fill() throws IOException {
      if (pos > 0) {
        System.arraycopy(b, pos, b, 0, limit - pos);
        limit -= pos;
        pos = 0;
      }
      buf.limit(b.length).position(limit);
      int n = ch.read(buf);
      if (n <= 0) eof = true;
      else limit += n;
    }

    private ParsedLine parse(int s, int e) {
      if (s == e) return malformed("empty line");
      int n = 0;
      int p = s;
      while (true) {
        if (n == MAX_FIELDS) return malformed("more than " + MAX_FIELDS + " fields");
        if (p < e && b[p] == '"') {
          int q = p + 1;
          int w = 0;
          boolean closed = false;
          while (q < e) {
            byte c = b[q];
            if (c == '"') {
              if (q + 1 < e && b[q + 1] == '"') {
                scratch[w++] = '"';
                q += 2;
                continue;
              }
              closed = true;
              break;
            }
            scratch[w++] = c;
            q++;
          }
          if (!closed) return malformed("unbalanced quote in field " + (n + 1));
          fields[n++] = w == 0 ? "" : field(new String(scratch, 0, w, StandardCharsets.UTF_8));
          p = q + 1;
          if (p < e && b[p] != ',') return malformed("text after the closing quote of field " + n);
        } else {
          int q = p;
          while (q < e && b[q] != ',') q++;
          fields[n++] = q == p ? "" : field(new String(b, p, q - p, StandardCharsets.UTF_8));
          p = q;
        }
        if (p >= e) break;
        p++; // the comma
        if (p == e) {
          if (n == MAX_FIELDS) return malformed("more than " + MAX_FIELDS + " fields");
          fields[n++] = "";
          break;
        }
      }
      return toRow(n);
    }

    private ParsedLine toRow(int n) {
      CsvLayout l = layout != null ? layout : CsvLayout.detect(n, n > 16 ? fields[16] : null);
      if (l == null || l.count() != n)
        return malformed(n + " fields, expected " + (layout != null ? layout.count() : "16 to 21"));
      try {
        int i = 16;
        String uniqueid = l.uniqueid() ? fields[i++] : null;
        String userfield = l.userfield() ? fields[i++] : null;
        String peeraccount = null, linkedid = null;
        Integer sequence = null;
        if (l.newColumns()) {
          peeraccount = fields[i++];
          linkedid = fields[i++];
          sequence = fields[i].isEmpty() ? null : number(fields[i], "sequence");
        }
        // Asterisk's uniqueids are at most 150 characters (AST_MAX_UNIQUEID), the width of calls.uniqueid.
        if (uniqueid != null && uniqueid.length() > 150) return malformed("uniqueid longer than 150 characters");
        Instant start = times.parse(fields[9], "start");
        if (start == null) return malformed("empty start time");
        CdrRow row = new CdrRow(fields[0], fields[1], fields[2], fields[3], fields[4], fields[5], fields[6],
            fields[7], fields[8], start, times.parse(fields[10], "answer"), times.parse(fields[11], "end"),
            number(fields[12], "duration"), number(fields[13], "billsec"), fields[14], fields[15], uniqueid,
            userfield, peeraccount, linkedid, sequence);
        return new ParsedLine.Row(row, line, offset);
      } catch (BadField ex) {
        return malformed(ex.getMessage());
      }
    }

    private ParsedLine malformed(String reason) {
      return new ParsedLine.Malformed(file, line, offset, reason);
    }
  }

  private static int number(String v, String column) {
    if (v.isEmpty() || v.length() > 9) throw new BadField("bad " + column + " '" + printable(v) + "'");
    int n = 0;
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c < '0' || c > '9') throw new BadField("bad " + column + " '" + printable(v) + "'");
      n = n * 10 + (c - '0');
    }
    return n;
  }

  /**
   * Control characters (terminal escapes) become U+FFFD, as on the FastAGI path; a field of only
   * whitespace stays as it is, since blank means absent to the stages (a blank uniqueid is keyed
   * like a missing one).
   */
  private static String field(String s) {
    return s.isBlank() ? s : SafeText.clean(s);
  }

  static String printable(String s) {
    return SafeText.printable(s.length() > 60 ? s.substring(0, 60) + "…" : s);
  }

  /** A field that does not read; the line is reported as malformed. */
  private static final class BadField extends RuntimeException {
    BadField(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * {@code YYYY-MM-DD HH:MM:SS} in the CDR's zone → instant. Rows come in time order, so the zone
   * offset of the last local minute is cached. In the autumn's repeated hour a local time is
   * ambiguous; the earlier offset is taken (Java's rule) — {@code usegmtime=yes} avoids the question.
   */
  private static final class TimeParser {
    private final ZoneId zone;
    private final ZoneOffset fixed;
    private long cachedMinute = Long.MIN_VALUE;
    private ZoneOffset cachedOffset;

    TimeParser(ZoneId zone) {
      this.zone = zone;
      this.fixed = zone instanceof ZoneOffset o ? o : zone.getRules().isFixedOffset() ? zone.getRules().getOffset(Instant.EPOCH) : null;
    }

    Instant parse(String v, String column) {
      if (v.isEmpty()) return null;
      LocalDateTime t;
      try {
        if (v.length() != 19 || v.charAt(4) != '-' || v.charAt(7) != '-' || v.charAt(10) != ' '
            || v.charAt(13) != ':' || v.charAt(16) != ':') throw new DateTimeException(v);
        t = LocalDateTime.of(digits(v, 0, 4), digits(v, 5, 2), digits(v, 8, 2), digits(v, 11, 2),
            digits(v, 14, 2), digits(v, 17, 2));
      } catch (DateTimeException | NumberFormatException e) {
        throw new BadField("bad " + column + " time '" + printable(v) + "'");
      }
      long localSecond = t.toEpochSecond(ZoneOffset.UTC);
      ZoneOffset off = fixed;
      if (off == null) {
        long minute = Math.floorDiv(localSecond, 60);
        if (minute != cachedMinute) {
          cachedOffset = t.atZone(zone).getOffset();
          cachedMinute = minute;
        }
        off = cachedOffset;
      }
      return Instant.ofEpochSecond(localSecond - off.getTotalSeconds());
    }

    private static int digits(String v, int from, int len) {
      int n = 0;
      for (int i = from; i < from + len; i++) {
        char c = v.charAt(i);
        if (c < '0' || c > '9') throw new NumberFormatException(v);
        n = n * 10 + (c - '0');
      }
      return n;
    }
  }
}
