package dev.postcall.cdr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.call.CallRecord;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real Master.csv, context rig → the nine calls of NOTES.md. */
class NineCallsTest {
  @TempDir Path dir;

  private Map<String, CallRecord> calls(String resource) throws IOException {
    Path f = dir.resolve(resource);
    Files.write(f, CsvFiles.resource(resource));
    CallSelector selector = CallSelector.from(CsvFiles.config(List.of(f), "rig"));
    List<CdrRow> rows = new ArrayList<>();
    try (FileChannel ch = FileChannel.open(f)) {
      MasterCsvParser.Reader r = new MasterCsvParser(null, ZoneId.of("UTC")).open(ch, resource, 0, 0);
      for (ParsedLine pl; (pl = r.next()) != null; )
        if (pl instanceof ParsedLine.Row row && selector.isCall(row.row())) rows.add(row.row());
    }
    Map<String, CallRecord> out = new LinkedHashMap<>();
    MergeRows.merge(rows).forEach(m -> out.put(m.key(), StoreBatch.toCall(m.key(), m.row(), dev.postcall.config.PostcallConfig.Pbx.defaultId())));
    return out;
  }

  @Test
  void real_master_csv_for_context_rig_is_exactly_the_nine_calls_of_the_notes() throws IOException {
    Map<String, CallRecord> calls = calls("Master.csv");
    Map<String, String> expected = Map.of(
        "1795386558.67", "ANSWERED", "1795386559.69", "ANSWERED", "1795386560.73", "ANSWERED",
        "1795386561.77", "BUSY", "1795386562.81", "NO ANSWER", "1795386563.85", "CONGESTION",
        "1795386564.89", "FAILED", "1795386565.93", "CHANUNAVAIL", "1795386566.95", "NO ANSWER");
    Map<String, String> actual = new LinkedHashMap<>();
    calls.forEach((k, c) -> actual.put(k, c.outcome()));
    assertEquals(expected, actual);
    calls.values().forEach(c -> assertEquals(CallRecord.Source.CSV, c.source()));
  }

  @Test
  void dial_row_and_hangup_row_merge_into_one_call_with_the_dial_rows_outcome_and_full_timing() throws IOException {
    CallRecord noAnswer = calls("Master.csv").get("1795386562.81");
    assertEquals("NO ANSWER", noAnswer.disposition(), "the Dial row's, not the Hangup row's FAILED");
    assertEquals("Local/ring@rig-callee-00000029;1", noAnswer.dstChannel());
    assertEquals(Instant.parse("2026-11-22T22:29:22Z"), noAnswer.start(), "earliest start (Hangup row starts 22:29:26)");
    assertEquals(Instant.parse("2026-11-22T22:29:26Z"), noAnswer.end());
    assertEquals(4, noAnswer.duration());
    assertEquals("5550300", noAnswer.callerNumber());
    assertEquals("Rig Caller", noAnswer.callerName());
    assertEquals("300", noAnswer.extension());
  }

  @Test
  void endbeforehexten_no_file_also_gives_nine_calls_with_the_dial_outcome_over_the_h_row() throws IOException {
    Map<String, CallRecord> calls = calls("Master.endbeforehexten-no.csv");
    assertEquals(9, calls.size(), calls.keySet().toString());
    CallRecord busy = calls.get("1795386539.45");
    assertEquals("BUSY", busy.outcome());
    assertEquals("200", busy.extension(), "dst of the Dial row, not the h row's");
    assertTrue(calls.values().stream().allMatch(c -> c.channel().endsWith(";2")));
  }
}
