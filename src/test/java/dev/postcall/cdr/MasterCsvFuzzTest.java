package dev.postcall.cdr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.fuzz.Fuzz;
import dev.postcall.fuzz.Inputs;
import dev.postcall.call.CallRecord;
import dev.postcall.sim.CdrCsvWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzz target: the Master.csv parser and what follows it (selection, merge, the call a row
 * becomes). Each input is one line of a generated file: a row written by the simulator's
 * {@link CdrCsvWriter} with generated field values (quotes, commas, unicode, long text), a line
 * that is malformed for sure (unbalanced quote, wrong column count, bad number or time, empty,
 * longer than {@link MasterCsvParser#MAX_LINE}), or a mutated real line from the rig's Master.csv
 * (truncated, garbage and non-UTF-8 bytes, a newline or quote inserted). The file is read through
 * a channel that returns random short reads. Properties: no exception escapes; one result per
 * line with its exact line number and end offset; each malformed line has a reason; every
 * writer-generated row reads back with the exact values written; every row that parses can be
 * selected, merged and turned into a call without an exception.
 */
class MasterCsvFuzzTest {
  private static final int LINES_PER_FILE = 400;
  @TempDir Path dir;
  private AutoCloseable quiet;

  @BeforeEach
  void quiet() {
    quiet = Fuzz.quiet("dev.postcall.cdr");
  }

  @AfterEach
  void loud() throws Exception {
    quiet.close();
  }

  /** What a generated line must read as. */
  private record Expect(String kind, CdrCsvWriter.Row row, byte[] bytes) {}

  @Test
  void every_line_reads_as_its_row_or_a_reason_and_nothing_escapes() throws IOException {
    List<String> real = new ArrayList<>(CsvFiles.realLines("Master.csv"));
    real.addAll(CsvFiles.realLines("Master.endbeforehexten-no.csv"));
    CallSelector selector = new CallSelector(List.of(), List.of("Local/*;1"), List.of("AppDial", "AppDial2"));
    Fuzz fuzz = Fuzz.start("master-csv", 20_000);
    long rows = 0;
    for (int first = 0; first < fuzz.inputs(); first += LINES_PER_FILE) {
      int last = Math.min(fuzz.inputs(), first + LINES_PER_FILE);
      Path file = dir.resolve("Master-" + first + ".csv");
      CdrCsvWriter writer = new CdrCsvWriter(file, ZoneOffset.UTC);
      List<Expect> expected = new ArrayList<>();
      List<Integer> inputOf = new ArrayList<>();
      for (int i = first; i < last; i++) {
        if (!fuzz.runs(i)) continue;
        Random r = fuzz.random(i);
        Expect e = generate(r, real);
        if (e.row() != null) writer.append(List.of(e.row()));
        else Files.write(file, e.bytes(), java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        // a mutated line may hold more than one newline: each piece is a line of its own
        int pieces = e.row() != null ? 1 : Math.max(1, count(e.bytes(), (byte) '\n'));
        for (int k = 0; k < pieces; k++) {
          expected.add(k == 0 ? e : new Expect("piece", null, null));
          inputOf.add(i);
        }
        fuzz.ran();
      }
      if (expected.isEmpty()) continue;
      byte[] content = Files.readAllBytes(file);
      List<ParsedLine> parsed = new ArrayList<>();
      int firstInput = inputOf.get(0);
      fuzz.check(firstInput, "file of inputs " + first + ".." + (last - 1), () -> {
        try (SeekableByteChannel ch = new ShortReads(content, fuzz.random(firstInput))) {
          MasterCsvParser.Reader reader = new MasterCsvParser(null, ZoneOffset.UTC).open(ch, file.toString(), 0, 0);
          for (ParsedLine pl; (pl = reader.next()) != null; ) parsed.add(pl);
        }
        assertEquals(expected.size(), parsed.size(), "one result per line");
      });
      long offset = 0;
      List<CdrRow> good = new ArrayList<>();
      for (int k = 0; k < parsed.size(); k++) {
        ParsedLine pl = parsed.get(k);
        Expect e = expected.get(k);
        int nl = indexOf(content, (byte) '\n', (int) offset);
        long end = nl + 1;
        long lineNo = k + 1;
        byte[] lineBytes = Arrays.copyOfRange(content, (int) offset, nl);
        fuzz.check(inputOf.get(k), lineBytes, () -> {
          assertEquals(lineNo, pl.line(), "line number");
          assertEquals(end, pl.endOffset(), "end offset");
          if (pl instanceof ParsedLine.Malformed m) {
            fuzz.rejected();
            assertNotNull(m.reason());
            assertFalse(m.reason().isBlank(), "a reason");
            assertTrue(m.toString().startsWith(file + ":" + lineNo + ": "), m.toString());
            assertFalse(m.reason().chars().anyMatch(c -> c == '\n' || c == '\r' || c == 0), "reason fit for a log line");
            assertFalse(e.kind().equals("row"), "a written row was refused: " + m.reason());
          } else {
            CdrRow row = assertInstanceOf(ParsedLine.Row.class, pl).row();
            for (String v : java.util.Arrays.asList(row.clid(), row.src(), row.dst(), row.channel(), row.lastdata(),
                row.uniqueid(), row.userfield(), row.disposition()))
              assertFalse(v != null && !v.isBlank() && dev.postcall.SafeText.hasControl(v), "a control character reached a field: " + row);
            assertFalse(e.kind().equals("malformed"), "a malformed line was read as a row: " + row);
            if (e.kind().equals("row")) assertRoundTrip(e.row(), row);
            // selection, merge key and the call a row becomes never throw
            selector.isCall(row);
            String key = MergeRows.key(row);
            CallRecord call = StoreBatch.toCall(key, row, dev.postcall.config.PostcallConfig.Pbx.defaultId());
            assertEquals(key, call.uniqueid());
            good.add(row);
          }
        });
        offset = end;
      }
      rows += good.size();
      List<CdrRow> batch = good;
      fuzz.check(firstInput, "merge of file " + first, () -> {
        for (MergeRows.Merged m : MergeRows.merge(batch)) StoreBatch.toCall(m.key(), m.row(), dev.postcall.config.PostcallConfig.Pbx.defaultId());
      });
    }
    System.out.println("master-csv rows read: " + rows);
    fuzz.finish();
  }

  /** Text fields come back as written, control characters replaced (SafeText.clean on input). */
  private static void assertRoundTrip(CdrCsvWriter.Row w, CdrRow r) {
    assertEquals(clean(w.accountcode()), r.accountcode());
    assertEquals(clean(w.src()), r.src());
    assertEquals(clean(w.dst()), r.dst());
    assertEquals(clean(w.dcontext()), r.dcontext());
    assertEquals(clean(w.clid()), r.clid());
    assertEquals(clean(w.channel()), r.channel());
    assertEquals(clean(w.dstchannel()), r.dstchannel());
    assertEquals(clean(w.lastapp()), r.lastapp());
    assertEquals(clean(w.lastdata()), r.lastdata());
    assertEquals(w.start(), r.start());
    assertEquals(w.answer(), r.answer());
    assertEquals(w.end(), r.end());
    assertEquals(w.duration(), r.duration());
    assertEquals(w.billsec(), r.billsec());
    assertEquals(clean(w.disposition()), r.disposition());
    assertEquals(clean(w.amaflags()), r.amaflags());
    assertEquals(clean(w.uniqueid()), r.uniqueid());
    assertEquals(clean(w.userfield()), r.userfield());
  }

  private static String clean(String s) {
    return s == null || s.isBlank() ? s : dev.postcall.SafeText.clean(s);
  }

  private static Expect generate(Random r, List<String> real) {
    int kind = r.nextInt(10);
    if (kind < 4) return new Expect("row", row(r), null);
    if (kind < 7) return new Expect("malformed", null, malformed(r, real));
    return new Expect("mutated", null, mutated(r, real));
  }

  /** A row the writer can write and the parser must read back exactly. */
  static CdrCsvWriter.Row row(Random r) {
    Instant start = Instant.ofEpochSecond(r.nextInt(Integer.MAX_VALUE));
    Instant answer = r.nextBoolean() ? null : start.plusSeconds(r.nextInt(100));
    Instant end = r.nextInt(5) == 0 ? null : start.plusSeconds(r.nextInt(10_000));
    String uid = r.nextInt(10) == 0 ? field(r, 150) : start.getEpochSecond() + "." + r.nextInt(100_000);
    return new CdrCsvWriter.Row(field(r, 20), field(r, 20), field(r, 20), field(r, 20), field(r, 40), field(r, 60),
        field(r, 60), Inputs.pick(r, "Dial", "Hangup", "AppDial", "Wait", "Busy", field(r, 10)), field(r, 60),
        start, answer, end, r.nextInt(1_000_000_000), r.nextInt(1_000_000_000),
        Inputs.pick(r, "ANSWERED", "NO ANSWER", "BUSY", "FAILED", "CONGESTION", field(r, 12)), "DOCUMENTATION", uid,
        r.nextInt(50) == 0 ? field(r, 20_000) : field(r, 60));
  }

  /** Text cdr_csv could write: anything but a newline, no lone surrogates (UTF-8 cannot carry them). */
  private static String field(Random r, int max) {
    String s = Inputs.text(r, max).replace('\n', ' ');
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && b.length() < max; i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        if (b.length() + 2 > max) break;
        b.append(c).append(s.charAt(++i));
      } else if (!Character.isSurrogate(c)) {
        b.append(c);
      }
    }
    return b.toString();
  }

  /** A line the parser must refuse, whatever else it holds. */
  private static byte[] malformed(Random r, List<String> real) {
    String base = Inputs.pick(r, real);
    String line = switch (r.nextInt(8)) {
      case 0 -> base + ",\"unclosed" + Inputs.text(r, 5).replace("\"", "").replace("\n", "");
      case 1 -> String.join(",", Arrays.copyOf(base.split(",", -1), r.nextInt(12))); // too few fields
      case 2 -> base + ",\"x\"".repeat(4 + r.nextInt(30)); // 22 or more fields
      case 3 -> base.replaceFirst(",(\\d+),(\\d+),", ",$1x,$2,"); // a duration that is not a number
      case 4 -> base.replaceFirst("\"20(\\d\\d)-", "\"2O$1-"); // a start time that is not a time
      case 5 -> "";
      case 6 -> base.replaceFirst("\",\"", "\"x\",\""); // text after a closing quote
      default -> r.nextInt(40) == 0 ? "\"" + "y".repeat(MasterCsvParser.MAX_LINE + r.nextInt(1000)) + "\""
          : "x".repeat(r.nextInt(3)) + ",".repeat(r.nextInt(15));
    };
    return (line + (r.nextBoolean() ? "\n" : "\r\n")).getBytes(StandardCharsets.UTF_8);
  }

  /** A real line with random damage; it may or may not still read as a row. */
  private static byte[] mutated(Random r, List<String> real) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    byte[] line = Inputs.pick(r, real).getBytes(StandardCharsets.UTF_8);
    List<Byte> bytes = new ArrayList<>();
    for (byte x : line) bytes.add(x);
    int edits = 1 + r.nextInt(4);
    for (int k = 0; k < edits && !bytes.isEmpty(); k++) {
      int at = r.nextInt(bytes.size());
      switch (r.nextInt(8)) {
        case 0 -> bytes.subList(at, bytes.size()).clear(); // truncated
        case 1 -> bytes.set(at, (byte) r.nextInt(256)); // one byte flipped
        case 2 -> { for (byte x : Inputs.badUtf8(r)) bytes.add(at, x); }
        case 3 -> bytes.add(at, (byte) Inputs.pick(r, "\"", ",", "\r", "\0", "\n").charAt(0));
        case 4 -> bytes.remove(at);
        case 5 -> { for (byte x : Inputs.text(r, 20).getBytes(StandardCharsets.UTF_8)) bytes.add(at, x); }
        case 6 -> { for (int n = 0; n < 3 + r.nextInt(5); n++) bytes.add(at, (byte) ','); }
        default -> { for (byte x : "\"\"".getBytes(StandardCharsets.UTF_8)) bytes.add(at, x); }
      }
    }
    for (byte x : bytes) b.write(x);
    b.write('\n');
    return b.toByteArray();
  }

  private static int count(byte[] b, byte c) {
    int n = 0;
    for (byte x : b) if (x == c) n++;
    return n;
  }

  private static int indexOf(byte[] b, byte c, int from) {
    for (int i = from; i < b.length; i++) if (b[i] == c) return i;
    return -1;
  }

  /** A read-only channel over bytes that hands out random short reads, as a growing file can. */
  static final class ShortReads implements SeekableByteChannel {
    private final byte[] data;
    private final Random r;
    private long pos;
    private boolean open = true;

    ShortReads(byte[] data, Random r) {
      this.data = data;
      this.r = r;
    }

    @Override
    public int read(ByteBuffer dst) {
      if (pos >= data.length) return -1;
      int n = (int) Math.min(Math.min(dst.remaining(), data.length - pos), 1 + r.nextInt(r.nextBoolean() ? 64 : 1 << 20));
      dst.put(data, (int) pos, n);
      pos += n;
      return n;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      throw new IOException("read-only");
    }

    @Override
    public long position() {
      return pos;
    }

    @Override
    public SeekableByteChannel position(long p) {
      pos = p;
      return this;
    }

    @Override
    public long size() {
      return data.length;
    }

    @Override
    public SeekableByteChannel truncate(long size) throws IOException {
      throw new IOException("read-only");
    }

    @Override
    public boolean isOpen() {
      return open;
    }

    @Override
    public void close() {
      open = false;
    }
  }
}
