package dev.postcall.agi;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.TestDb;
import dev.postcall.call.CallRecord;
import dev.postcall.cdr.BackfillFile;
import dev.postcall.cdr.ImportCounts;
import dev.postcall.config.PostcallConfig;
import dev.postcall.config.Settings;
import dev.postcall.incident.SoapIncidentSystem;
import dev.postcall.queue.CallStore;
import dev.postcall.queue.JobEventOutcome;
import dev.postcall.queue.JobQueue;
import dev.postcall.queue.JobState;
import dev.postcall.queue.RecordingOwnership;
import dev.postcall.sim.IncidentServer;
import dev.postcall.sim.IncidentServer.StoredObject;
import dev.postcall.sim.WavWriter;
import dev.postcall.work.DeliverCall;
import dev.postcall.work.WorkerPool;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two PBXs on one database whose uniqueids collide (no systemname): PBX A's and PBX B's hangups
 * over real FastAGI sockets, B's Master.csv imported, one worker serving both PBXs' recording
 * folders (the same file name in each), the real SOAP simulator dropping the response of B's first
 * create. Every call is stored and delivered on its own object, with its own caller and recording,
 * and the retry finds B's object, never A's of the same uniqueid.
 */
class SeveralPbxIT {
  static final Transcript BUSY = AgiServerIT.BUSY;
  static final String U1 = "1795386561.77";
  static final String U2 = "1795386561.78";
  /** Only in B's Master.csv. */
  static final String U3 = "1795386561.90";

  @TempDir Path tmp;
  TestDb db;
  CallStore store;
  AgiService pbxA;
  AgiService pbxB;
  Path monA;
  Path monB;
  IncidentServer server;
  SoapIncidentSystem soap;
  WorkerPool pool;
  final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
  final SimpleMeterRegistry metricsB = new SimpleMeterRegistry();

  @BeforeEach
  void setUp() throws Exception {
    db = TestDb.create();
    RecordingOwnership names = new RecordingOwnership("${uniqueid}.wav");
    store = new CallStore(db.ds(), pbx -> names, Duration.ZERO);
    pbxA = AgiHarness.start(store, Files.createDirectories(tmp.resolve("spool-a")), Map.of("pbx.id", "pbx-a"),
        new SimpleMeterRegistry());
    pbxB = AgiHarness.start(store, Files.createDirectories(tmp.resolve("spool-b")), Map.of("pbx.id", "pbx-b"), metricsB);
    monA = Files.createDirectories(tmp.resolve("mounts/pbx-a/monitor"));
    monB = Files.createDirectories(tmp.resolve("mounts/pbx-b/monitor"));
    server = IncidentServer.onLoopback(tmp.resolve("incident-files"), "postcall", "pw");
  }

  @AfterEach
  void tearDown() throws Exception {
    if (pool != null) pool.close();
    if (soap != null) soap.close();
    server.close();
    pbxA.close();
    pbxB.close();
    db.close();
  }

  /** A hangup of {@code uid} on a PBX: its own caller, its recording in its own folder. */
  static void hangup(AgiService pbx, String uid, String caller, Path monitor) throws Exception {
    new FakeAsterisk(pbx.localPort()).play(BUSY.withUniqueid(uid).withEnv(Map.of("agi_callerid", caller))
        .withVariables(Map.of("MIXMONITOR_FILENAME", monitor.resolve(uid + ".wav").toString())));
    pbx.drainOnce();
  }

  void startWorker() {
    Map<String, String> m = new HashMap<>();
    m.put("pbx.id", "pbx-a"); // the worker runs on PBX A's host; it reads B's recordings through B's mount
    m.put("recordings.dir", tmp.resolve("unused").toString());
    m.put("recordings.pbx.pbx-a.dir", monA.toString());
    m.put("recordings.pbx.pbx-b.dir", monB.toString());
    m.put("recordings.quiet-period", "50ms");
    m.put("recordings.open-wait", "300ms");
    m.put("recordings.proc-probe", "false");
    m.put("archive.dir", tmp.resolve("archive").toString());
    m.put("incident.url", server.url());
    m.put("incident.password", "pw");
    m.put("incident.connect-timeout", "1s");
    m.put("incident.receive-timeout", "1s");
    m.put("incident.create-settle", "1500ms");
    m.put("incident.reconcile-after", "500ms");
    m.put("worker.backoff-base", "100ms");
    m.put("worker.backoff-max", "400ms");
    m.put("worker.poll-interval", "50ms");
    m.put("worker.threads", "2");
    PostcallConfig cfg = PostcallConfig.from(Settings.of(m));
    JobQueue queue = new JobQueue(db.ds(), Clock.systemUTC());
    soap = new SoapIncidentSystem(cfg.incident());
    pool = new WorkerPool(queue, DeliverCall.from(cfg, queue, soap, Clock.systemUTC(), metrics), cfg.worker());
    pool.start();
  }

  JobState state(String pbx, String uid) {
    return db.state(pbx, uid);
  }

