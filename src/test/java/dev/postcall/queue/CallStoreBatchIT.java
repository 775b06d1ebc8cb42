package dev.postcall.queue;

import dev.postcall.call.CallRecord;

import dev.postcall.CallBuilder;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.postcall.TestDb;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The multi-row path of insertAll (a group commit of hangups) keeps insert()'s promises. */
class CallStoreBatchIT {
  TestDb db;
  CallStore calls;

  @BeforeEach
  void setUp() {
    db = TestDb.create();
    calls = new CallStore(db.ds());
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  @Test
  void batch_reports_new_calls_and_adds_one_job_each_known_and_repeated_ones_add_nothing() throws Exception {
    calls.insert(JobQueueIT.call("known"));
    List<CallRecord> batch = new ArrayList<>();
    for (int i = 0; i < 700; i++) batch.add(JobQueueIT.call("b." + i)); // more than one chunk
    batch.add(JobQueueIT.call("known"));
    batch.add(JobQueueIT.call("b.3"));
    List<Boolean> isNew = calls.insertAll(batch);
    assertEquals(702, isNew.size());
    assertEquals(700, isNew.stream().filter(b -> b).count());
    assertEquals(false, isNew.get(700));
    assertEquals(false, isNew.get(701));
    assertEquals(701, db.count("SELECT COUNT(*) FROM calls"));
    assertEquals(701, db.count("SELECT COUNT(*) FROM jobs"));
    assertEquals("Alice", calls.find("b.699").orElseThrow().callerName());
    assertEquals(List.of(false, false), calls.insertAll(List.of(JobQueueIT.call("b.1"), JobQueueIT.call("b.2"))));
    assertEquals(701, db.count("SELECT COUNT(*) FROM jobs"));
  }

  /**
   * The tailer stores a call's Master.csv row while a group commit of hangups that holds the same
   * call is under way (seen on the real PBX: the park flow's caller, hangup spooled 280 ms before
   * the tailer's insert, stayed source CSV): the batch found no row, its insert then waited for
   * the tailer's commit and kept the tailer's row. The hangup is that known call's, whose row takes
   * its values — not a new call of the batch whose values vanish.
   */
  @Test
  void a_hangup_batch_whose_call_the_tailer_commits_under_it_gives_that_row_its_values() throws Exception {
    try (java.sql.Connection tailer = db.ds().getConnection()) {
      tailer.setAutoCommit(false);
      new dev.postcall.cdr.CsvCalls().insertNew(tailer, List.of(fromCsv("race.1")));
      var batch = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
        try {
          return calls.insertAll(List.of(JobQueueIT.call("race.1"), JobQueueIT.call("race.2")));
        } catch (java.sql.SQLException e) {
          throw new IllegalStateException(e);
        }
      });
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() ->
          db.count("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = DATABASE()"
              + " AND INFO LIKE 'INSERT INTO calls%'") == 1); // the batch's insert, waiting for the tailer's row
      tailer.commit();
      assertEquals(List.of(false, true), batch.get(10, java.util.concurrent.TimeUnit.SECONDS));
    }
    CallRecord c = calls.find("race.1").orElseThrow();
    assertEquals(CallRecord.Source.AGI, c.source(), "the hangup's values in the tailer's row");
    assertEquals("BUSY", c.dialStatus());
    assertEquals(41, c.duration(), "Master.csv's timing stays");
    assertEquals(2, db.count("SELECT COUNT(*) FROM jobs"));
  }

  static CallRecord fromCsv(String uid) {
    return CallBuilder.csv(uid).channel("Local/101@rig-0001;2").caller("100").callerName("Alice").extension("101")
        .context("rig").start(Instant.parse("2026-11-23T09:59:00Z")).end(Instant.parse("2026-11-23T09:59:41Z"))
        .duration(41).billsec(0).disposition("FAILED").build();
  }

  /** The spooled hangup commits a few ms after its session; Master.csv's row may be stored first. */
  @Test
  void hangup_values_win_over_a_csv_first_call_until_it_is_uploaded() throws Exception {
    for (String uid : List.of("csv.1", "csv.2", "csv.3")) calls.insert(fromCsv(uid));
    db.exec("UPDATE jobs j JOIN calls c ON c.id = j.call_id SET j.stage = ?, j.state = ? WHERE c.uniqueid = 'csv.3'",
        Stage.CREATE, JobState.CLAIMED);

    assertEquals(List.of(false), calls.insertAll(List.of(JobQueueIT.call("csv.1")))); // the one-row path
    assertEquals(List.of(false, false), calls.insertAll(List.of(JobQueueIT.call("csv.2"), JobQueueIT.call("csv.3"))));

    for (String uid : List.of("csv.1", "csv.2")) {
      CallRecord c = calls.find(uid).orElseThrow();
      assertEquals("BUSY", c.dialStatus(), uid + ": DIALSTATUS is the outcome");
      assertEquals(CallRecord.Source.AGI, c.source(), uid);
      assertEquals(uid, c.linkedid(), uid + ": filled from the hangup");
      assertEquals(41, c.duration(), uid + ": Master.csv's final timing stays");
      assertEquals(Instant.parse("2026-11-23T09:59:41Z"), c.end(), uid);
    }
    CallRecord late = calls.find("csv.3").orElseThrow();
    assertEquals(null, late.dialStatus(), "a worker is at CREATE: the status it uploads stands");
    assertEquals(CallRecord.Source.CSV, late.source());
    assertEquals(3, db.count("SELECT COUNT(*) FROM jobs"));
  }
}
