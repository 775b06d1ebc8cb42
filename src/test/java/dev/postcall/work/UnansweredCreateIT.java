package dev.postcall.work;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.TestDb;
import dev.postcall.config.PostcallConfig;
import dev.postcall.config.Settings;
import dev.postcall.incident.SoapIncidentSystem;
import dev.postcall.queue.CallStore;
import dev.postcall.queue.JobEventOutcome;
import dev.postcall.queue.JobQueue;
import dev.postcall.queue.JobState;
import dev.postcall.queue.Stage;
import dev.postcall.sim.IncidentServer;
import dev.postcall.sim.IncidentServer.StoredObject;
import dev.postcall.sim.WavWriter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A create the incident system carries out after postcall stopped waiting for it (the simulator
 * holds it past the receive timeout, then does it), against the real SOAP endpoint and MariaDB.
 * The hold is longer than the client's timeout every time, so the race is hit on every run: when
 * the client gives up, no object exists yet; a moment later one does.
 */
class UnansweredCreateIT {
  @TempDir Path tmp;
  TestDb db;
  IncidentServer server;
  Path recordings;
  CallStore calls;
  JobQueue queue;
  SoapIncidentSystem soap;
  WorkerPool pool;
  final SimpleMeterRegistry metrics = new SimpleMeterRegistry();

  @BeforeEach
  void setUp() throws Exception {
    db = TestDb.create();
    recordings = Files.createDirectories(tmp.resolve("monitor"));
    server = IncidentServer.onLoopback(tmp.resolve("incident-files"), "postcall", "pw");
    calls = new CallStore(db.ds());
    queue = new JobQueue(db.ds(), Clock.systemUTC());
  }

  @AfterEach
  void tearDown() throws Exception {
    if (pool != null) pool.close();
    if (soap != null) soap.close();
    server.close();
    db.close();
  }

  void startPool(Map<String, String> extra) {
    Map<String, String> m = new HashMap<>(Map.of(
        "recordings.dir", recordings.toString(), "archive.dir", tmp.resolve("archive").toString(),
        "incident.url", server.url(), "incident.password", "pw",
        "incident.connect-timeout", "1s", "incident.receive-timeout", "1s",
        "worker.backoff-base", "100ms", "worker.backoff-max", "400ms", "worker.poll-interval", "50ms"));
    m.put("recordings.quiet-period", "50ms");
    m.put("recordings.open-wait", "300ms");
    m.put("worker.threads", "2");
    m.putAll(extra);
    PostcallConfig cfg = PostcallConfig.from(Settings.of(m));
    soap = new SoapIncidentSystem(cfg.incident());
    pool = new WorkerPool(queue, DeliverCall.from(cfg, queue, soap, Clock.systemUTC(), metrics), cfg.worker());
    pool.start();
  }

  List<StoredObject> objectsOf(String uid) {
    return server.objects().stream().filter(o -> uid.equals(o.first("uniqueid"))).toList();
  }

  long events(String uid, JobEventOutcome outcome, String fragment) {
    return db.count("SELECT COUNT(*) FROM job_events e JOIN jobs j ON j.id = e.job_id JOIN calls c ON c.id = j.call_id"
        + " WHERE c.uniqueid = ? AND e.outcome = ? AND e.message LIKE ?", uid, outcome, "%" + fragment + "%");
  }

  @Test
  void a_create_carried_out_after_the_client_gave_up_is_found_after_the_settle_time_not_made_twice() throws Exception {
    String uid = "900.1";
    WavWriter.tone(recordings.resolve(uid + ".wav"), Duration.ofSeconds(2), 8000, 440);
    server.holdCreates(1, Duration.ofMillis(2_500)); // 1.5 s after the client's 1 s timeout
    calls.insert(DeliveryIT.answered(uid, 2));
    startPool(Map.of("incident.create-settle", "4s", "incident.reconcile-after", "1s"));

    // the client gave up while the server still held the create: a lookup now would find nothing
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
        .until(() -> events(uid, JobEventOutcome.RETRY, "may still carry it out") == 1);
    assertEquals(0, server.heldCreatesDone(), "the held create was still held when the client gave up");
    assertEquals(List.of(), objectsOf(uid));
    assertNotNull(db.job(uid, "create_in_doubt_at"), "stored, for any worker and after a restart");

    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> db.state(uid) == JobState.DONE);
    assertEquals(1, server.heldCreatesDone(), "the held create was carried out after all");
    assertEquals(1, server.creates(uid), "one create reached the incident system");
    List<StoredObject> objects = objectsOf(uid);
    assertEquals(1, objects.size());
    assertEquals(objects.get(0).objectref(), db.job(uid, "objectref"));
    assertEquals(1, server.files(objects.get(0).objectref()).size(), "the recording is on that object");
    assertEquals(1, events(uid, JobEventOutcome.DONE, "no second object"), "RECONCILE looked once more and found one");
    assertEquals(0.0, metrics.counter("postcall.incident.duplicates.removed").count());
  }

  @Test
  void a_create_held_beyond_the_settle_time_leaves_a_second_object_which_reconcile_removes() throws Exception {
    String uid = "900.2";
    WavWriter.tone(recordings.resolve(uid + ".wav"), Duration.ofSeconds(2), 8000, 440);
    // an incident system breaking its side of the deal: it holds a create longer than create-settle
    server.holdCreates(1, Duration.ofMillis(3_500));
    calls.insert(DeliveryIT.answered(uid, 2));
    startPool(Map.of("incident.create-settle", "1s", "incident.reconcile-after", "5s"));

    // the retry found nothing after the settle time, created the call again and delivered the recording to it
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> db.stage(uid) == Stage.RECONCILE);
    String ours = db.job(uid, "objectref");
    // then the held create was carried out: two objects for one call, for a while
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> server.heldCreatesDone() == 1);
    assertEquals(2, server.creates(uid));
    assertEquals(2, objectsOf(uid).size(), "the race happened: the late create made a second object");
    assertEquals(JobState.PENDING, db.state(uid), "not yet reconciled");

    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> db.state(uid) == JobState.DONE);
    List<StoredObject> left = objectsOf(uid);
    assertEquals(1, left.size(), "exactly one object remains");
    assertEquals(ours, left.get(0).objectref(), "the one postcall delivered to");
    assertEquals(1, server.files(ours).size(), "with the recording");
    assertEquals(1, server.removed().size());
    String removedRef = server.removed().keySet().iterator().next();
    assertTrue(server.removed().get(removedRef).contains(ours + " holds the call and its recording"), server.removed().toString());
    assertEquals(1.0, metrics.counter("postcall.incident.duplicates.removed").count());
    assertEquals(1, events(uid, JobEventOutcome.DONE, "removed duplicate object(s) [" + removedRef + "]"), "in the job's history");
  }
}