  void awaitDone(String pbx, String uid) {
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(50)).until(() -> state(pbx, uid) == JobState.DONE);
  }

  StoredObject object(String pbx, String uid) {
    List<StoredObject> found = server.objects().stream()
        .filter(o -> uid.equals(o.first("uniqueid")) && pbx.equals(o.first("pbx_id"))).toList();
    assertEquals(1, found.size(), "one object for " + uid + " of " + pbx + ": " + server.objects());
    return found.get(0);
  }

  @Test
  void colliding_uniqueids_of_two_pbxs_are_two_calls_each_delivered_with_its_own_caller_and_recording() throws Exception {
    // the same file name in each PBX's folder, different recordings: 0.4 s on A, 1.4 s on B (no
    // longer: the BUSY calls last 0 s, and audio 1.5 s past a call's end would stretch its timing)
    for (String uid : List.of(U1, U2)) {
      WavWriter.tone(monA.resolve(uid + ".wav"), Duration.ofMillis(400), 8000, 440);
      WavWriter.tone(monB.resolve(uid + ".wav"), Duration.ofMillis(1400), 8000, 660);
    }
    WavWriter.tone(monB.resolve(U3 + ".wav"), Duration.ofMillis(1400), 8000, 660);

    hangup(pbxA, U1, "1111", monA);
    hangup(pbxA, U2, "1112", monA);
    startWorker();
    awaitDone("pbx-a", U1);
    awaitDone("pbx-a", U2);

    // B's first create is carried out but its answer lost: the retry must find B's object, not A's
    server.dropResponseAfterCreate(1);
    hangup(pbxB, U1, "2221", monB);
    awaitDone("pbx-b", U1);
    hangup(pbxB, U2, "2222", monB);
    // an identical second hangup on B: a counted duplicate, nothing added
    hangup(pbxB, U2, "2222", monB);

    // B's Master.csv: its own U1 (merged into B's call, never A's) and U3, which only it saw
    Path csv = tmp.resolve("Master-b.csv");
    Files.writeString(csv, row(U1, "200", "Local/200@rig-00000026;2") + row(U3, "300", "Local/300@rig-00000030;2"));
    PostcallConfig.Csv b = new PostcallConfig.Csv(List.of(csv), "auto", ZoneId.of("UTC"), List.of("rig"),
        List.of("Local/*;1"), List.of("AppDial", "AppDial2"), Duration.ofSeconds(10), "0 30 2 * * ?", 1000).forPbx("pbx-b");
    ImportCounts counts = new BackfillFile(b, db.csvDs(), Clock.systemUTC()).run(csv, null, c -> { });
    assertEquals(1, counts.fresh(), "U3 is new; B's U1 is B's call already");
    awaitDone("pbx-b", U2);
    awaitDone("pbx-b", U3);

    assertEquals(5, store.count(), "A: U1, U2; B: U1, U2, U3 — nothing merged across PBXs");
    assertEquals(0, db.count("SELECT COUNT(*) FROM call_corrections"), "B's Master.csv agrees with B's calls and never corrected A's");
    assertEquals(0, db.count("SELECT COUNT(*) FROM call_conflicts"));
    assertEquals("1111", store.find("pbx-a", U1).orElseThrow().callerNumber());
    assertEquals("2221", store.find("pbx-b", U1).orElseThrow().callerNumber());
    assertEquals(CallRecord.Source.CSV, store.find("pbx-b", U3).orElseThrow().source());
    assertTrue(store.find("pbx-a", U3).isEmpty());

    assertEquals(5, server.objects().size(), "one object per call: " + server.objects());
    assertEquals(List.of(), List.copyOf(server.removed().keySet()), "no duplicate had to be removed");
    for (String uid : List.of(U1, U2)) {
      StoredObject a = object("pbx-a", uid);
      StoredObject bObj = object("pbx-b", uid);
      assertEquals(uid.equals(U1) ? "1111" : "1112", a.first("caller_number"));
      assertEquals(uid.equals(U1) ? "2221" : "2222", bObj.first("caller_number"));
      List<IncidentServer.StoredFile> fa = server.files(a.objectref());
      List<IncidentServer.StoredFile> fb = server.files(bObj.objectref());
      assertEquals(1, fa.size(), "A's " + uid + " has its one recording");
      assertEquals(1, fb.size(), "B's " + uid + " has its one recording");
      // A's 0.4 s and B's 1.4 s recordings: each object carries its own PBX's file
      assertTrue(fb.get(0).bytes() > 2 * fa.get(0).bytes(), "B's " + uid + ": " + fb.get(0) + " vs A's " + fa.get(0));
      assertFalse(Files.exists(monA.resolve(uid + ".wav")), "A's WAV uploaded and removed");
      assertFalse(Files.exists(monB.resolve(uid + ".wav")), "B's WAV uploaded and removed");
    }
    assertEquals(1, server.files(object("pbx-b", U3).objectref()).size());
    for (String pbx : List.of("pbx-a", "pbx-b"))
      for (String uid : List.of(U1, U2)) assertEquals(1, server.creates(pbx, uid), "one create reached the system: " + pbx + "/" + uid);
    assertEquals(1, db.count("SELECT COUNT(*) FROM job_events e JOIN jobs j ON j.id = e.job_id JOIN calls c ON c.id = j.call_id"
        + " WHERE c.pbx_id = 'pbx-b' AND c.uniqueid = ? AND e.outcome = ?", U1, JobEventOutcome.RETRY),
        "B's U1 went through the lost create response");
    assertEquals(1.0, metricsB.find("postcall.agi.duplicates").counter().count());
  }

  /** An 18-column Master.csv Dial row in context rig, BUSY, at the transcripts' time. */
  static String row(String uid, String dst, String channel) {
    return "\"\",\"5550" + dst + "\",\"" + dst + "\",\"rig\",\"\"\"Rig Caller\"\" <5550" + dst + ">\",\"" + channel
        + "\",\"\",\"Dial\",\"Local/busy@rig-callee,20\",\"2026-11-22 22:29:21\",,\"2026-11-22 22:29:21\",0,0,\"BUSY\","
        + "\"DOCUMENTATION\",\"" + uid + "\",\"\"\n";
  }
}
