package dev.postcall.chaos;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.TestDb;
import dev.postcall.db.Sql;
import dev.postcall.sim.CallSimulator;
import dev.postcall.sim.CallSimulator.Outcome;
import dev.postcall.sim.CallSimulator.SimulatedCall;
import dev.postcall.sim.IncidentServer;
import java.io.IOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Scenario: a call centre of four PBXs on one database. Four PBX nodes ({@code roles=agi,tailer},
 * each its own {@code pbx.id}, Master.csv and recordings), two worker nodes, one MariaDB, one
 * incident simulator, each postcall a process of its own. The PBXs are emulated by the call
 * simulator; one of them runs in a process of its own on a clock two minutes off (libfaketime), so
 * its Master.csv times and uniqueids are that clock's. Some calls reach only Master.csv, which every
 * PBX rotates while it is written. A PBX node and a worker are killed with {@code kill -9} in the
 * middle of the traffic and restarted; one 200 MB recording (CI: 20 MB) is uploaded over a link so
 * slow that the upload lasts longer than the lease. Counted from outside — the incident
 * simulator's objects and files, the database's jobs: every call delivered once with its own
 * recording (length and tone of the MP3 the simulator got), Master.csv-only calls stored within two
 * tail intervals, nothing FAILED. Apart from the traffic: a postcall whose own clock is two minutes
 * off refuses to start, with one line.
 *
 * <p>{@code -Dchaos.colliding-uniqueids=false} gives each PBX its own systemname prefix instead
 * of the same uniqueids; {@code -Dchaos.tail-every-pbx=false} lets only PBX 0 tail (one tailer
 * node), and only its calls may then reach Master.csv alone.
 */
class ManyPbxChaos {
  static final int PBXS = 4;
  private static final boolean COLLIDING = Boolean.parseBoolean(System.getProperty("chaos.colliding-uniqueids", "true"));
  private static final boolean TAIL_EVERY_PBX = Boolean.parseBoolean(System.getProperty("chaos.tail-every-pbx", "true"));
  /** The skewed PBX's clock against the real one. */
  private static final long SKEW_SECONDS = Long.getLong("chaos.pbx-skew-seconds", 120);
  private static final int SKEWED = 3;
  private static final Path FAKETIME = Path.of("/usr/bin/faketime");
  /** csv.tail-interval: half the default; on a loaded 2-core host a 2 s interval let a tail run slip past two intervals. */
  private static final Duration TAIL_INTERVAL = Duration.ofSeconds(5);
  /** A node's start on a loaded 2-core machine (seven JVMs of this scenario among others). */
  private static final Duration START = Duration.ofSeconds(120);
  /** Calls that hung up this shortly before their node's kill may not have been tailed yet: they count as the restart's. */
  private static final Duration KILL_WINDOW = Duration.ofSeconds(5);
  /** A restarted tailer reads what was written while it was down (and rotated meanwhile) within this. */
  private static final Duration CATCH_UP = Duration.ofSeconds(30);
  private static final String PBX_ATTRIBUTE = System.getProperty("chaos.pbx-attribute", "pbx_id");

  /** Calls per PBX: a quarter of chaos.calls (CI: 25; scripts/chaos 1200 ManyPbxChaos: 300). */
  private final int perPbx = Math.max(10, ChaosRun.CALLS / PBXS);
  private final boolean full = ChaosRun.CALLS >= 1000;
  /** worker.lease: short in CI so that the long upload outlasts it in seconds, not minutes (heartbeat a third). */
  private final Duration lease = Duration.ofSeconds(full ? 30 : 10);
  /** The long recording: 200 MB of 8 kHz 16-bit WAV at full size (3.6 h of audio), 20 MB in CI. */
  private final long bigWavBytes = Long.getLong("chaos.big-recording-mb", full ? 200 : 20) * 1_000_000L;
  /** Its MP3 (32 kbit/s: a quarter of the WAV). */
  private final long bigMp3Bytes = (bigWavBytes - 44) / 4;
  /** How long its upload is to take: past the old 5-minute lease at full size, past the 10 s lease in CI. */
  private final Duration bigUpload = Duration.ofSeconds(full ? 320 : 18);
  /**
   * incident.receive-timeout: addFile is allowed this plus the file at 256 KiB/s; the full-size
   * upload is slower than that on purpose, so the allowance is widened for it (in CI it fits).
   */
  private final Duration receiveTimeout = Duration.ofSeconds(Math.max(3, bigUpload.toSeconds() - bigMp3Bytes / 262_144 + 30));

