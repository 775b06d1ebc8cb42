package dev.postcall.cdr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.channels.FileChannel;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MasterCsvParserTest {
  @TempDir Path dir;

  private List<ParsedLine> parseAll(byte[] content, CsvLayout layout, ZoneId zone) throws IOException {
    Path f = dir.resolve("Master.csv");
    Files.write(f, content);
    List<ParsedLine> out = new ArrayList<>();
    try (FileChannel ch = FileChannel.open(f)) {
      MasterCsvParser.Reader r = new MasterCsvParser(layout, zone).open(ch, "Master.csv", 0, 0);
      for (ParsedLine pl; (pl = r.next()) != null; ) out.add(pl);
    }
    return out;
  }

  private List<ParsedLine> parseAll(String content) throws IOException {
    return parseAll(content.getBytes(StandardCharsets.UTF_8), null, ZoneId.of("UTC"));
  }

  private static CdrRow row(ParsedLine pl) {
    return assertInstanceOf(ParsedLine.Row.class, pl, () -> "malformed: " + pl).row();
  }

  @Test
  void every_real_line_of_both_asterisk_files_parses() throws IOException {
    for (String name : List.of("Master.csv", "Master.endbeforehexten-no.csv")) {
      byte[] bytes = CsvFiles.resource(name);
      List<ParsedLine> lines = parseAll(bytes, null, ZoneId.of("UTC"));
      assertEquals(CsvFiles.realLines(name).size(), lines.size(), name);
      for (ParsedLine pl : lines) {
        CdrRow r = row(pl);
        assertTrue(r.hasUniqueid(), () -> "uniqueid in " + pl);
        assertEquals("DOCUMENTATION", r.amaflags());
      }
      assertEquals(bytes.length, lines.get(lines.size() - 1).endOffset(), "last offset is the file size");
    }
  }

  @Test
  void real_busy_row_reads_doubled_quotes_empty_answer_and_local_time() throws IOException {
    String line = CsvFiles.realLines("Master.csv").get(2) + "\n";
    CdrRow r = row(parseAll(line.getBytes(StandardCharsets.UTF_8), null, ZoneId.of("Europe/Berlin")).get(0));
    assertEquals("\"Rig Caller\" <5550200>", r.clid());
    assertEquals("Local/200@rig-00000026;2", r.channel());
    assertEquals("Local/busy@rig-callee-00000027;1", r.dstchannel());
    assertEquals("Local/busy@rig-callee,20", r.lastdata());
    assertNull(r.answer());
    assertEquals(Instant.parse("2026-11-22T21:29:21Z"), r.start(), "22:29:21 in Berlin (CET) is 21:29:21 UTC");
    assertEquals("BUSY", r.disposition());
    assertEquals("1795386561.77", r.uniqueid());
    assertEquals("rig-200-1795386561.77", r.userfield());
  }

  @Test
  void gmt_times_are_taken_as_utc() throws IOException {
    CdrRow r = row(parseAll(CsvFiles.row("1.1", "200", "2026-07-01 10:00:00", "2026-07-01 10:00:07", 7, "ANSWERED")).get(0));
    assertEquals(Instant.parse("2026-07-01T10:00:07Z"), r.end());
    assertEquals(7, r.duration());
  }

  @Test
  void commas_quotes_and_any_utf8_inside_fields() throws IOException {
    String line = "\"acc\",\"1,2\",\"ü€😀\",\"rig\",\"\"\"O'Brien, \"\"Bob\"\"\"\" <1>\",\"SIP/a-1\",\"\",\"Dial\",\"a,b\","
        + "\"2026-01-01 00:00:00\",,\"2026-01-01 00:00:01\",1,0,\"NO ANSWER\",\"DOCUMENTATION\",\"9.9\",\"x\"\n";
    CdrRow r = row(parseAll(line).get(0));
    assertEquals("1,2", r.src());
    assertEquals("ü€😀", r.dst());
    assertEquals("\"O'Brien, \"Bob\"\" <1>", r.clid());
    assertEquals("a,b", r.lastdata());
  }

  @Test
  void terminal_escape_sequences_in_fields_are_replaced_on_input() throws IOException {
    // an OSC title change, a screen clear and a one-byte C1 CSI in caller id, source and channel
    String line = "\"acc\",\"0301\u001b[2J\",\"100\",\"rig\",\"\u001b]0;owned\u0007Bob\",\"SIP/a-1\u009b31m\",\"\",\"Dial\",\"x\","
        + "\"2026-01-01 00:00:00\",,\"2026-01-01 00:00:01\",1,0,\"NO ANSWER\",\"DOCUMENTATION\",\"9.9\",\"x\"\n";
    CdrRow r = row(parseAll(line).get(0));
    assertEquals("0301\uFFFD[2J", r.src());
    assertEquals("\uFFFD]0;owned\uFFFDBob", r.clid());
    assertEquals("SIP/a-1\uFFFD31m", r.channel());
  }

  @Test
  void line_without_newline_is_left_until_it_is_complete() throws IOException {
    String full = CsvFiles.row("1.1", "200", "2026-01-01 00:00:00", "2026-01-01 00:00:01", 1, "BUSY");
    String half = CsvFiles.row("1.2", "300", "2026-01-01 00:00:00", "2026-01-01 00:00:01", 1, "BUSY");
    List<ParsedLine> lines = parseAll(full + half.substring(0, 40));
    assertEquals(1, lines.size());
    assertEquals(full.getBytes(StandardCharsets.UTF_8).length, lines.get(0).endOffset());

    Path f = dir.resolve("Master.csv");
    CsvFiles.append(f, half.substring(40));
    try (FileChannel ch = FileChannel.open(f)) {
      MasterCsvParser.Reader r = new MasterCsvParser(null, ZoneId.of("UTC")).open(ch, "Master.csv", lines.get(0).endOffset(), 1);
      ParsedLine next = r.next();
      assertEquals("1.2", row(next).uniqueid());
      assertEquals(2, next.line());
      assertNull(r.next());
    }
  }

  @Test
  void bytes_that_are_not_utf8_become_replacement_characters() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    String line = CsvFiles.row("1.1", "200", "2026-01-01 00:00:00", "2026-01-01 00:00:01", 1, "BUSY");
    byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
    int clid = line.indexOf("Rig Caller");
    b.write(bytes, 0, clid);
    b.write(new byte[] {'M', (byte) 0xFC, 'l', 'l', 'e', 'r', (byte) 0xC3}); // Latin-1 ü, a cut-off UTF-8 sequence
    b.write(bytes, clid + "Rig Caller".length(), bytes.length - clid - "Rig Caller".length());
    CdrRow r = row(parseAll(b.toByteArray(), null, ZoneId.of("UTC")).get(0));
    assertTrue(r.clid().startsWith("\"M\uFFFDller\uFFFD\""), r.clid());
    assertEquals("1.1", r.uniqueid());
  }

  @Test
  void ten_kilobyte_field_is_read_whole() throws IOException {
    String big = "x".repeat(10_240);
    String line = CsvFiles.row("1.1", "200", "2026-01-01 00:00:00", "2026-01-01 00:00:01", 1, "BUSY")
        .replace("\"Local/x@rig-callee,20\"", "\"" + big + "\"");
    assertEquals(big, row(parseAll(line).get(0)).lastdata());
  }

  @Test
  void hostile_lines_are_reported_with_line_number_and_reason_and_reading_goes_on() throws IOException {
    String good = CsvFiles.row("1.1", "200", "2026-01-01 00:00:00", "2026-01-01 00:00:01", 1, "BUSY");
    String content = "\"a\",\"b\"\n"                                                       // 2 fields
        + good.replace("\"2026-01-01 00:00:00\"", "\"2026-13-01 00:00:00\"")                  // bad date
        + good.replace(",\"\"\n", ",\"\n")                                                  // unbalanced quote
        + good.replace(",1,0,", ",one,0,")                                                     // bad duration
        + "\n"                                                                                 // empty line
        + good.replace("\"Dial\"", "\"Dial\"x")                                               // text after quote
        + good.replace("\"1.1\"", "\"" + "9".repeat(151) + "\"")                                  // uniqueid too long
        + good.replace("\n", "\r\n");                                                          // CRLF is fine
    List<ParsedLine> lines = parseAll(content);
    assertEquals(8, lines.size());
    String[] reasons = {"2 fields", "bad start time", "unbalanced quote", "bad duration", "empty line", "after the closing quote",
        "uniqueid longer than 150"};
    for (int i = 0; i < reasons.length; i++) {
      ParsedLine.Malformed m = assertInstanceOf(ParsedLine.Malformed.class, lines.get(i));
      assertEquals(i + 1, m.line());
      assertTrue(m.toString().startsWith("Master.csv:" + (i + 1) + ": "), m.toString());
      assertTrue(m.reason().contains(reasons[i]), m.reason());
    }
    assertEquals("1.1", row(lines.get(7)).uniqueid());
  }

  @Test
  void a_line_longer_than_the_buffer_is_skipped_not_cut() throws IOException {
    String good = CsvFiles.row("1.1", "200", "2026-01-01 00:00:00", "2026-01-01 00:00:01", 1, "BUSY");
    String huge = good.replace("\"Local/x@rig-callee,20\"", "\"" + "y".repeat(MasterCsvParser.MAX_LINE + 10) + "\"");
    List<ParsedLine> lines = parseAll(good + huge + good.replace("1.1", "1.3"));
    assertEquals(3, lines.size());
    assertTrue(((ParsedLine.Malformed) lines.get(1)).reason().contains("longer than"));
    assertEquals("1.3", row(lines.get(2)).uniqueid());
    assertEquals(3, lines.get(2).line());
  }

  @Test
  void layouts_from_16_to_21_columns() throws IOException {
    String base = "\"\",\"1\",\"2\",\"rig\",\"\",\"SIP/a-1\",\"\",\"Dial\",\"\",\"2026-01-01 00:00:00\",,\"2026-01-01 00:00:02\",2,0,\"BUSY\",\"DOCUMENTATION\"";
    CdrRow r16 = row(parseAll(base + "\n").get(0));
    assertNull(r16.uniqueid());
    assertEquals("5.5", row(parseAll(base + ",\"5.5\"\n").get(0)).uniqueid());
    CdrRow userfieldOnly = row(parseAll(base + ",\"hello\"\n").get(0));
    assertNull(userfieldOnly.uniqueid());
    assertEquals("hello", userfieldOnly.userfield());
    CdrRow r21 = row(parseAll(base + ",\"5.5\",\"uf\",\"peer\",\"5.1\",7\n").get(0));
    assertEquals("5.1", r21.linkedid());
    assertEquals(7, r21.sequence());
    ParsedLine fixed = parseAll((base + ",\"5.5\"\n").getBytes(StandardCharsets.UTF_8), CsvLayout.parse("uniqueid+userfield"),
        ZoneId.of("UTC")).get(0);
    assertTrue(((ParsedLine.Malformed) fixed).reason().contains("17 fields, expected 18"));
    assertEquals(new CsvLayout(false, true, false), CsvLayout.parse("userfield"));
    assertEquals(21, CsvLayout.parse("21").count());
  }
}
