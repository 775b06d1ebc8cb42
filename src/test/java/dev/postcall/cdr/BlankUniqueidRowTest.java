package dev.postcall.cdr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.call.CallRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.channels.FileChannel;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Found by MasterCsvFuzzTest: a row whose uniqueid field held only whitespace was keyed by that
 * whitespace, {@link StoreBatch#toCall} threw (CallRecord refuses a blank uniqueid), and the
 * importer rolled back its whole batch on every attempt — that row and every call after it in the
 * file never got in. Such a row is keyed like a row without a uniqueid.
 */
class BlankUniqueidRowTest {
  @TempDir Path dir;

  @Test
  void a_row_with_a_blank_uniqueid_becomes_a_call_keyed_like_one_without() throws IOException {
    String line = CsvFiles.row(" \t ", "200", "2026-07-01 10:00:00", "2026-07-01 10:00:07", 7, "ANSWERED");
    Path f = Files.writeString(dir.resolve("Master.csv"), line, StandardCharsets.UTF_8);
    CdrRow row;
    try (FileChannel ch = FileChannel.open(f)) {
      ParsedLine pl = new MasterCsvParser(null, ZoneOffset.UTC).open(ch, "Master.csv", 0, 0).next();
      row = assertInstanceOf(ParsedLine.Row.class, pl).row();
    }
    String key = MergeRows.key(row);
    assertTrue(key.startsWith("csv-"), key);
    CallRecord call = StoreBatch.toCall(key, row, dev.postcall.config.PostcallConfig.Pbx.defaultId());
    assertEquals(key, call.uniqueid());
    assertEquals(1, MergeRows.merge(java.util.List.of(row, row)).size());
  }
}