  private final Path dir = Path.of("target", "chaos", "many-pbx").toAbsolutePath();
  private final List<ServiceProcess> processes = new ArrayList<>();
  private final Map<Integer, Instant> tailerBackAt = new ConcurrentHashMap<>();
  private final Map<Integer, Instant> pbxDownAt = new ConcurrentHashMap<>();
  private final List<String> kills = java.util.Collections.synchronizedList(new ArrayList<>());

  /** The n-th call's tone on PBX {@code pbx}: calls with the same sequence on different PBXs differ, and so do neighbours. */
  static double toneHz(int n, int pbx) {
    return 300 + 20 * ((4 * n + pbx) % 110);
  }

  static List<Double> tones() {
    List<Double> all = new ArrayList<>();
    for (int i = 0; i < 110; i++) all.add(300.0 + 20 * i);
    return all;
  }

  private static String pbxId(int i) {
    return "pbx" + i;
  }

  private static boolean tails(int pbx) {
    return TAIL_EVERY_PBX || pbx == 0;
  }

  @Test
  void four_pbxs_and_two_workers_on_one_database_deliver_every_call_once_with_its_own_recording() throws Exception {
    assertTrue(Files.isExecutable(FAKETIME), FAKETIME + " missing: install Debian's faketime (scripts/test --setup does)");
    ChaosRun.deleteTree(dir);
    Files.createDirectories(dir);
    long started = System.nanoTime();
    try (TestDb db = TestDb.create();
        IncidentServer incident = IncidentServer.onLoopback(dir.resolve("incident"), "postcall", "pw")) {
      try {
        run(db, incident, started);
      } finally {
        for (ServiceProcess p : processes) p.close();
      }
    }
  }

