package dev.postcall.work;

import dev.postcall.CallBuilder;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.TestDb;
import dev.postcall.config.PostcallConfig;
import dev.postcall.config.Settings;
import dev.postcall.incident.SoapIncidentSystem;
import dev.postcall.call.CallRecord;
import dev.postcall.queue.CallStore;
import dev.postcall.queue.JobEventOutcome;
import dev.postcall.queue.JobQueue;
import dev.postcall.queue.JobState;
import dev.postcall.queue.Stage;
import dev.postcall.sim.GrowingRecording;
import dev.postcall.sim.IncidentServer;
import dev.postcall.sim.WavWriter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker pipeline against real parts: MariaDB, the CXF incident simulator on 127.0.0.1, real
 * ffmpeg through JAVE2, real WAV files. Each test drives one failure the issue names.
 */
class DeliveryIT {
  static final Duration DELIVERED = Duration.ofSeconds(60);
  @TempDir Path tmp;
  TestDb db;
  IncidentServer server;
  Path recordings;
  Path archive;
  CallStore calls;
  JobQueue queue;
  List<AutoCloseable> open = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    db = TestDb.create();
    recordings = Files.createDirectories(tmp.resolve("monitor"));
    archive = tmp.resolve("archive");
    server = IncidentServer.onLoopback(tmp.resolve("incident-files"), "postcall", "pw");
    calls = new CallStore(db.ds());
    queue = new JobQueue(db.ds(), Clock.systemUTC());
  }

  @AfterEach
  void tearDown() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) open.get(i).close();
    server.close();
    db.close();
  }

  PostcallConfig config(Map<String, String> extra) {
    Map<String, String> m = new HashMap<>(Map.of(
        "recordings.dir", recordings.toString(), "archive.dir", archive.toString(),
        "incident.url", server.url(), "incident.password", "pw", "incident.receive-timeout", "3s",
        "worker.backoff-base", "100ms", "worker.backoff-max", "400ms", "worker.poll-interval", "50ms",
        "recordings.quiet-period", "50ms", "recordings.open-wait", "300ms"));
    // a lost create response leaves the create in doubt: settle and reconcile at test speed
    m.put("incident.create-settle", "3s");
    m.put("incident.reconcile-after", "500ms");
    m.putAll(extra);
    return PostcallConfig.from(Settings.of(m));
  }

  WorkerPool startPool(PostcallConfig cfg) {
    SoapIncidentSystem soap = new SoapIncidentSystem(cfg.incident());
    WorkerPool pool = new WorkerPool(queue, DeliverCall.from(cfg, queue, soap, Clock.systemUTC(), new SimpleMeterRegistry()), cfg.worker());
    pool.start();
    open.add(soap);
    open.add(pool);
    return pool;
  }

  static CallRecord call(String uid, String dialStatus, String disposition, Instant answer, int duration) {
    Instant start = Instant.parse("2026-11-23T09:00:00Z");
    return new CallRecord(uid, uid, "PJSIP/trunk-1", null, "03012345", "Jürgen", "201", "incoming", start, answer,
        start.plusSeconds(duration), duration, answer == null ? 0 : duration - 2, disposition, dialStatus, null, null, null,
        CallRecord.Source.AGI, dev.postcall.config.PostcallConfig.Pbx.defaultId());
  }

  static CallRecord answered(String uid, int seconds) {
    return call(uid, "ANSWER", "ANSWERED", Instant.parse("2026-11-23T09:00:02Z"), seconds);
  }

  void awaitState(String uid, JobState state) {
    await().atMost(DELIVERED).pollInterval(Duration.ofMillis(50)).until(() -> stateOf(uid) == state);
  }

  JobState stateOf(String uid) {
    return db.state(uid);
  }

  String lastError(String uid) {
    return db.job(uid, "last_error");
  }

  /** What ffmpeg itself reads from the MP3 (not our own frame counter). */
  static Duration decodedLength(Path mp3) throws Exception {
    return Duration.ofMillis(new ws.schild.jave.MultimediaObject(mp3.toFile()).getInfo().getDuration());
  }

  @Test
  void answered_call_arrives_once_with_its_fields_and_a_playable_mp3() throws Exception {
    WavWriter.tone(recordings.resolve("100.1.wav"), Duration.ofSeconds(5), 8000, 440);
    calls.insert(answered("100.1", 7));
    startPool(config(Map.of()));
    awaitState("100.1", JobState.DONE);

    assertEquals(1, server.objects().size());
    IncidentServer.StoredObject o = server.objects().get(0);
    assertEquals("03012345", o.first("caller_number"));
    assertEquals("201", o.first("called_number"));
    assertEquals("2026-11-23T09:00:00Z", o.first("start_time"));
    assertEquals("7", o.first("duration"));
    assertEquals("answered", o.first("status"));
    assertEquals("100.1", o.first("uniqueid"));
    List<IncidentServer.StoredFile> files = server.files(o.objectref());
    assertEquals(1, files.size());
    Duration mp3 = decodedLength(files.get(0).path());
    assertTrue(Math.abs(mp3.toMillis() - 5000) < 1000, "mp3 lasts " + mp3);
    // cleaned up as configured: WAV deleted, MP3 archived
    assertFalse(Files.exists(recordings.resolve("100.1.wav")));
    assertTrue(Files.exists(archive.resolve("2026/11/23/100.1.mp3")));
    // every call's audio: not for other local accounts
    assertEquals("rw-r-----", java.nio.file.attribute.PosixFilePermissions.toString(
        Files.getPosixFilePermissions(archive.resolve("2026/11/23/100.1.mp3"))));
    for (String d : List.of("2026", "2026/11", "2026/11/23"))
      assertEquals("rwxr-x---", java.nio.file.attribute.PosixFilePermissions.toString(
          Files.getPosixFilePermissions(archive.resolve(d))), d);
  }

  @Test
  void every_dial_status_and_disposition_becomes_the_configured_status() throws Exception {
    Map<String, String> expected = new java.util.LinkedHashMap<>();
    String[][] cases = {
        {"BUSY", "FAILED", "busy"}, {"NOANSWER", "FAILED", "unanswered"}, {"CANCEL", "NO ANSWER", "unanswered"},
        {"CONGESTION", "FAILED", "congestion"}, {"CHANUNAVAIL", "FAILED", "impossible"},
        {null, "NO ANSWER", "unanswered"}, {null, "BUSY", "busy"}, {null, "FAILED", "impossible"},
        {null, "CONGESTION", "congestion"}, {"WEIRD", null, "unknown"}};
    for (int i = 0; i < cases.length; i++) {
      String uid = "200." + i;
      calls.insert(call(uid, cases[i][0], cases[i][1], null, 3));
      expected.put(uid, cases[i][2]);
    }
    startPool(config(Map.of()));
    expected.keySet().forEach(uid -> awaitState(uid, JobState.DONE));
    for (IncidentServer.StoredObject o : server.objects()) assertEquals(expected.get(o.first("uniqueid")), o.first("status"), o.first("uniqueid"));
    assertEquals(expected.size(), server.objects().size());
  }

  @Test
  void recording_still_being_written_is_delivered_once_released() throws Exception {
    Path wav = recordings.resolve("300.1.wav");
    GrowingRecording rec = new GrowingRecording(wav, 1);
    rec.append(2.0);
    calls.insert(answered("300.1", 3));
    startPool(config(Map.of()));
    // held open by this process: /proc shows it, the worker must keep waiting (seen twice, so
    // the second look came after the quiet period and still found it open)
    await().atMost(DELIVERED).until(() -> db.count("SELECT COUNT(*) FROM job_events WHERE outcome = ?"
        + " AND message = 'recording still open'", JobEventOutcome.POSTPONED) >= 2);
    assertEquals(0, server.objects().size());
    assertTrue(List.of(JobState.PENDING, JobState.CLAIMED).contains(stateOf("300.1")));
    rec.append(1.0);
    rec.close();
    awaitState("300.1", JobState.DONE);
    assertEquals(1, server.objects().size());
    Duration mp3 = decodedLength(server.files(server.objects().get(0).objectref()).get(0).path());
    assertTrue(Math.abs(mp3.toMillis() - 3000) < 1000, "whole recording delivered: " + mp3);
  }

  @Test
  void lost_responses_after_create_and_after_add_file_give_one_object_with_one_file() throws Exception {
    WavWriter.tone(recordings.resolve("400.1.wav"), Duration.ofSeconds(2), 8000, 440);
    WavWriter.tone(recordings.resolve("400.2.wav"), Duration.ofSeconds(2), 8000, 440);
    server.dropResponseAfterCreate(1);
    server.dropResponseAfterAddFile(1);
    calls.insert(answered("400.1", 2));
    calls.insert(answered("400.2", 2));
    startPool(config(Map.of("worker.threads", "1")));
    awaitState("400.1", JobState.DONE);
    awaitState("400.2", JobState.DONE);
    assertEquals(1, server.creates("400.1"));
    assertEquals(1, server.creates("400.2"));
    assertEquals(2, server.objects().size());
    for (IncidentServer.StoredObject o : server.objects()) assertEquals(1, server.files(o.objectref()).size(), o.first("uniqueid"));
  }

  @Test
  void soap_server_down_for_a_while_then_everything_arrives_once() throws Exception {
    server.refuse();
    for (int i = 0; i < 10; i++) calls.insert(call("500." + i, "BUSY", "FAILED", null, 1));
    startPool(config(Map.of("worker.max-attempts", "50")));
    await().atMost(DELIVERED).until(() -> db.count("SELECT COUNT(*) FROM job_events WHERE outcome = ?", JobEventOutcome.RETRY) >= 10);
    assertEquals(0, server.objects().size());
    server.accept();
    for (int i = 0; i < 10; i++) awaitState("500." + i, JobState.DONE);
    assertEquals(10, server.objects().size());
    for (int i = 0; i < 10; i++) assertEquals(1, server.creates("500." + i));
  }

  @Test
  void permanent_fault_corrupt_wav_and_outside_path_fail_with_a_clear_reason() throws Exception {
    server.failNext(1, "VALIDATION");
    calls.insert(call("600.1", "BUSY", "FAILED", null, 1));
    Files.write(recordings.resolve("600.2.wav"), "this is not a wav file at all, just text pretending".repeat(40).getBytes());
    calls.insert(answered("600.2", 4));
    Path outside = Files.writeString(tmp.resolve("secret.wav"), "keep me");
    calls.insert(CallBuilder.agi("600.3").caller("1").extension("2").context("incoming").answer(Instant.now()).duration(1)
        .billsec(1).disposition("ANSWERED").dialStatus("ANSWER").recording("../secret.wav").build());
    startPool(config(Map.of()));
    awaitState("600.1", JobState.FAILED);
    awaitState("600.2", JobState.FAILED);
    awaitState("600.3", JobState.FAILED);
    assertTrue(lastError("600.1").contains("VALIDATION"), lastError("600.1"));
    assertTrue(lastError("600.2").startsWith("CONVERT: "), lastError("600.2"));
    assertTrue(lastError("600.3").contains("outside the recordings root"), lastError("600.3"));
    assertEquals("keep me", Files.readString(outside));
    assertTrue(Files.exists(recordings.resolve("600.2.wav")), "nothing deleted before a successful upload");
  }

  @Test
  void two_pools_on_one_database_deliver_500_jobs_each_exactly_once() throws Exception {
    List<CallRecord> batch = new ArrayList<>();
    for (int i = 0; i < 500; i++) batch.add(call("700." + i, i % 2 == 0 ? "BUSY" : "NOANSWER", "FAILED", null, 1));
    calls.insertAll(batch);
    PostcallConfig cfg = config(Map.of("worker.threads", "4"));
    startPool(cfg);
    startPool(cfg);
    await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200))
        .until(() -> db.count("SELECT COUNT(*) FROM jobs WHERE state = ?", JobState.DONE) == 500);
    assertEquals(500, server.objects().size());
    for (int i = 0; i < 500; i++) assertEquals(1, server.creates("700." + i), "700." + i);
  }

  @Test
  void answered_call_whose_recording_never_came_and_that_failed_before_is_delivered_without_one_on_retry() throws Exception {
    // a job from before recordings.missing-wait existed: it waited out max-age and FAILED
    calls.insert(answered("700.1", 9));
    db.exec("UPDATE jobs SET state = ?, failed_stage = ?, last_error = 'WAIT: no recording',"
        + " created_at = created_at - INTERVAL 7 HOUR", JobState.FAILED, Stage.WAIT);
    assertTrue(queue.retry(dev.postcall.call.CallRef.parse("700.1"), "admin"), "failed retry");
    startPool(config(Map.of()));
    awaitState("700.1", JobState.DONE);
    assertEquals(1, server.objects().size());
    assertEquals("answered", server.objects().get(0).first("status"));
    assertTrue(server.files(server.objects().get(0).objectref()).isEmpty(), "delivered without a file");
  }

  @Test
  void a_growing_recording_is_not_taken_while_asterisk_writes_it_even_when_quiet() throws Exception {
    // no /proc view (another user, another host) and a file that stops growing before it is closed
    GrowingRecording rec = new GrowingRecording(recordings.resolve("710.1.wav"), 7);
    rec.append(2.0);
    calls.insert(answered("710.1", 5));
    startPool(config(Map.of("recordings.proc-probe", "false")));
    Thread.sleep(1_500); // many quiet periods pass
    assertEquals(0, server.objects().size(), "nothing delivered while the header says the file is open");
    rec.append(1.0);
    rec.close();
    awaitState("710.1", JobState.DONE);
    Duration mp3 = decodedLength(server.files(server.objects().get(0).objectref()).get(0).path());
    assertTrue(Math.abs(mp3.toMillis() - 3000) < 300, "the whole 3 s: " + mp3);
  }
}
