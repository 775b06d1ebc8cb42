package dev.postcall.cdr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.MutableClock;
import dev.postcall.CallTablesDb;
import dev.postcall.call.CallRecord;
import dev.postcall.queue.CallStore;
import dev.postcall.queue.JobState;
import dev.postcall.queue.Stage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The same call through the AGI path and Master.csv: one call, one job, whichever came first. */
class CsvAgiDedupIT {
  static final String NODE = "pbx-test";
  @RegisterExtension static final CallTablesDb db = new CallTablesDb();
  @TempDir Path dir;
  Path master;
  CallStore store;
  TailMasterCsv tailer;
  SweepMasterCsv sweeper;
  final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));

  // The caller's Dial row of the real busy call (22:29:21, BUSY) and an answered call's.
  static final String BUSY_UNIQUEID = "1795386561.77";
  static final String ANSWERED = CsvFiles.row("1795386600.10", "101", "2026-11-22 22:30:00", "2026-11-22 22:30:42", 42, "ANSWERED");

  @BeforeEach
  void clean() {
    master = dir.resolve("Master.csv");
    store = new CallStore(db.ds());
    var csv = CsvFiles.config(List.of(master), "rig");
    CsvMetrics metrics = new CsvMetrics(new SimpleMeterRegistry(), NODE);
    tailer = Backfill.tailer(csv, NODE, db.csvDs(), clock, metrics, clock.instant());
    sweeper = Backfill.sweeper(csv, NODE, db.csvDs(), clock, metrics);
  }

  /** What the hangup handler stores: DIALSTATUS, and timing read before it was final (endbeforehexten=no). */
  /** As the AGI path stores it: the call starts in the second its uniqueid names (never before). */
  static CallRecord agi(String uniqueid, String dialStatus) {
    return new CallRecord(uniqueid, uniqueid, "Local/200@rig-00000026;2", null, "5550200", "Rig Caller", "200", "rig",
        dev.postcall.queue.Uniqueids.created(uniqueid), null, null, 0, 0, "NO ANSWER", dialStatus, null, null, null,
        CallRecord.Source.AGI, dev.postcall.config.PostcallConfig.Pbx.defaultId());
  }

  private void writeRealMasterCsv() throws IOException {
    CsvFiles.append(master, new String(CsvFiles.resource("Master.csv"), java.nio.charset.StandardCharsets.UTF_8));
  }

  @Test
  void agi_first_then_csv_gives_one_call_one_job_and_the_csv_timing_fills_the_agi_call() throws Exception {
    store.insert(agi(BUSY_UNIQUEID, "BUSY"));
    writeRealMasterCsv();
    ImportCounts c = tailer.tailOnce();
    assertEquals(8, c.fresh(), "the eight calls the AGI path missed");
    assertEquals(9, db.count("SELECT COUNT(*) FROM jobs WHERE ABS(TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(3), next_attempt_at)) < 5"
        + " AND next_attempt_at = created_at AND created_at = updated_at"), "due, created and updated on the database's clock");
    assertEquals(1, c.duplicate());
    assertEquals(1, c.filled());
    assertEquals(9, db.count("SELECT COUNT(*) FROM calls"));
    assertEquals(9, db.count("SELECT COUNT(*) FROM jobs"));
    CallRecord busy = store.find(BUSY_UNIQUEID).orElseThrow();
    assertEquals(CallRecord.Source.AGI, busy.source());
    assertEquals("BUSY", busy.outcome(), "DIALSTATUS stays the outcome");
    assertEquals(Instant.parse("2026-11-22T22:29:21Z"), busy.end(), "end filled from Master.csv");
    assertEquals(0, db.count("SELECT COUNT(*) FROM call_corrections"));
  }

  @Test
  void csv_first_then_agi_gives_one_call_one_job() throws Exception {
    writeRealMasterCsv();
    tailer.tailOnce();
    assertFalse(store.insert(agi(BUSY_UNIQUEID, "BUSY")), "the AGI path finds the call known");
    assertEquals(9, db.count("SELECT COUNT(*) FROM calls"));
    assertEquals(9, db.count("SELECT COUNT(*) FROM jobs"));
    // the hangup arrived while the call was not uploaded yet: its DIALSTATUS is the outcome
    CallRecord call = store.find(BUSY_UNIQUEID).orElseThrow();
    assertEquals(CallRecord.Source.AGI, call.source());
    assertEquals("BUSY", call.dialStatus());
  }

  /**
   * Asterisk writes the rows a few ms after the hangup session, whose values reach the database from
   * the spool a little later: the tailer's calls wait csv.agi-hold for them, and a hangup that
   * arrives releases its call at once (its DIALSTATUS, dialled number and agent then go out).
   */
  @Test
  void a_call_the_tailer_stores_first_waits_for_its_hangup_which_releases_it() throws Exception {
    var b = CsvFiles.config(List.of(master), "rig");
    var csv = new dev.postcall.config.PostcallConfig.Csv(b.files(), b.columns(), b.zone(), b.contexts(), b.excludeChannels(),
        b.excludeApps(), b.tailInterval(), b.sweepCron(), b.batchSize(), b.zone(), false, java.time.Duration.ZERO,
        java.time.Duration.ofSeconds(2), b.pbxId());
    TailMasterCsv tail = Backfill.tailer(csv, NODE, db.csvDs(), clock, new CsvMetrics(new SimpleMeterRegistry(), NODE), clock.instant());
    writeRealMasterCsv();
    assertEquals(9, tail.tailOnce().fresh());
    double due = db.db().secondsFromNow(BUSY_UNIQUEID, "next_attempt_at");
    assertTrue(due > 1 && due <= 2, "held csv.agi-hold from the database's now: " + due);
    assertEquals(9, db.count("SELECT COUNT(*) FROM jobs WHERE next_attempt_at > UTC_TIMESTAMP(3)"), "every call waits for its hangup");
    assertFalse(store.insert(agi(BUSY_UNIQUEID, "BUSY")));
    assertTrue(db.db().secondsFromNow(BUSY_UNIQUEID, "next_attempt_at") <= 0, "its hangup released it");
    assertEquals(8, db.count("SELECT COUNT(*) FROM jobs WHERE next_attempt_at > UTC_TIMESTAMP(3)"), "the others still wait");
    CallRecord call = store.find(BUSY_UNIQUEID).orElseThrow();
    assertEquals(CallRecord.Source.AGI, call.source());
    assertEquals("BUSY", call.dialStatus());
  }

  @Test
  void with_start_at_end_the_sweep_waits_for_the_tailer_and_leaves_the_history_out() throws Exception {
    writeRealMasterCsv(); // another PBX's history, there before postcall
    var b = CsvFiles.config(List.of(master), "rig");
    var csv = new dev.postcall.config.PostcallConfig.Csv(b.files(), b.columns(), b.zone(), b.contexts(), b.excludeChannels(),
        b.excludeApps(), b.tailInterval(), b.sweepCron(), b.batchSize(), b.zone(), true, java.time.Duration.ZERO);
    CsvMetrics m = new CsvMetrics(new SimpleMeterRegistry(), NODE);
    SweepMasterCsv sweep = Backfill.sweeper(csv, NODE, db.csvDs(), clock, m);
    TailMasterCsv tail = Backfill.tailer(csv, NODE, db.csvDs(), clock, m, clock.instant());
    assertEquals(0, sweep.sweepOnce().lines(), "before the tailer has met the file, everything in it could be history");
    assertEquals(0, tail.tailOnce().fresh(), "first sight: the history is read, not imported");
    assertEquals(0, sweep.sweepOnce().fresh(), "the sweep reads the file again but leaves the history out");
    // a call after first sight (2026-11-23 10:00:05 UTC = uniqueid 1795428005)
    CsvFiles.append(master, CsvFiles.row("1795428005.1", "101", "2026-11-23 10:00:05", "2026-11-23 10:00:10", 5, "ANSWERED"));
    assertEquals(1, sweep.sweepOnce().fresh(), "what the tailer has not read yet, the sweep brings");
    assertEquals(1, store.count());
  }

  @Test
  void a_tailer_that_first_looks_after_postcall_started_imports_the_calls_since_and_not_the_history() throws Exception {
    writeRealMasterCsv(); // another PBX's history, there before postcall
    // the node started an hour before its tailer first ran
    BackfillService.markFirstStart(db.csvDs(), NODE, Instant.parse("2026-11-23T09:00:00Z"));
    // a call while no tailer ran yet (2026-11-23 09:30:05 UTC = uniqueid 1795426205)
    CsvFiles.append(master, CsvFiles.row("1795426205.1", "101", "2026-11-23 09:30:05", "2026-11-23 09:30:10", 5, "ANSWERED"));
    var b = CsvFiles.config(List.of(master), "rig");
    var csv = new dev.postcall.config.PostcallConfig.Csv(b.files(), b.columns(), b.zone(), b.contexts(), b.excludeChannels(),
        b.excludeApps(), b.tailInterval(), b.sweepCron(), b.batchSize(), b.zone(), true, java.time.Duration.ZERO);
    TailMasterCsv tail = Backfill.tailer(csv, NODE, db.csvDs(), clock, new CsvMetrics(new SimpleMeterRegistry(), NODE), clock.instant());
    assertEquals(1, tail.tailOnce().fresh(), "the call since postcall's first start, not the history");
    assertEquals(1, store.count());
    assertTrue(store.find("1795426205.1").isPresent());
  }

  @Test
  void a_held_agi_call_gets_master_csvs_whole_call_view_and_is_released_at_once() throws Exception {
    CallStore held = new CallStore(db.ds(), java.time.Duration.ofSeconds(15));
    // the AGI path's view of a ring group: CDR() in h was the unanswered party's row, 0 s
    held.insert(new CallRecord("1795386600.10", "1795386600.10", "Local/720@rig-00000026;2", null, "5550720", "Rig Caller",
        "720", "rig", Instant.parse("2026-11-22T22:30:00.400Z"), null, Instant.parse("2026-11-22T22:30:00.500Z"), 0, 0,
        "NO ANSWER", "ANSWER", null, null, null, CallRecord.Source.AGI, dev.postcall.config.PostcallConfig.Pbx.defaultId()));
    double due = db.db().secondsFromNow("1795386600.10", "next_attempt_at");
    assertTrue(due > 14 && due <= 15, "held 15 s from the database's now (this node's clock is days off): " + due);
    // Master.csv: the answered party's row (4 s, billsec 3) and the unanswered one's, both from the first second
    CsvFiles.append(master, CsvFiles.row("1795386600.10", "720", "2026-11-22 22:30:00", "2026-11-22 22:30:04", 4, "ANSWERED")
        .replace(",4,0,\"ANSWERED\"", ",4,3,\"ANSWERED\""));
    CsvFiles.append(master, CsvFiles.row("1795386600.10", "720", "2026-11-22 22:30:00", "2026-11-22 22:30:00", 0, "NO ANSWER"));
    assertEquals(1, tailer.tailOnce().filled());
    CallRecord call = store.find("1795386600.10").orElseThrow();
    assertEquals(Instant.parse("2026-11-22T22:30:00.400Z"), call.start(), "the AGI's instant, same second");
    assertEquals(Instant.parse("2026-11-22T22:30:04Z"), call.end());
    assertEquals(4, call.duration());
    assertEquals(3, call.billsec());
    assertEquals("ANSWER", call.dialStatus(), "DIALSTATUS untouched");
    due = db.db().secondsFromNow("1795386600.10", "next_attempt_at");
    assertTrue(due <= 0 && due > -5, "released, due at the database's now: nothing left to wait for (" + due + ")");
  }

  @Test
  void csv_timing_of_an_already_uploaded_agi_call_is_recorded_once_as_a_correction() throws Exception {
    store.insert(agi("1795386600.10", "ANSWER"));
    db.exec("UPDATE jobs SET state = ?, stage = ?", JobState.DONE, Stage.DONE);
    CsvFiles.append(master, ANSWERED);
    ImportCounts c = tailer.tailOnce();
    assertEquals(1, c.corrections());
    CallRecord call = store.find("1795386600.10").orElseThrow();
    assertNull(call.end(), "the call keeps what was uploaded");
    assertEquals(1, db.count("SELECT COUNT(*) FROM call_corrections WHERE uniqueid = '1795386600.10'"
        + " AND new_end = '2026-11-22 22:30:42' AND new_duration = 42 AND old_duration = 0 AND job_state = ?", JobState.DONE));
    db.exec("DELETE FROM csv_offsets"); // offsets lost: the file is read again
    assertEquals(0, tailer.tailOnce().corrections());
    assertEquals(1, db.count("SELECT COUNT(*) FROM call_corrections"), "recorded once");
  }

  @Test
  void hangup_row_read_in_a_later_run_does_not_undo_the_dial_rows_outcome_or_timing() throws Exception {
    List<String> real = CsvFiles.realLines("Master.csv");
    // 0-based lines 23 and 24: the 300 call's Dial row (NO ANSWER, 4 s), then its Hangup row (FAILED, 0 s).
    CsvFiles.append(master, real.get(23) + "\n");
    tailer.tailOnce();
    CsvFiles.append(master, real.get(24) + "\n");
    assertEquals(1, tailer.tailOnce().duplicate());
    CallRecord call = store.find("1795386562.81").orElseThrow();
    assertEquals("NO ANSWER", call.disposition());
    assertEquals(4, call.duration());
    assertEquals(Instant.parse("2026-11-22T22:29:22Z"), call.start());
  }

  @Test
  void dial_row_read_after_the_hangup_row_replaces_its_failed() throws Exception {
    List<String> real = CsvFiles.realLines("Master.csv");
    CsvFiles.append(master, real.get(24) + "\n");
    tailer.tailOnce();
    assertEquals("FAILED", store.find("1795386562.81").orElseThrow().disposition());
    CsvFiles.append(master, real.get(23) + "\n");
    assertEquals(1, tailer.tailOnce().filled());
    CallRecord call = store.find("1795386562.81").orElseThrow();
    assertEquals("NO ANSWER", call.disposition());
    assertEquals("Local/ring@rig-callee-00000029;1", call.dstChannel());
    assertEquals(4, call.duration());
    assertEquals(Instant.parse("2026-11-22T22:29:22Z"), call.start(), "the Dial row started earlier");
    assertEquals(1, db.count("SELECT COUNT(*) FROM jobs"));
  }

  @Test
  void nightly_sweep_inserts_what_is_missing_after_offsets_and_a_call_were_lost() throws SQLException, IOException {
    writeRealMasterCsv();
    tailer.tailOnce();
    db.exec("DELETE FROM csv_offsets");
    db.exec("DELETE j FROM jobs j JOIN calls c ON c.id = j.call_id WHERE c.uniqueid = '1795386563.85'");
    db.exec("DELETE FROM calls WHERE uniqueid = '1795386563.85'");
    ImportCounts c = sweeper.sweepOnce();
    assertEquals(1, c.fresh());
    assertEquals(8, c.duplicate());
    assertEquals(9, db.count("SELECT COUNT(*) FROM jobs"));
    assertEquals(0, db.count("SELECT COUNT(*) FROM csv_offsets"), "the sweep leaves the tailer's offsets alone");
  }
}