  private void run(TestDb db, IncidentServer incident, long started) throws Exception {
    Map<String, String> base = baseConfig(db, incident);
    int[] agiPorts = new int[PBXS];
    ServiceProcess[] pbxNodes = new ServiceProcess[PBXS];
    for (int i = 0; i < PBXS; i++) {
      agiPorts[i] = ChaosRun.freePort();
      Map<String, String> c = new TreeMap<>(base);
      Path home = dir.resolve(pbxId(i));
      c.put("roles", tails(i) ? "agi,tailer" : "agi");
      c.put("web.port", String.valueOf(ChaosRun.freePort()));
      c.put("pbx.id", pbxId(i));
      c.put("agi.port", String.valueOf(agiPorts[i]));
      c.put("agi.spool-dir", home.resolve("spool").toString());
      c.put("csv.files", masterCsv(i).toString());
      c.put("recordings.dir", recordings(i).toString());
      c.put("archive.dir", home.resolve("archive").toString());
      pbxNodes[i] = node(home, c, agiPorts[i]);
    }
    ServiceProcess[] workers = new ServiceProcess[2];
    for (int w = 0; w < 2; w++) {
      Map<String, String> c = new TreeMap<>(base);
      Path home = dir.resolve("worker" + w);
      int webPort = ChaosRun.freePort();
      c.put("roles", w == 0 ? "worker,web" : "worker");
      c.put("web.port", String.valueOf(webPort));
      if (w > 0) c.put("web.queue-gauges", "false");
      c.put("agi.spool-dir", home.resolve("spool").toString());
      c.put("recordings.dir", recordingsRoot().toString());
      // each PBX's recordings from its own folder (its shared mount), where the same name is another recording
      if (COLLIDING) for (int i = 0; i < PBXS; i++) c.put("recordings.pbx." + pbxId(i) + ".dir", recordings(i).toString());
      c.put("recordings.proc-probe", "false");
      c.put("archive.dir", home.resolve("archive").toString());
      c.put("audio.ffmpeg-dir", home.resolve("ffmpeg").toString());
      workers[w] = node(home, c, webPort); // a worker node's "up" is its /metrics listener
    }
    for (ServiceProcess p : processes) p.launch();
    for (ServiceProcess p : processes) p.awaitListening(START);
    for (int i = 0; i < PBXS; i++) if (tails(i)) awaitTailer(pbxNodes[i], i);
    Duration startup = Duration.ofNanos(System.nanoTime() - started);

    // The traffic: every PBX the same number of calls over the same span.
    double span = Math.max(30, PBXS * perPbx / 12.0);
    double rate = Math.max(1, perPbx / span);
    long epoch = System.currentTimeMillis() / 1000;
    Map<Integer, CallSimulator> sims = new TreeMap<>();
    for (int i = 0; i < PBXS; i++) {
      if (i == SKEWED) continue;
      final int pbx = i;
      sims.put(i, new CallSimulator(new CallSimulator.Options(perPbx, rate, 64, ChaosRun.mix(), tails(i) ? 15 : 0, 0,
          0.01, Duration.ofSeconds(180), recordings(i), masterCsv(i), new InetSocketAddress("127.0.0.1", agiPorts[i]),
          ZoneId.systemDefault(), 100 + i, false)).uniqueids(systemname(i), epoch).tones(n -> toneHz(n, pbx)));
    }
    // The long recording first: a call of PBX 1 that has just ended, its WAV written at disk speed;
    // the incident simulator reads uploads slowly past their first 256 kB (small MP3s pass at once).
    double bigSeconds = (bigWavBytes - 44) / 16_000.0;
    incident.readSlowly(Math.max(1, bigMp3Bytes / bigUpload.toSeconds()), 256 * 1024);
    SimulatedCall bigCall = sims.get(1).placeLong(bigSeconds);
    String bigKey = key(1, bigCall.uniqueid());
    BigWatch watch = new BigWatch(db, incident, bigCall.uniqueid());
    Map<Integer, CompletableFuture<List<SimulatedCall>>> runs = new TreeMap<>();
    sims.forEach((i, sim) -> runs.put(i, ChaosRun.simulate(sim)));
    Process skewedPbx = skewedPbx(agiPorts[SKEWED], rate, epoch);

    // The kills, each at its moment whatever the other's restart takes; meanwhile every in-process
    // PBX's Master.csv rotates (the skewed PBX rotates its own).
    long t0 = System.nanoTime();
    CompletableFuture<Void> pbxKill = at(t0, span * 0.3, () -> killAndRestartPbx(pbxNodes, 0));
    CompletableFuture<Void> workerKill = at(t0, span * 0.55, () -> killAndRestartWorker(workers, watch.owner()));
    int rotations = 0;
    CompletableFuture<Void> all = CompletableFuture.allOf(runs.values().toArray(CompletableFuture[]::new));
    while (!all.isDone()) {
      Thread.sleep(700);
      for (CallSimulator s : sims.values()) {
        if (rotations % 2 == 0) s.csv().rotate();
        else s.csv().copyTruncate();
      }
      rotations++;
      watch.poll();
    }
    pbxKill.get(5, TimeUnit.MINUTES);
    workerKill.get(5, TimeUnit.MINUTES);
    // Apart from the traffic: postcall itself on a clock 2 minutes off refuses to start.
    CompletableFuture<String> skewedRefusal = CompletableFuture.supplyAsync(() -> skewedPostcall(base));
    assertTrue(skewedPbx.waitFor(5, TimeUnit.MINUTES), "the skewed PBX's simulator ended");
    assertEquals(0, skewedPbx.exitValue(), "skewed PBX simulator: " + ServiceProcess.tail(dir.resolve("pbx-skewed-sim.log"), 20));
    Map<String, SimulatedCall> byKey = new LinkedHashMap<>();
    for (SimulatedCall c : PbxSimMain.read(dir.resolve("pbx-skewed-calls.tsv"))) byKey.put(key(SKEWED, c.uniqueid()), c);
    for (Map.Entry<Integer, CompletableFuture<List<SimulatedCall>>> r : runs.entrySet())
      for (SimulatedCall c : r.getValue().get()) byKey.put(key(r.getKey(), c.uniqueid()), c);
    byKey.put(bigKey, bigCall);
    Duration traffic = Duration.ofNanos(System.nanoTime() - t0);

    awaitSettled(db, byKey, ChaosRun.settleTime(byKey.size(), bigUpload.plusSeconds(60)), watch);
    Duration settled = Duration.ofNanos(System.nanoTime() - t0);
    for (ServiceProcess p : processes) assertTrue(p.alive(), "every node alive at the end");

    // Counting, from outside.
    Path ffmpeg = bundledFfmpeg();
    Count count = count(db, incident, byKey, new RecordingCheck(ffmpeg, tones()), bigKey);
    CsvLags csvLags = csvLags(db, byKey);
    String refusal = skewedRefusal.get(6, TimeUnit.MINUTES);
    long uniqueUniqueids = byKey.values().stream().map(SimulatedCall::uniqueid).distinct().count();
    double deliveredPerSecond = count.delivered / Math.max(1, watch.deliveryWindowSeconds(db));
    String line = String.format(Locale.ROOT,
        "many-pbx: simulated=%d delivered=%d duplicates=%d missing=%d failed=%d wrong_recording=%d files_twice=%d"
            + " no_recording=%d unexpected=%d colliding=%s distinct_uniqueids=%d csv_only=%d csv_lag_max_s=%s csv_catch_up_s=%s"
            + " big_mp3_mb=%.1f big_upload_s=%.1f big_owners=%d big_attempts=%d kills=%s rotations=%d skew_s=%d"
            + " startup_s=%.1f traffic_s=%.1f settled_s=%.1f delivered_per_s=%.1f agi_p99_ms=%.1f",
        byKey.size(), count.delivered, count.duplicates, count.missing.size(), count.failed.size(), count.wrongRecording.size(),
        count.filesTwice, count.noRecording, count.unexpected, COLLIDING, uniqueUniqueids, csvOnly(byKey).size(), csvLags.steady(), csvLags.catchUp(),
        watch.mp3Bytes / 1e6, watch.uploadSeconds(), watch.owners.size(), watch.attempts, kills, rotations, SKEW_SECONDS,
        startup.toMillis() / 1000.0, traffic.toMillis() / 1000.0, settled.toMillis() / 1000.0, deliveredPerSecond,
        Tally.p99Ms(byKey.values()));
    System.out.println(line);
    Files.writeString(dir.getParent().resolve("results.txt"), line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    if (!count.missing.isEmpty() || !count.wrongRecording.isEmpty() || !count.failed.isEmpty())
      System.out.println("many-pbx: missing " + count.missing + " wrong " + count.wrongRecording + " failed " + count.failed
          + " logs in " + dir);

    assertTrue(refusal.contains("postcall: db.max-clock-skew: this host's clock is"), "refusal line: " + refusal);
    assertEquals(0, count.duplicates, "duplicate objects");
    assertEquals(0, count.filesTwice, "files attached twice");
    assertEquals(0, count.unexpected, "objects for calls that were never made");
    assertEquals(Set.of(), count.missing, "calls missing");
    assertEquals(Map.of(), count.failed, "calls FAILED");
    assertEquals(0, count.noRecording, "answered calls delivered without their recording");
    assertEquals(Map.of(), count.wrongRecording, "recordings that are not their call's");
    assertEquals(byKey.size(), count.delivered, "delivered");
    if (COLLIDING) assertTrue(uniqueUniqueids < byKey.size() * 0.75, "uniqueids collide across PBXs: " + uniqueUniqueids);
    assertTrue(!csvOnly(byKey).isEmpty(), "some calls reached only Master.csv");
    for (int i = 1; i < PBXS; i++)
      if (tails(i)) assertTrue(csvLags.steady().containsKey(i), pbxId(i) + " had Master.csv-only calls while its tailer ran");
    csvLags.steady().forEach((pbx, lag) -> assertTrue(lag <= 2 * TAIL_INTERVAL.toMillis() / 1000.0,
        "Master.csv-only calls of " + pbxId(pbx) + " stored within two tail intervals: " + lag + " s"));
    csvLags.catchUp().forEach((pbx, lag) -> assertTrue(lag <= CATCH_UP.toSeconds(),
        "Master.csv-only calls of " + pbxId(pbx) + " from its downtime stored within " + CATCH_UP.toSeconds()
            + " s of its restart: " + lag + " s"));
    assertEquals(1, watch.owners.size(), "the long upload kept its one worker: " + watch.owners);
    assertTrue(watch.uploadSeconds() > lease.toSeconds(), "the long upload outlasted the lease: " + watch.uploadSeconds() + " s");
    assertEquals(1, count.bigCreates, "the long recording's call created once");
    assertEquals(2, kills.size(), "a PBX node and a worker killed: " + kills);
  }

  // --- the nodes ---

  private Map<String, String> baseConfig(TestDb db, IncidentServer incident) {
    Map<String, String> c = new TreeMap<>();
    c.put("db.url", db.url);
    c.put("db.user", TestDb.USER);
    c.put("db.password", TestDb.PASSWORD);
    c.put("db.pool-size", "4");
    c.put("agi.bind", "127.0.0.1");
    c.put("agi.read-timeout", "5s");
    c.put("agi.drain-interval", "200ms");
    c.put("recordings.quiet-period", "50ms");
    c.put("recordings.open-wait", "5s");
    c.put("incident.url", incident.url());
    c.put("incident.password", "pw");
    c.put("incident.connect-timeout", "1s");
    c.put("incident.receive-timeout", receiveTimeout.toSeconds() + "s");
    c.put("worker.threads", "4");
    c.put("worker.poll-interval", "50ms");
    c.put("worker.backoff-base", "200ms");
    c.put("worker.backoff-max", "2s");
    c.put("worker.max-attempts", "200");
    c.put("worker.lease", lease.toSeconds() + "s");
    c.put("worker.shutdown-deadline", "5s");
    c.put("csv.tail-interval", TAIL_INTERVAL.toMillis() + "ms");
    return c;
  }

  private ServiceProcess node(Path home, Map<String, String> config, int readyPort) throws IOException {
    Files.createDirectories(home);
    Path file = home.resolve("postcall.properties");
    Properties p = new Properties();
    p.putAll(config);
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      p.store(w, "generated by ManyPbxChaos");
    }
    ServiceProcess s = new ServiceProcess(file, home, readyPort, List.of("-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    processes.add(s);
    return s;
  }

  private Path masterCsv(int pbx) {
    return dir.resolve(pbxId(pbx)).resolve("cdr-csv").resolve("Master.csv");
  }

  private Path recordingsRoot() {
    return dir.resolve("recordings");
  }

  /** Each PBX its own folder once recordings are per PBX; until then one shared folder (distinct systemnames keep names apart). */
  private Path recordings(int pbx) {
    return COLLIDING ? recordingsRoot().resolve(pbxId(pbx)) : recordingsRoot();
  }

  private static String systemname(int pbx) {
    return COLLIDING ? "" : pbxId(pbx);
  }

  private static String key(int pbx, String uniqueid) {
    return pbxId(pbx) + "|" + uniqueid;
  }

  /** Calls start once the tailer has run: rotated files that exist at its first run are history by design. */
  private void awaitTailer(ServiceProcess node, int pbx) throws Exception {
    Path log = node.lastLog().orElseThrow();
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
        .until(() -> lines(log, "backfill", "started") > 0);
    Thread.sleep(2 * TAIL_INTERVAL.toMillis());
    tailerBackAt.put(pbx, Instant.now());
  }

  private interface Step {
    void run() throws Exception;
  }

  /** Runs {@code step} {@code seconds} after {@code t0}, in its own thread. */
  private static CompletableFuture<Void> at(long t0, double seconds, Step step) {
    return CompletableFuture.runAsync(() -> {
      try {
        long wait = t0 + (long) (seconds * 1e9) - System.nanoTime();
        if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
        step.run();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }

  private void killAndRestartPbx(ServiceProcess[] nodes, int pbx) throws Exception {
    nodes[pbx].kill();
    pbxDownAt.put(pbx, Instant.now());
    kills.add(pbxId(pbx));
    Thread.sleep(1_500); // down: its hangups reach only Master.csv
    nodes[pbx].launch();
    nodes[pbx].awaitListening(START);
    if (tails(pbx)) {
      Path log = nodes[pbx].lastLog().orElseThrow();
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
          .until(() -> lines(log, "backfill", "started") > 0);
      // back once its first run (the catch-up over what rotated meanwhile) is over: calls that end
      // during that run count as the restart's (bound CATCH_UP), the steady bound starts after it
      try {
        await().atMost(CATCH_UP).pollInterval(Duration.ofMillis(50)).until(() -> lines(log, "Master.csv tail:") > 0);
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        // nothing to read at all: back at once
      }
      tailerBackAt.put(pbx, Instant.now());
    }
  }

  /** Kills the worker that does not hold the long upload (that one must finish it, once). */
  private void killAndRestartWorker(ServiceProcess[] workers, String bigOwner) throws Exception {
    int victim = 1;
    for (int w = 0; w < workers.length; w++)
      if (bigOwner != null && bigOwner.contains(":" + workers[w].pid() + ":")) victim = 1 - w;
    workers[victim].kill();
    kills.add("worker" + victim);
    Thread.sleep(1_000);
    workers[victim].launch();
    workers[victim].awaitListening(START);
  }

  /** The PBX with the clock 2 minutes off: the simulator in a process of its own under libfaketime. */
  private Process skewedPbx(int agiPort, double rate, long epoch) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(FAKETIME.toString(), "-f", String.format(Locale.ROOT, "%+ds", SKEW_SECONDS),
        javaBin(), "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", String.join(java.io.File.pathSeparator, dev.postcall.ServiceJvm.classpath()),
        PbxSimMain.class.getName(), String.valueOf(agiPort), recordings(SKEWED).toString(), masterCsv(SKEWED).toString(),
        String.valueOf(perPbx), String.valueOf(rate), String.valueOf(tails(SKEWED) ? 15 : 0), "103", systemname(SKEWED),
        "clock", String.valueOf(SKEWED), "700", dir.resolve("pbx-skewed-calls.tsv").toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("pbx-skewed-sim.log").toFile());
    pb.environment().put("FAKETIME_DONT_FAKE_MONOTONIC", "1");
    return pb.start();
  }

  /** postcall (a PBX node) started under libfaketime 2 minutes off: its output, after it exits. */
  private String skewedPostcall(Map<String, String> base) {
    try {
      Path home = dir.resolve("postcall-skewed");
      Files.createDirectories(home);
      Map<String, String> c = new TreeMap<>(base);
      c.put("roles", "agi,tailer");
      c.put("pbx.id", "pbx-skewed");
      c.put("agi.port", String.valueOf(ChaosRun.freePort()));
      c.put("web.port", String.valueOf(ChaosRun.freePort()));
      c.put("agi.spool-dir", home.resolve("spool").toString());
      c.put("csv.files", home.resolve("Master.csv").toString());
      c.put("recordings.dir", home.resolve("monitor").toString());
      Path file = home.resolve("postcall.properties");
      Properties p = new Properties();
      p.putAll(c);
      try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
        p.store(w, "generated by ManyPbxChaos");
      }
      Path log = home.resolve("service-1.log");
      ProcessBuilder pb = new ProcessBuilder(FAKETIME.toString(), "-f", String.format(Locale.ROOT, "%+ds", SKEW_SECONDS), javaBin(),
          "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", String.join(java.io.File.pathSeparator, dev.postcall.ServiceJvm.classpath()), "dev.postcall.cli.Main",
          "run", "--config", file.toString()).redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().put("FAKETIME_DONT_FAKE_MONOTONIC", "1");
      Process proc = pb.start();
      if (!proc.waitFor(300, TimeUnit.SECONDS)) {
        proc.destroyForcibly();
        return "still running after 300 s: " + ServiceProcess.tail(log, 20);
      }
      List<String> refusals = Files.readAllLines(log).stream().filter(l -> l.contains("db.max-clock-skew")).toList();
      long started = Files.readAllLines(log).stream().filter(l -> l.contains("postcall started")).count();
      if (proc.exitValue() != 2 || refusals.size() != 1 || started > 0)
        return "exit " + proc.exitValue() + ", " + refusals.size() + " refusal lines, started " + started + ": "
            + ServiceProcess.tail(log, 20);
      return refusals.get(0);
    } catch (Exception e) {
      return e.toString();
    }
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private Path bundledFfmpeg() throws IOException {
    try (Stream<Path> s = Files.list(dir.resolve("worker0").resolve("ffmpeg"))) {
      return s.filter(p -> p.getFileName().toString().startsWith("ffmpeg") && Files.isExecutable(p)).findFirst()
          .orElseThrow(() -> new IllegalStateException("no ffmpeg unpacked under worker0/ffmpeg"));
    }
  }

  static long lines(Path log, String... fragments) {
    try (Stream<String> l = Files.lines(log, StandardCharsets.UTF_8)) {
      return l.filter(x -> Stream.of(fragments).allMatch(x::contains)).count();
    } catch (IOException | java.io.UncheckedIOException e) {
      return 0;
    }
  }

  // --- what the database holds ---

  private static boolean hasPbxColumn(TestDb db) throws SQLException {
    try (Connection c = db.ds().getConnection();
        ResultSet rs = c.getMetaData().getColumns(c.getCatalog(), null, "calls", "pbx_id")) {
      return rs.next();
    }
  }

  /** (pbx|uniqueid) → {state, received_at as epoch ms}, the pbx from its column or from the systemname. */
  private Map<String, String[]> stored(TestDb db) throws SQLException {
    boolean pbxColumn = hasPbxColumn(db);
    Map<String, String[]> out = new HashMap<>();
    try (Connection c = db.ds().getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT " + (pbxColumn ? "c.pbx_id" : "NULL")
            + ", c.uniqueid, j.state, c.received_at FROM calls c JOIN jobs j ON j.call_id = c.id");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        String uniqueid = rs.getString(2);
        String pbx = pbxColumn ? rs.getString(1) : uniqueid.substring(0, Math.max(0, uniqueid.lastIndexOf('-')));
        Instant received = dev.postcall.db.Sql.getInstant(rs, "received_at");
        out.put(pbx + "|" + uniqueid, new String[] {rs.getString(3), String.valueOf(received.toEpochMilli())});
      }
    }
    return out;
  }

  private void awaitSettled(TestDb db, Map<String, SimulatedCall> calls, Duration atMost, BigWatch watch) {
    try {
      await().atMost(atMost).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
        watch.poll();
        Map<String, String[]> s = stored(db);
        return calls.keySet().stream().allMatch(k -> s.containsKey(k) && Set.of("DONE", "FAILED").contains(s.get(k)[0]));
      });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      System.out.println("many-pbx: not settled after " + atMost.toSeconds() + " s");
    }
  }

