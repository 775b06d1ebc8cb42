package dev.postcall.queue;

import dev.postcall.call.CallRecord;

import dev.postcall.CallBuilder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.MutableClock;
import dev.postcall.TestDb;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JobQueueIT {
  static final Duration LEASE = Duration.ofMinutes(2);
  TestDb db;
  MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
  CallStore calls;
  JobQueue queue;

  @BeforeEach
  void setUp() {
    db = TestDb.create();
    calls = new CallStore(db.ds());
    queue = new JobQueue(db.ds(), clock);
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  static CallRecord call(String uid) {
    return CallBuilder.agi(uid).linkedid(uid).channel("Local/101@rig-0001;2").caller("100").callerName("Alice")
        .extension("101").context("rig").start(Instant.parse("2026-11-23T09:59:00Z"))
        .end(Instant.parse("2026-11-23T09:59:30Z")).duration(30).billsec(0).disposition("NO ANSWER").dialStatus("BUSY")
        .build();
  }

  /** Regression: Connector/J dropped the milliseconds of every time sent to MariaDB. */
  @Test
  void times_keep_their_milliseconds() throws Exception {
    calls.insert(CallBuilder.from(call("1.0")).start(Instant.parse("2026-11-23T09:59:00.208Z")).build());
    queue.claim("a", 1, Duration.ofMillis(1500)).get(0);
    assertEquals(1, db.count("SELECT COUNT(*) FROM calls WHERE start_time = '2026-11-23 09:59:00.208'"), "sent from this node");
    // the lease is the database's now + 1.5 s, updated_at that same now: exactly 1.5 s apart only with milliseconds
    assertEquals(1_500_000, db.count("SELECT TIMESTAMPDIFF(MICROSECOND, updated_at, lease_until) FROM jobs"));
  }

  /** A call's end moved by its recordings: only ever later, the same on a second run. */
  @Test
  void a_calls_end_is_extended_never_shortened() throws Exception {
    calls.insert(call("1.2"));
    Job job = queue.claim("a", 1, LEASE).get(0);
    Instant later = Instant.parse("2026-11-23T09:59:33.020Z");
    queue.extendCallEnd(job, later, 33);
    queue.extendCallEnd(job, later, 33);
    CallRecord c = queue.withCurrentCall(job).call();
    assertEquals(later, c.end());
    assertEquals(33, c.duration());
    queue.extendCallEnd(job, Instant.parse("2026-11-23T09:59:10Z"), 10);
    c = queue.withCurrentCall(job).call();
    assertEquals(later, c.end());
    assertEquals(33, c.duration());
  }

  @Test
  void same_uniqueid_twice_is_one_call_and_one_job() throws Exception {
    assertTrue(calls.insert(call("1.1")));
    assertFalse(calls.insert(call("1.1")));
    assertEquals(1, db.count("SELECT COUNT(*) FROM calls"));
    assertEquals(1, db.count("SELECT COUNT(*) FROM jobs"));
  }

  @Test
  void claimed_job_is_not_claimed_again_until_its_lease_expires() throws Exception {
    calls.insert(call("1.1"));
    List<Job> first = queue.claim("a", 5, LEASE);
    assertEquals(1, first.size());
    assertEquals("1.1", first.get(0).uniqueid());
    assertEquals("Alice", first.get(0).call().callerName());
    assertEquals(0, queue.claim("b", 5, LEASE).size());

    assertEquals(0, queue.recoverExpiredLeases());
    db.passTime(LEASE.plusSeconds(1));
    assertEquals(1, queue.recoverExpiredLeases());
    List<Job> second = queue.claim("b", 5, LEASE);
    assertEquals(1, second.size());
    assertEquals(2, second.get(0).attempts());
    // the first owner's late update must not overwrite the new owner's work
    assertThrows(LeaseLostException.class, () -> queue.done(first.get(0)));
    queue.done(second.get(0));
    assertEquals(1, db.count("SELECT COUNT(*) FROM jobs WHERE state = ?", JobState.DONE));
  }

  @Test
  void a_create_in_doubt_is_stored_with_the_retry_and_a_worker_dying_at_create_leaves_its_job_in_doubt() throws Exception {
    calls.insert(call("1.1"));
    calls.insert(call("1.2"));
    List<Job> claimed = queue.claim("a", 2, LEASE);
    Job a = queue.progress(claimed.get(0), Stage.CREATE, null, null, null, LEASE);
    Job b = queue.progress(claimed.get(1), Stage.CREATE, null, null, null, LEASE);
    Instant unanswered = clock.instant();
    queue.retryLater(a, unanswered.plusSeconds(12), "timed out", unanswered);
    // b's worker dies with its create on the wire
    clock.advance(LEASE.plusSeconds(1));
    db.passTime(LEASE.plusSeconds(1));
    Instant recovered = clock.instant();
    assertEquals(1, queue.recoverExpiredLeases());

    List<Job> again = queue.claim("b", 2, LEASE);
    assertEquals(2, again.size());
    Job a2 = again.stream().filter(j -> j.uniqueid().equals("1.1")).findFirst().orElseThrow();
    Job b2 = again.stream().filter(j -> j.uniqueid().equals("1.2")).findFirst().orElseThrow();
    // stored on the database's clock, handed back on this node's: the same instant to the millisecond's rounding
    assertAbout(unanswered, a2.createInDoubtAt());
    assertAbout(recovered, b2.createInDoubtAt());

    // delivered: waits at RECONCILE, claimed when due like any job, then DONE
    a2 = queue.progress(a2, Stage.CLEANUP, null, "OBJ-1", null, LEASE);
    queue.awaitReconcile(a2, clock.instant().plusSeconds(24), "delivered as OBJ-1");
    assertEquals(JobState.PENDING, db.state("1.1"));
    assertEquals("0", db.job("1.1", "attempts"));
    queue.done(b2);
    assertEquals(0, queue.claim("c", 2, LEASE).size(), "not due yet");
    clock.advance(Duration.ofSeconds(25));
    db.passTime(Duration.ofSeconds(25));
    Job r = queue.claim("c", 2, LEASE).get(0);
    assertEquals(Stage.RECONCILE, r.stage());
    assertEquals("OBJ-1", r.objectref());
    assertAbout(unanswered, r.createInDoubtAt());
    queue.done(r, "no second object");
    assertEquals(JobState.DONE, db.state("1.1"));
    assertEquals(1, db.count("SELECT COUNT(*) FROM job_events WHERE stage = ? AND outcome = ?"
        + " AND message = 'no second object'", Stage.RECONCILE, JobEventOutcome.DONE));
  }

  /** Within the rounding to milliseconds and the time a few statements take. */
  static void assertAbout(Instant expected, Instant actual) {
    assertTrue(actual != null && Duration.between(expected, actual).abs().compareTo(Duration.ofMillis(500)) < 0,
        "expected about " + expected + ", got " + actual);
  }

  @Test
  void progress_is_kept_across_a_retry() throws Exception {
    calls.insert(call("1.1"));
    Job j = queue.claim("a", 1, LEASE).get(0);
    j = queue.progress(j, Stage.ATTACH, "/tmp/x.mp3", "OBJ-7", null, LEASE);
    queue.retryLater(j, clock.instant().plusSeconds(30), "connection refused");
    assertEquals(0, queue.claim("a", 1, LEASE).size(), "not due yet");
    clock.advance(Duration.ofSeconds(31));
    db.passTime(Duration.ofSeconds(31));
    Job again = queue.claim("a", 1, LEASE).get(0);
    assertEquals(Stage.ATTACH, again.stage());
    assertEquals("OBJ-7", again.objectref());
    assertEquals("/tmp/x.mp3", again.mp3Path());
  }

  @Test
  void failed_job_can_be_retried_or_discarded_by_an_admin() throws Exception {
    calls.insert(call("1.1"));
    calls.insert(call("1.2"));
    for (Job j : queue.claim("a", 2, LEASE)) queue.fail(j, "SOAP fault: invalid status");
    assertEquals(2, db.count("SELECT COUNT(*) FROM jobs WHERE state = ? AND failed_stage = ?", JobState.FAILED, Stage.WAIT));
    assertTrue(queue.retry(dev.postcall.call.CallRef.parse("1.1"), "admin"));
    assertTrue(queue.discard(dev.postcall.call.CallRef.parse("1.2"), "test call", "admin"));
    assertFalse(queue.retry(dev.postcall.call.CallRef.parse("nope"), "admin"));
    assertEquals(1, queue.claim("a", 5, LEASE).size());
    assertEquals(1, db.count("SELECT COUNT(*) FROM jobs WHERE state = ? AND discard_reason = 'test call'", JobState.DISCARDED));
  }

  @Test
  void concurrent_claimers_never_get_the_same_job() throws Exception {
    List<CallRecord> batch = new ArrayList<>();
    for (int i = 0; i < 300; i++) batch.add(call("2." + i));
    calls.insertAll(batch);
    Set<Long> seen = ConcurrentHashMap.newKeySet();
    ExecutorService pool = Executors.newFixedThreadPool(6);
    List<Future<Integer>> results = new ArrayList<>();
    for (int t = 0; t < 6; t++) {
      String owner = "w" + t;
      results.add(pool.submit(() -> {
        int dup = 0;
        while (true) {
          List<Job> jobs = queue.claim(owner, 7, LEASE);
          if (jobs.isEmpty()) return dup;
          for (Job j : jobs) {
            if (!seen.add(j.id())) dup++;
            queue.done(j);
          }
        }
      }));
    }
    int dups = 0;
    for (Future<Integer> f : results) dups += f.get();
    pool.shutdown();
    assertEquals(0, dups);
    assertEquals(300, seen.size());
    assertEquals(300, db.count("SELECT COUNT(*) FROM jobs WHERE state = ?", JobState.DONE));
  }
}
