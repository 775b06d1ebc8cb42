package dev.postcall.cdr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.CallTablesDb;
import dev.postcall.config.PostcallConfig;
import dev.postcall.call.CallRecord;
import dev.postcall.queue.CallStore;
import dev.postcall.db.Sql;
import dev.postcall.queue.JobState;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code postcall backfill}: two batches at a time, LOAD DATA, and still the tailer's results. */
class BackfillFileIT {
  @RegisterExtension static final CallTablesDb db = new CallTablesDb();
  @TempDir Path dir;

  static PostcallConfig.Csv config(Path file, String columns, int batchSize) {
    var b = CsvFiles.config(List.of(file), "rig");
    return new PostcallConfig.Csv(b.files(), columns, b.zone(), b.contexts(), b.excludeChannels(), b.excludeApps(),
        b.tailInterval(), b.sweepCron(), batchSize);
  }

  static ImportCounts backfill(Path file, String columns, int batchSize) throws IOException, SQLException {
    return new BackfillFile(config(file, columns, batchSize), db.csvDs(), Clock.systemUTC()).run(file, null, c -> { });
  }

  static List<String> calls() throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = db.ds().getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT uniqueid, disposition, dst_channel, start_time, answer_time, end_time, duration_s, billsec_s, caller_name"
            + " FROM calls ORDER BY uniqueid")) {
      while (rs.next()) {
        StringBuilder row = new StringBuilder();
        for (int i = 1; i <= 9; i++) row.append(rs.getString(i)).append('|');
        out.add(row.toString());
      }
    }
    return out;
  }

  /** Every call exactly once, each with exactly one PENDING job. */
  static void assertOneJobPerCall(long calls) {
    assertEquals(calls, db.count("SELECT COUNT(*) FROM calls"));
    assertEquals(calls, db.count("SELECT COUNT(DISTINCT call_id) FROM jobs WHERE state = ?", JobState.PENDING));
    assertEquals(calls, db.count("SELECT COUNT(*) FROM jobs"));
  }

  @Test
  void calls_whose_rows_straddle_batches_at_work_together_come_out_as_from_one_batch() throws Exception {
    Path master = dir.resolve("Master.csv");
    CsvFiles.append(master, new String(CsvFiles.resource("Master.csv"), StandardCharsets.UTF_8));
    ImportCounts whole = backfill(master, "auto", 1000);
    assertEquals(9, whole.fresh());
    List<String> expected = calls();
    for (int batchSize : new int[] {1, 2, 3, 5}) {
      db.empty();
      ImportCounts c = backfill(master, "auto", batchSize);
      assertEquals(whole.lines(), c.lines());
      assertEquals(9, c.fresh(), "batch size " + batchSize);
      assertEquals(expected, calls(), "batch size " + batchSize);
      assertOneJobPerCall(9);
    }
    assertEquals(0, backfill(master, "auto", 2).fresh(), "a second backfill adds nothing");
    assertOneJobPerCall(9);
  }

  @Test
  void rows_without_a_uniqueid_column_are_keyed_by_channel_start_src_and_dst_and_stored_once() throws Exception {
    Path master = dir.resolve("Master.csv");
    StringBuilder rows = new StringBuilder();
    for (int i = 0; i < 25; i++) {
      // cdr_csv without loguniqueid/loguserfield: the 16 base columns
      rows.append("\"\",\"555020").append(i % 10).append("\",\"200\",\"rig\",\"\"\"Rig Caller\"\" <5550200>\",\"Local/200@rig-")
          .append(String.format("%08x", i)).append(";2\",\"\",\"Dial\",\"Local/x@rig-callee,20\",\"2026-11-22 22:29:")
          .append(String.format("%02d", i)).append("\",,\"2026-11-22 22:29:59\",5,0,\"BUSY\",\"DOCUMENTATION\"\n");
    }
    CsvFiles.append(master, rows.toString());
    assertEquals(25, backfill(master, "16", 4).fresh());
    assertEquals(25, db.count("SELECT COUNT(*) FROM calls WHERE uniqueid LIKE 'csv-%'"));
    assertEquals(0, backfill(master, "16", 7).fresh(), "the same rows again: the same keys");
    assertOneJobPerCall(25);
  }

  @Test
  void hostile_caller_names_from_master_csv_are_stored_as_parsed() throws Exception {
    String[] names = {"O\"\"Brien, \\N", "tab\there", "back\\slash\\", "Jürgen 📞", "\\", "NULL", "'; DROP TABLE calls; --"};
    Path master = dir.resolve("Master.csv");
    StringBuilder rows = new StringBuilder();
    for (int i = 0; i < names.length; i++) {
      rows.append("\"\",\"5550200\",\"200\",\"rig\",\"\"\"").append(names[i]).append("\"\" <5550200>\",\"Local/200@rig-0;2\",\"\",")
          .append("\"Dial\",\"x\",\"2026-11-22 22:29:21\",,\"2026-11-22 22:29:22\",1,0,\"BUSY\",\"DOCUMENTATION\",\"1795386561.")
          .append(i).append("\",\"u\\\\").append(i).append("\"\n");
    }
    CsvFiles.append(master, rows.toString());
    List<CallRecord> parsed = new ArrayList<>();
    try (FileChannel ch = FileChannel.open(master)) {
      MasterCsvParser.Reader r = new MasterCsvParser(null, ZoneOffset.UTC).open(ch, "Master.csv", 0, 0);
      for (ParsedLine pl; (pl = r.next()) != null; ) {
        CdrRow row = ((ParsedLine.Row) pl).row();
        parsed.add(StoreBatch.toCall(MergeRows.key(row), row, dev.postcall.config.PostcallConfig.Pbx.defaultId()));
      }
    }
    assertEquals(names.length, backfill(master, "auto", 3).fresh());
    CallStore store = new CallStore(db.ds());
    for (CallRecord p : parsed) {
      CallRecord back = store.find(p.uniqueid()).orElseThrow();
      assertEquals(Sql.clip(p.callerName(), 255), back.callerName());
      assertEquals(p.userfield(), back.userfield());
      assertTrue(back.callerName().length() > 0);
    }
    assertEquals(1, db.count("SELECT COUNT(*) FROM calls WHERE caller_name = '''; DROP TABLE calls; --'"));
    assertOneJobPerCall(names.length);
  }
}
