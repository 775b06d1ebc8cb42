package dev.postcall.work;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.MutableClock;
import dev.postcall.TestDb;
import dev.postcall.call.CallRecord;
import dev.postcall.queue.CallStore;
import dev.postcall.queue.Job;
import dev.postcall.queue.JobQueue;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** After kill -9 and a restart, this instance's own leases are released at start, nobody else's. */
class OwnLeasesIT {
  TestDb db;
  MutableClock clock = new MutableClock(Instant.parse("2026-12-06T10:00:00Z"));
  CallStore calls;
  JobQueue queue;
  Process live;

  @BeforeEach
  void setUp() throws Exception {
    db = TestDb.create();
    calls = new CallStore(db.ds());
    queue = new JobQueue(db.ds(), clock);
    live = new ProcessBuilder("sleep", "60").start();
  }

  @AfterEach
  void tearDown() {
    live.destroyForcibly();
    db.close();
  }

  static CallRecord call(String uid) {
    return new CallRecord(uid, uid, "Local/101@rig-0001;2", null, "100", "Alice", "101", "rig",
        Instant.parse("2026-12-06T09:59:00Z"), null, Instant.parse("2026-12-06T09:59:30Z"), 30, 0,
        "NO ANSWER", "BUSY", null, null, null, CallRecord.Source.AGI, dev.postcall.config.PostcallConfig.Pbx.defaultId());
  }

  Job claimAs(String uid, String owner) throws Exception {
    calls.insert(call(uid));
    List<Job> jobs = queue.claim(owner, 1, Duration.ofMinutes(5));
    assertEquals(uid, jobs.get(0).uniqueid());
    return jobs.get(0);
  }

  @Test
  void only_the_leases_of_dead_processes_of_this_instance_are_released() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    long dead = gone.pid();
    long me = ProcessHandle.current().pid();
    claimAs("1.1", "pbx1/abcd1234:" + dead + ":r1");   // this instance, killed
    claimAs("1.2", "pbx1/abcd1234:" + me + ":r2");     // this instance, the same pid as now: a container restart
    claimAs("1.3", "pbx1/abcd1234:" + live.pid() + ":r3"); // this instance, still running (started twice by mistake)
    claimAs("1.4", "pbx1/ffff0000:" + dead + ":r4");   // another installation on the host
    claimAs("1.5", "pbx2/abcd1234:" + dead + ":r5");   // another host

    String prefix = "pbx1/abcd1234:";
    int released = queue.releaseLeasesOf(prefix, o -> !WorkerPool.alive(o.substring(prefix.length())));

    assertEquals(2, released);
    List<String> again = queue.claim("pbx1/abcd1234:" + me + ":new", 10, Duration.ofMinutes(5)).stream()
        .map(Job::uniqueid).sorted().toList();
    assertEquals(List.of("1.1", "1.2"), again, "claimable at once, without waiting out the 5-minute lease");
  }

  @Test
  void owner_names_that_are_not_ours_count_as_alive() {
    assertTrue(WorkerPool.alive("not-a-pid"));
    assertFalse(WorkerPool.alive(ProcessHandle.current().pid() + ":x"));
  }

  @Test
  void the_instance_is_stable_and_depends_on_the_data_folder() {
    var a = dev.postcall.config.PostcallConfig.from(dev.postcall.config.Settings.of(java.util.Map.of("agi.spool-dir", "/srv/a/spool")));
    var b = dev.postcall.config.PostcallConfig.from(dev.postcall.config.Settings.of(java.util.Map.of("agi.spool-dir", "/srv/b/spool")));
    assertEquals(WorkerPool.instanceOf(a), WorkerPool.instanceOf(a));
    assertFalse(WorkerPool.instanceOf(a).equals(WorkerPool.instanceOf(b)));
  }
}