  private static Map<String, SimulatedCall> csvOnly(Map<String, SimulatedCall> calls) {
    Map<String, SimulatedCall> out = new TreeMap<>();
    calls.forEach((k, c) -> {
      if (!c.viaAgi() || !c.agiCompleted()) out.put(k, c);
    });
    return out;
  }

  /**
   * Per PBX, the longest time a Master.csv-only call took from its hangup (on the real clock) to its
   * row in the database, for calls whose tailer ran all along ({@code steady}); and, for calls that
   * hung up while their node was down (or in the seconds before its kill), the time from the
   * restarted node's scheduler start ({@code catchUp}).
   */
  private record CsvLags(Map<Integer, Double> steady, Map<Integer, Double> catchUp) {}

  private CsvLags csvLags(TestDb db, Map<String, SimulatedCall> calls) throws SQLException {
    Map<String, String[]> s = stored(db);
    Map<Integer, Double> steady = new TreeMap<>();
    Map<Integer, Double> catchUp = new TreeMap<>();
    csvOnly(calls).forEach((k, c) -> {
      if (!s.containsKey(k)) return;
      int pbx = Integer.parseInt(k.substring(3, k.indexOf('|')));
      Instant hungUp = pbx == SKEWED ? c.hungUpAt().minusSeconds(SKEW_SECONDS) : c.hungUpAt();
      Instant stored = Instant.ofEpochMilli(Long.parseLong(s.get(k)[1]));
      Instant down = pbxDownAt.get(pbx);
      Instant back = tailerBackAt.get(pbx);
      boolean aroundKill = down != null && hungUp.isAfter(down.minus(KILL_WINDOW)) && hungUp.isBefore(back);
      Instant from = aroundKill ? back : hungUp;
      double lag = Math.max(0, Duration.between(from, stored).toMillis() / 1000.0);
      (aroundKill ? catchUp : steady).merge(pbx, lag, Math::max);
      if (!aroundKill && lag > 2 * TAIL_INTERVAL.toMillis() / 1000.0)
        System.out.println("many-pbx: slow Master.csv-only call " + k + " hung up " + hungUp + " stored " + stored);
    });
    return new CsvLags(steady, catchUp);
  }

