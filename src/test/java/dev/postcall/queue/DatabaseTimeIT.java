package dev.postcall.queue;

import dev.postcall.db.DatabaseClock;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.TestDb;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Several nodes on one database, one of them with a clock far off: leases and due times follow the database. */
class DatabaseTimeIT {
  static final Duration LEASE = Duration.ofSeconds(30);
  TestDb db;
  CallStore calls;
  JobQueue onTime;

  @BeforeEach
  void setUp() {
    db = TestDb.create();
    calls = new CallStore(db.ds());
    onTime = new JobQueue(db.ds(), Clock.systemUTC());
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  static JobQueue nodeOff(TestDb db, Duration off) {
    return new JobQueue(db.ds(), Clock.offset(Clock.systemUTC(), off));
  }

  @Test
  void a_worker_400_s_ahead_takes_over_no_live_lease() throws Exception {
    calls.insert(JobQueueIT.call("1.1"));
    Job mine = onTime.claim("a", 1, LEASE).get(0);
    JobQueue ahead = nodeOff(db, Duration.ofSeconds(400));
    assertEquals(0, ahead.recoverExpiredLeases());
    assertEquals(0, ahead.claim("b", 1, LEASE).size());
    onTime.done(mine);
    assertEquals(JobState.DONE, db.state("1.1"));
  }

  @Test
  void a_lease_taken_by_a_node_off_by_minutes_runs_for_its_length_in_database_time() throws Exception {
    calls.insert(JobQueueIT.call("1.1"));
    nodeOff(db, Duration.ofSeconds(-120)).claim("behind", 1, LEASE);
    double left = db.secondsFromNow("1.1", "lease_until");
    assertTrue(left > 28 && left <= 30, "lease ends " + left + " s from the database's now");
  }

  @Test
  void a_retry_planned_by_a_node_120_s_ahead_is_due_when_it_meant_not_2_minutes_later() throws Exception {
    calls.insert(JobQueueIT.call("1.1"));
    calls.insert(JobQueueIT.call("1.2"));
    JobQueue ahead = nodeOff(db, Duration.ofSeconds(120));
    List<Job> jobs = ahead.claim("ahead", 2, LEASE);
    Clock its = Clock.offset(Clock.systemUTC(), Duration.ofSeconds(120));
    Job a = jobs.get(0).uniqueid().equals("1.1") ? jobs.get(0) : jobs.get(1);
    Job b = a == jobs.get(0) ? jobs.get(1) : jobs.get(0);
    ahead.retryLater(a, its.instant().plusSeconds(5), "timed out");
    double due = db.secondsFromNow("1.1", "next_attempt_at");
    assertTrue(due > 3 && due <= 5.1, "due " + due + " s from the database's now");
    ahead.postpone(b, its.instant(), "recording still open");
    assertEquals("1.2", onTime.claim("a", 5, LEASE).get(0).uniqueid(), "due at once, on the database's clock");
  }

  @Test
  void a_node_120_s_ahead_holds_fails_retries_and_delivers_on_the_databases_clock() throws Exception {
    new CallStore(db.ds(), Duration.ofSeconds(15)).insert(JobQueueIT.call("1.1"));
    double due = db.secondsFromNow("1.1", "next_attempt_at");
    assertTrue(due > 14 && due <= 15, "held csv.hold from the database's now, not from this node's: " + due);
    assertNow("created_at");
    assertNow("updated_at");
    JobQueue ahead = nodeOff(db, Duration.ofSeconds(120));
    assertEquals(0, ahead.claim("ahead", 1, LEASE).size(), "still held");
    db.passTime(Duration.ofSeconds(15));
    ahead.fail(ahead.claim("ahead", 1, LEASE).get(0), "refused");
    assertNow("updated_at");
    assertTrue(ahead.retry(dev.postcall.call.CallRef.parse("1.1"), "admin"));
    double retryDue = db.secondsFromNow("1.1", "next_attempt_at");
    assertTrue(retryDue <= 0 && retryDue > -2, "an admin's retry is due at the database's now: " + retryDue);
    Job job = onTime.claim("a", 1, LEASE).get(0);
    ahead.done(job);
    assertNow("done_at");
    assertNow("updated_at");
    assertEquals(0, db.count("SELECT COUNT(*) FROM job_events WHERE ABS(TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(3), at)) > 2"),
        "the job's history on the database's clock too");
  }

  @Test
  void calls_are_received_at_the_databases_now_on_every_path() throws Exception {
    // the store has no clock of its own: every path takes the database's now
    calls.insert(JobQueueIT.call("1.1")); // a hangup
    calls.insertAll(List.of(JobQueueIT.call("1.2"), JobQueueIT.call("1.3"))); // a burst, multi-row
    try (java.sql.Connection c = db.csvDs().getConnection()) { // Master.csv's batch
      c.setAutoCommit(false);
      new dev.postcall.cdr.CsvCalls().insertNew(c, List.of(dev.postcall.CallBuilder.csv("1.4").build()));
      c.commit();
    }
    assertEquals(4, db.count("SELECT COUNT(*) FROM calls"));
    assertEquals(0, db.count("SELECT COUNT(*) FROM calls WHERE ABS(TIMESTAMPDIFF(MICROSECOND, UTC_TIMESTAMP(3), received_at)) > 2000000"),
        "received_at on the database's clock");
  }

  @Test
  void a_create_in_doubt_marked_by_a_node_ahead_is_settled_from_the_databases_now_by_a_node_behind() throws Exception {
    calls.insert(JobQueueIT.call("1.1"));
    calls.insert(JobQueueIT.call("1.2"));
    Clock its = Clock.offset(Clock.systemUTC(), Duration.ofSeconds(120));
    JobQueue ahead = nodeOff(db, Duration.ofSeconds(120));
    List<Job> jobs = ahead.claim("ahead", 2, LEASE);
    Job a = jobs.get(0).uniqueid().equals("1.1") ? jobs.get(0) : jobs.get(1);
    Job b = a == jobs.get(0) ? jobs.get(1) : jobs.get(0);
    // a's create went unanswered just now, on the node ahead; b's worker dies with its create on the wire
    ahead.retryLater(ahead.progress(a, Stage.CREATE, null, null, null, LEASE), its.instant(), "timed out", its.instant());
    ahead.progress(b, Stage.CREATE, null, null, null, LEASE);
    assertNear(0, db.secondsFromNow("1.1", "create_in_doubt_at"), "a's create in doubt since the database's now");
    db.passTime(LEASE.plusSeconds(1));
    assertEquals(1, ahead.recoverExpiredLeases());
    assertNear(0, db.secondsFromNow("1.2", "create_in_doubt_at"), "b's marked at the database's now by the node ahead");
    Clock behind = Clock.offset(Clock.systemUTC(), Duration.ofSeconds(-120));
    JobQueue worker = nodeOff(db, Duration.ofSeconds(-120));
    for (Job j : worker.claim("behind", 2, LEASE)) {
      double ago = Duration.between(j.createInDoubtAt(), behind.instant()).toMillis() / 1000.0;
      double expected = j.uniqueid().equals("1.1") ? LEASE.plusSeconds(1).toSeconds() : 0;
      assertNear(expected, ago, j.uniqueid() + " in doubt for that long on the worker's own clock, not 4 minutes off");
    }
  }

  private static void assertNear(double expected, double actual, String what) {
    assertTrue(Math.abs(expected - actual) < 2, what + ": " + actual + " s, expected about " + expected);
  }

  private void assertNow(String column) {
    double off = db.secondsFromNow("1.1", column);
    assertTrue(Math.abs(off) < 2, column + " is " + off + " s from the database's now");
  }

  @Test
  void renewing_leases_keeps_running_jobs_and_their_version_and_only_the_owners() throws Exception {
    calls.insert(JobQueueIT.call("1.1"));
    calls.insert(JobQueueIT.call("1.2"));
    List<Job> jobs = onTime.claim("a", 2, LEASE);
    Job running = jobs.get(0);
    db.passTime(Duration.ofSeconds(25));
    assertEquals(0, onTime.renewLeases("b", List.of(running.id()), LEASE), "not b's lease");
    assertEquals(1, onTime.renewLeases("a", List.of(running.id()), LEASE));
    double left = db.secondsFromNow(running.uniqueid(), "lease_until");
    assertTrue(left > 29 && left <= 30, "renewed to " + left + " s");
    db.passTime(Duration.ofSeconds(10));
    assertEquals(1, onTime.recoverExpiredLeases(), "only the job nobody renewed");
    assertEquals(JobState.PENDING, db.state(jobs.get(1).uniqueid()));
    onTime.done(running); // the renewal left the version alone: the owner's next update still matches
    assertEquals(JobState.DONE, db.state(running.uniqueid()));
  }

  @Test
  void the_clock_check_names_the_offset_and_passes_a_clock_in_sync() throws Exception {
    Duration ok = DatabaseClock.offset(db.ds(), Clock.systemUTC());
    assertNull(DatabaseClock.problem(ok, Duration.ofSeconds(5)), "same host, offset " + ok);
    Duration off = DatabaseClock.offset(db.ds(), Clock.offset(Clock.systemUTC(), Duration.ofSeconds(-120)));
    String problem = DatabaseClock.problem(off, Duration.ofSeconds(5));
    assertNotNull(problem);
    assertTrue(problem.contains("120.") && problem.contains("behind"), problem);
  }

  @Test
  void a_conflict_is_dated_by_the_database() throws Exception {
    calls.insert(JobQueueIT.call("1.1"));
    calls.insert(dev.postcall.CallBuilder.from(JobQueueIT.call("1.1")).caller("999").build());
    assertEquals(1, db.count("SELECT COUNT(*) FROM call_conflicts"));
    long off = db.count("SELECT ABS(TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(3), detected_at)) FROM call_conflicts");
    assertTrue(off <= 5, "detected " + off + " s from the database's now");
  }
}
