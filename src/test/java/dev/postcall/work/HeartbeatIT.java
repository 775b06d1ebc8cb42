package dev.postcall.work;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;

import dev.postcall.TestDb;
import dev.postcall.config.PostcallConfig;
import dev.postcall.config.Settings;
import dev.postcall.call.CallRecord;
import dev.postcall.queue.CallStore;
import dev.postcall.queue.Job;
import dev.postcall.queue.JobQueue;
import dev.postcall.queue.JobState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A delivery that outlasts its lease (a long upload) keeps its job: the heartbeat renews it. */
class HeartbeatIT {
  TestDb db;
  JobQueue queue;
  CountDownLatch uploadEnds = new CountDownLatch(1);
  CountDownLatch uploading = new CountDownLatch(1);

  @BeforeEach
  void setUp() {
    db = TestDb.create();
    queue = new JobQueue(db.ds(), Clock.systemUTC());
  }

  @AfterEach
  void tearDown() {
    uploadEnds.countDown();
    db.close();
  }

  @Test
  void a_running_delivery_is_never_taken_over_and_a_dead_ones_job_returns_after_the_short_lease() throws Exception {
    PostcallConfig.Worker cfg = PostcallConfig.from(Settings.of(Map.of("worker.threads", "1", "worker.lease", "30s",
        "worker.heartbeat", "10s"))).worker();
    DeliverCall slow = mock(DeliverCall.class);
    doAnswer(inv -> {
      uploading.countDown();
      uploadEnds.await(30, TimeUnit.SECONDS);
      queue.done(inv.getArgument(0, Job.class));
      return null;
    }).when(slow).run(any());
    new CallStore(db.ds()).insert(call("1.1"));
    try (WorkerPool pool = new WorkerPool(queue, slow, cfg)) {
      pool.start();
      assertTrue(uploading.await(10, TimeUnit.SECONDS));
      JobQueue other = new JobQueue(db.ds(), Clock.systemUTC());
      // three lease lengths pass while the upload runs; a heartbeat comes every 10 s
      for (int i = 0; i < 9; i++) {
        db.passTime(Duration.ofSeconds(10));
        assertEquals(1, pool.heartbeatOnce());
        assertEquals(0, other.recoverExpiredLeases(), "taken over after " + (i + 1) * 10 + " s");
        assertEquals(0, other.claim("other", 1, cfg.lease()).size());
      }
      assertEquals(pool.owner(), db.job("1.1", "lease_owner"));
      uploadEnds.countDown();
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> db.state("1.1") == JobState.DONE);
      assertEquals("1", db.job("1.1", "attempts"));
    }
  }

  @Test
  void without_heartbeats_a_job_returns_once_the_30_s_default_lease_is_over() throws Exception {
    PostcallConfig.Worker cfg = PostcallConfig.from(Settings.of(Map.of())).worker();
    assertEquals(Duration.ofSeconds(30), cfg.lease());
    assertEquals(Duration.ofSeconds(10), cfg.heartbeat());
    new CallStore(db.ds()).insert(call("1.1"));
    queue.claim("died", 1, cfg.lease());
    db.passTime(Duration.ofSeconds(29));
    assertEquals(0, queue.recoverExpiredLeases());
    db.passTime(Duration.ofSeconds(2));
    assertEquals(1, queue.recoverExpiredLeases());
  }

  static CallRecord call(String uid) {
    return new CallRecord(uid, uid, "PJSIP/trunk-1", null, "100", "Alice", "101", "rig",
        Instant.parse("2026-11-23T09:59:00Z"), null, Instant.parse("2026-11-23T09:59:30Z"), 30, 0,
        "NO ANSWER", "BUSY", null, null, null, CallRecord.Source.AGI, dev.postcall.config.PostcallConfig.Pbx.defaultId());
  }
}