  // --- what the incident simulator holds ---

  private record Count(int delivered, int duplicates, int filesTwice, int noRecording, int unexpected, Set<String> missing,
      Map<String, String> failed, Map<String, String> wrongRecording, int bigCreates) {}

  private Count count(TestDb db, IncidentServer incident, Map<String, SimulatedCall> calls, RecordingCheck check,
      String bigKey) throws Exception {
    Map<String, Integer> creates = new HashMap<>();
    Map<String, IncidentServer.StoredObject> live = new HashMap<>();
    Set<String> liveRefs = new java.util.HashSet<>();
    incident.objects().forEach(o -> liveRefs.add(o.objectref()));
    int unexpected = 0;
    for (IncidentServer.StoredObject o : incident.created()) {
      String uniqueid = o.first("uniqueid");
      String pbx = o.first(PBX_ATTRIBUTE);
      if (pbx == null && !COLLIDING) pbx = uniqueid == null ? "" : uniqueid.substring(0, Math.max(0, uniqueid.lastIndexOf('-')));
      String k = pbx + "|" + uniqueid;
      if (!calls.containsKey(k)) {
        unexpected++;
        continue;
      }
      creates.merge(k, 1, Integer::sum);
      if (liveRefs.contains(o.objectref())) live.putIfAbsent(k, o);
    }
    Map<String, String> failed = new TreeMap<>();
    Map<String, String[]> s = stored(db);
    try (Connection c = db.ds().getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT c.uniqueid, j.last_error FROM jobs j JOIN calls c ON c.id = j.call_id"
            + " WHERE j.state = ?")) {
      ps.setString(1, dev.postcall.queue.JobState.FAILED.name());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) failed.put(rs.getString(1), rs.getString(2));
      }
    }
    int delivered = 0;
    int duplicates = 0;
    int filesTwice = 0;
    int noRecording = 0;
    Set<String> missing = new TreeSet<>();
    Map<String, String> wrong = new TreeMap<>();
    for (Map.Entry<String, SimulatedCall> e : calls.entrySet()) {
      String k = e.getKey();
      SimulatedCall c = e.getValue();
      duplicates += Math.max(0, creates.getOrDefault(k, 0) - 1);
      IncidentServer.StoredObject o = live.get(k);
      if (o == null) {
        if (!(s.containsKey(k) && "FAILED".equals(s.get(k)[0]))) missing.add(k);
        continue;
      }
      delivered++;
      List<IncidentServer.StoredFile> files = incident.files(o.objectref());
      if (files.size() > 1) filesTwice++;
      boolean shouldHave = c.outcome() == Outcome.ANSWERED && c.audioSeconds() > 0.1;
      if (files.isEmpty()) {
        if (shouldHave) noRecording++;
        continue;
      }
      String why = check.mismatch(files.get(0).path(), c.toneHz(), c.audioSeconds());
      if (why != null) wrong.put(k, why);
    }
    return new Count(delivered, duplicates, filesTwice, noRecording, unexpected, missing, failed, wrong,
        creates.getOrDefault(bigKey, 0));
  }

  /**
   * Follows the long recording's job while it runs: who holds its lease (it must stay one worker),
   * how often it was claimed, and when its object and its file appeared at the incident simulator.
   */
  private final class BigWatch {
    private final TestDb db;
    private final IncidentServer incident;
    private final String uniqueid;
    final Set<String> owners = new TreeSet<>();
    int attempts;
    long mp3Bytes;
    private Instant objectAt;
    private Instant fileAt;
    private String owner;
    private String objectref;

    BigWatch(TestDb db, IncidentServer incident, String uniqueid) {
      this.db = db;
      this.incident = incident;
      this.uniqueid = uniqueid;
    }

    synchronized String owner() {
      poll();
      return owner;
    }

    synchronized void poll() {
      try (Connection c = db.ds().getConnection();
          PreparedStatement ps = c.prepareStatement("SELECT j.lease_owner, j.attempts, j.objectref, j.state FROM jobs j"
              + " JOIN calls c ON c.id = j.call_id WHERE c.uniqueid = ?" + (hasPbxColumn(db) ? " AND c.pbx_id = 'pbx1'" : "")
              + " AND j.state = ?")) {
        ps.setString(1, uniqueid);
        ps.setString(2, dev.postcall.queue.JobState.CLAIMED.name());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            owner = rs.getString(1);
            if (owner != null) owners.add(owner);
            attempts = Math.max(attempts, rs.getInt(2));
            if (rs.getString(3) != null) objectref = rs.getString(3);
          }
        }
      } catch (SQLException e) {
        // the next poll sees it
      }
      if (objectref != null && objectAt == null) objectAt = Instant.now();
      if (objectref != null && fileAt == null && !incident.files(objectref).isEmpty()) {
        fileAt = Instant.now();
        mp3Bytes = incident.files(objectref).get(0).bytes();
      }
    }

    double uploadSeconds() {
      return objectAt == null || fileAt == null ? 0 : Duration.between(objectAt, fileAt).toMillis() / 1000.0;
    }

    /** From the first call's row to the last job done: the window the deliveries ran in. */
    double deliveryWindowSeconds(TestDb db) throws SQLException {
      try (Connection c = db.ds().getConnection()) {
        return Sql.scalarLong(c, "SELECT TIMESTAMPDIFF(MICROSECOND, MIN(created_at), MAX(done_at)) FROM jobs") / 1e6;
      }
    }
  }
}
