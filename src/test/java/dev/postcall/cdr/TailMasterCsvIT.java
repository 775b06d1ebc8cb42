package dev.postcall.cdr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.postcall.MutableClock;
import dev.postcall.CallTablesDb;
import dev.postcall.queue.JobState;
import dev.postcall.queue.Stage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class TailMasterCsvIT {
  static final String NODE = "pbx-test";
  @RegisterExtension static final CallTablesDb db = new CallTablesDb();
  @TempDir Path dir;
  Path master;
  final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @BeforeEach
  void clean() {
    master = dir.resolve("Master.csv");
  }

  private TailMasterCsv tailer(DataSource ds, int batchSize) {
    var base = CsvFiles.config(List.of(master), "rig");
    var csv = new dev.postcall.config.PostcallConfig.Csv(base.files(), base.columns(), base.zone(), base.contexts(),
        base.excludeChannels(), base.excludeApps(), base.tailInterval(), base.sweepCron(), batchSize);
    return Backfill.tailer(csv, NODE, ds, clock, new CsvMetrics(registry, NODE), clock.instant());
  }

  private TailMasterCsv tailer() {
    return tailer(db.csvDs(), 1000);
  }

  static String call(int i) {
    return CsvFiles.row("1795400000." + i, "200", "2026-11-23 09:00:00", "2026-11-23 09:00:05", 5, "BUSY");
  }

  static String calls(int from, int to) {
    StringBuilder b = new StringBuilder();
    for (int i = from; i < to; i++) b.append(call(i));
    return b.toString();
  }

  private long callCount() {
    return db.count("SELECT COUNT(*) FROM calls");
  }

  private void assertExactly(int n) {
    assertEquals(n, callCount(), "calls");
    assertEquals(n, db.count("SELECT COUNT(*) FROM jobs"), "one job per call");
    assertEquals(n, db.count("SELECT COUNT(DISTINCT uniqueid) FROM calls WHERE uniqueid LIKE '1795400000.%'"));
  }

  @Test
  void real_master_csv_becomes_the_nine_calls_each_with_a_job() throws IOException {
    Files.write(master, CsvFiles.resource("Master.csv"));
    ImportCounts c = tailer().tailOnce();
    assertEquals(28, c.lines());
    assertEquals(9, c.fresh());
    assertEquals(9, callCount());
    assertEquals(9, db.count("SELECT COUNT(*) FROM jobs WHERE state = ? AND stage = ?", JobState.PENDING, Stage.WAIT));
    assertEquals(3, db.count("SELECT COUNT(*) FROM calls WHERE disposition = 'ANSWERED' AND source = 'CSV'"));
    assertEquals(1, db.count("SELECT COUNT(*) FROM calls WHERE uniqueid = '1795386562.81' AND disposition = 'NO ANSWER'"
        + " AND duration_s = 4 AND end_time = '2026-11-22 22:29:26'"));
    assertEquals(9.0, registry.get("postcall.csv.rows").tag("result", "new").counter().count());
    assertEquals(28.0, registry.get("postcall.csv.rows").tag("result", "read").counter().count());
  }

  @Test
  void rows_appended_between_runs_arrive_once() throws IOException {
    CsvFiles.append(master, calls(0, 3));
    TailMasterCsv t = tailer();
    assertEquals(3, t.tailOnce().fresh());
    CsvFiles.append(master, calls(3, 5));
    ImportCounts second = t.tailOnce();
    assertEquals(2, second.lines(), "only the new lines are read");
    assertEquals(2, second.fresh());
    assertEquals(0, t.tailOnce().lines());
    assertExactly(5);
    assertEquals(Files.size(master), db.count("SELECT byte_offset FROM csv_offsets"));
  }

  @Test
  void restart_after_a_crash_in_the_middle_loses_and_repeats_nothing() throws IOException {
    CsvFiles.append(master, calls(0, 25));
    AtomicInteger commits = new AtomicInteger();
    // The second batch's commit fails, as if the process died there: the first batch stays.
    DataSource crashing = failingCommit(db.csvDs(), () -> commits.incrementAndGet() == 2);
    tailer(crashing, 10).tailOnce();
    assertEquals(10, callCount(), "first batch of 10 committed with its offset");
    CsvFiles.append(master, calls(25, 30));
    ImportCounts afterRestart = tailer(db.csvDs(), 10).tailOnce();
    assertEquals(20, afterRestart.lines(), "resumes after the committed batch");
    assertExactly(30);
  }

  @Test
  void rotation_by_rename_finishes_the_old_file_while_it_is_still_appended_then_reads_the_new_one() throws IOException {
    TailMasterCsv t = tailer();
    CsvFiles.append(master, calls(0, 3));
    t.tailOnce();
    Path rotated = dir.resolve("Master.csv.1");
    Files.move(master, rotated);
    CsvFiles.append(rotated, calls(3, 5)); // a writer that still holds the old file
    CsvFiles.append(master, calls(5, 7));  // the new file
    ImportCounts c = t.tailOnce();
    assertEquals(4, c.fresh());
    CsvFiles.append(rotated, calls(7, 8));
    CsvFiles.append(master, calls(8, 10));
    assertEquals(3, t.tailOnce().fresh());
    assertExactly(10);
    assertEquals(2, db.count("SELECT COUNT(*) FROM csv_offsets"), "one position per file");
    Files.delete(rotated);
    t.tailOnce();
    assertEquals(1, db.count("SELECT COUNT(*) FROM csv_offsets"), "the deleted file is forgotten");
  }

  @Test
  void a_file_met_under_two_names_in_one_run_is_read_once_and_the_run_goes_on() throws IOException {
    // rotation shifts names while a run walks them (seen in ManyPbxChaos with rotations every 700 ms):
    // a hard link stands for the moment the same file is Master.csv.1 and, one rename on, Master.csv.2
    TailMasterCsv t = tailer();
    CsvFiles.append(master, calls(0, 3));
    t.tailOnce();
    Path rotated = dir.resolve("Master.csv.1");
    Files.move(master, rotated);
    CsvFiles.append(rotated, calls(3, 5));
    Files.createLink(dir.resolve("Master.csv.2"), rotated);
    CsvFiles.append(master, calls(5, 6));
    ImportCounts c = t.tailOnce();
    assertEquals(3, c.fresh(), "the rotated file's rest once, and the new file in the same run");
    assertExactly(6);
  }

  @Test
  void copytruncate_reads_the_unread_rest_from_the_copy_and_the_truncated_file_from_the_start() throws IOException {
    TailMasterCsv t = tailer();
    CsvFiles.append(master, calls(0, 3));
    t.tailOnce();
    CsvFiles.append(master, calls(3, 5));                 // written before the rotation, not read yet
    Files.copy(master, dir.resolve("Master.csv.1"));     // logrotate copytruncate: copy…
    try (FileChannel ch = FileChannel.open(master, StandardOpenOption.WRITE)) {
      ch.truncate(0);                                    // …then truncate in place (same inode)
    }
    CsvFiles.append(master, calls(5, 6));
    ImportCounts c = t.tailOnce();
    assertEquals(3, c.fresh(), "2 from the copy, 1 from the truncated file");
    assertExactly(6);
    CsvFiles.append(master, calls(6, 7));
    assertEquals(1, t.tailOnce().lines());
    assertExactly(7);
  }

  /** Regression (chaos at 1,000 calls): a file created and rotated between two runs was never read. */
  @Test
  void a_rename_then_a_copytruncate_within_one_interval_loses_nothing() throws IOException {
    TailMasterCsv t = tailer();
    CsvFiles.append(master, calls(0, 2));
    t.tailOnce();
    Files.move(master, dir.resolve("Master.csv.1"));      // logrotate, rename: the tailer has seen this one
    CsvFiles.append(master, calls(2, 5));                 // a new Master.csv the tailer has not seen yet…
    Files.move(dir.resolve("Master.csv.1"), dir.resolve("Master.csv.2"));
    Files.copy(master, dir.resolve("Master.csv.1"));      // …copytruncate'd before the next run
    try (FileChannel ch = FileChannel.open(master, StandardOpenOption.WRITE)) {
      ch.truncate(0);
    }
    CsvFiles.append(master, calls(5, 6));
    assertEquals(4, t.tailOnce().fresh(), "3 only in the copy, 1 in the truncated file");
    assertExactly(6);
    assertEquals(0, t.tailOnce().lines(), "nothing read twice");
  }

  /** Full-size ManyPbxChaos: rows of a copytruncate'd file that was then renamed waited a run or two (37 s with a kill). */
  @Test
  void a_copytruncate_then_a_rename_within_one_interval_reads_everything_in_the_next_run() throws IOException {
    TailMasterCsv t = tailer();
    CsvFiles.append(master, calls(0, 3));
    t.tailOnce();
    CsvFiles.append(master, calls(3, 5));                 // not read yet…
    Files.copy(master, dir.resolve("Master.csv.1"));      // …copytruncate: only the copy has them
    try (FileChannel ch = FileChannel.open(master, StandardOpenOption.WRITE)) {
      ch.truncate(0);
    }
    CsvFiles.append(master, calls(5, 7));                 // the tracked file, refilled
    Files.move(dir.resolve("Master.csv.1"), dir.resolve("Master.csv.2"));
    Files.move(master, dir.resolve("Master.csv.1"));      // …and rotated by name before the next run
    CsvFiles.append(master, calls(7, 8));
    assertEquals(5, t.tailOnce().fresh(), "2 from the copy, 2 from the refilled file, 1 from the new one");
    assertExactly(8);
    assertEquals(0, t.tailOnce().lines(), "nothing read twice");
  }

  /** Found by chaos scenario 5: Asterisk's first Master.csv after postcall started, rotated before a tail run. */
  @Test
  void a_file_created_and_rotated_after_a_run_that_found_no_file_is_read_from_the_start() throws IOException {
    TailMasterCsv t = tailer();
    assertEquals(0, t.tailOnce().lines(), "no Master.csv yet (cdr_csv has written nothing)");
    CsvFiles.append(master, calls(0, 3));
    Files.move(master, dir.resolve("Master.csv.1")); // rotated before the next run
    CsvFiles.append(master, calls(3, 4));
    assertEquals(4, t.tailOnce().fresh(), "created after the tailer started: not history");
    assertExactly(4);
  }

  @Test
  void a_rotated_file_the_node_has_not_read_is_read_not_marked_read() throws IOException {
    CsvFiles.append(dir.resolve("Master.csv.1"), calls(0, 3));
    CsvFiles.append(master, calls(3, 4));
    TailMasterCsv t = tailer();
    assertEquals(4, t.tailOnce().fresh(), "csv.start-at=start: the rotated file's calls too");
    assertEquals(0, t.tailOnce().lines());
    assertExactly(4);
  }

  @Test
  void truncated_file_refilled_beyond_the_old_offset_is_recognised_by_its_first_bytes() throws IOException {
    TailMasterCsv t = tailer();
    CsvFiles.append(master, calls(0, 2));
    t.tailOnce();
    try (FileChannel ch = FileChannel.open(master, StandardOpenOption.WRITE)) {
      ch.truncate(0);
    }
    CsvFiles.append(master, calls(2, 6)); // longer than before: only the fingerprint tells
    assertEquals(4, t.tailOnce().fresh());
    assertExactly(6);
  }

  @Test
  void partial_last_line_is_read_once_it_is_complete() throws IOException {
    String second = call(1);
    CsvFiles.append(master, call(0) + second.substring(0, 50));
    TailMasterCsv t = tailer();
    assertEquals(1, t.tailOnce().lines());
    CsvFiles.append(master, second.substring(50, 120));
    assertEquals(0, t.tailOnce().lines(), "still no newline");
    assertEquals(120.0, registry.get("postcall.csv.lag.bytes").tag("node", NODE).tag("file", master.toString()).gauge().value(),
        "the partial line is the lag");
    CsvFiles.append(master, second.substring(120));
    ImportCounts c = t.tailOnce();
    assertEquals(1, c.fresh());
    assertEquals(0, c.malformed());
    assertExactly(2);
  }

  @Test
  void malformed_rows_are_counted_and_skipped_and_the_rest_is_imported() throws IOException {
    CsvFiles.append(master, call(0) + "\"broken\n" + call(1).replace("2026-11-23 09:00:00", "yesterday") + call(2));
    ImportCounts c = tailer().tailOnce();
    assertEquals(4, c.lines());
    assertEquals(2, c.malformed());
    assertExactly(2);
    assertEquals(2.0, registry.get("postcall.csv.rows").tag("result", "malformed").counter().count());
  }

  @Test
  void a_crash_before_commit_keeps_neither_calls_nor_offset() throws IOException {
    CsvFiles.append(master, calls(0, 3));
    tailer(failingCommit(db.csvDs(), () -> true), 1000).tailOnce();
    assertEquals(0, callCount());
    assertEquals(0, db.count("SELECT COALESCE(MAX(byte_offset), 0) FROM csv_offsets"));
    assertThrows(SQLException.class, () -> {
      try (Connection c = failingCommit(db.ds(), () -> true).getConnection()) {
        c.commit();
      }
    });
  }

  /** A DataSource whose connections' commit() fails while {@code fail} says so (a crash at commit). */
  static DataSource failingCommit(DataSource real, java.util.function.BooleanSupplier fail) {
    return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
        (p, m, args) -> {
          Object r = m.invoke(real, args);
          if (!m.getName().equals("getConnection")) return r;
          Connection c = (Connection) r;
          return Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
              (p2, m2, a2) -> {
                if (m2.getName().equals("commit") && fail.getAsBoolean()) throw new SQLException("simulated crash at commit");
                try {
                  return m2.invoke(c, a2);
                } catch (java.lang.reflect.InvocationTargetException e) {
                  throw e.getCause();
                }
              });
        });
  }
}
