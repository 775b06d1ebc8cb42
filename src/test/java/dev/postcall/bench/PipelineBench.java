package dev.postcall.bench;

import static dev.postcall.bench.BenchResult.num;
import static dev.postcall.bench.BenchResult.ratio;
import static dev.postcall.bench.BenchResult.row;

import dev.postcall.TestDb;
import dev.postcall.audio.ConvertRecording;
import dev.postcall.queue.JobState;
import dev.postcall.service.PostcallService;
import dev.postcall.config.PostcallConfig;
import dev.postcall.incident.SoapIncidentSystem;
import dev.postcall.sim.CallSimulator;
import dev.postcall.sim.CallSimulator.Outcome;
import dev.postcall.sim.CallSimulator.SimulatedCall;
import dev.postcall.sim.IncidentServer;
import dev.postcall.sim.WavWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code scripts/bench pipeline}: the whole flow (FastAGI → MariaDB → workers → ffmpeg → SOAP on
 * loopback) with 3-minute recordings.
 * <ul>
 *   <li>throughput: a backlog of N answered calls, in 3-minute calls per hour, next to converting
 *       the same number of 3-minute WAVs alone with the same parallelism (target ≥ 0.85);
 *   <li>freshness: 2 calls/s steady, hangup → object created with its MP3 attached, p50/p99
 *       (target p99 ≤ 2 s).
 * </ul>
 * Usage: PipelineBench [backlogCalls=120] [freshnessSeconds=30] [conversions=2] [workerThreads=2×conversions]
 * [backlogRounds=5] [warmUpBatches=20]. The service runs with its defaults for that many cores: {@code
 * audio.conversions} ffmpeg processes at once — the same parallelism as the baseline — and twice
 * as many deliveries. Each round prints where the CPU went (JVM threads, ffmpeg, MariaDB).
 */
public final class PipelineBench {
  public static void main(String[] args) throws Exception {
    int backlog = args.length > 0 ? Integer.parseInt(args[0]) : 120;
    int freshSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    int workers = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    int threads = args.length > 3 ? Integer.parseInt(args[3]) : 2 * workers;
    int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 5;
    int warmUpBatches = args.length > 5 ? Integer.parseInt(args[5]) : 20;
    Path tmp = Files.createTempDirectory("postcall-bench-pipeline");
    try (TestDb db = TestDb.create();
        IncidentServer server = IncidentServer.onLoopback(tmp.resolve("incidents"), "postcall", "pw")) {
      PostcallConfig cfg = db.serviceConfig(tmp, server.url(), Map.of("worker.threads", String.valueOf(threads),
          "audio.conversions", String.valueOf(workers), "worker.poll-interval", "100ms", "recordings.quiet-period", "100ms"));

      try (PostcallService service = new PostcallService(cfg, Clock.systemUTC(), SoapIncidentSystem::new)) {
        service.start();
        InetSocketAddress agi = new InetSocketAddress("127.0.0.1", service.agiPort());
        // Warm-up: JAVE's ffmpeg copy, CXF, and the JIT. The simulator's calls first (the path the
        // freshness part takes), then backlogs of short calls until the JIT compilers are done:
        // after 240 calls C2 was still compiling CXF's, Jetty's and Connector/J's per-call paths —
        // ~1.6 core-s of every ~15 s round, even in the third — which a service running for days
        // has behind it. Short recordings take the same code path at a fraction of ffmpeg's time.
        simulate(tmp, agi, 240, 20, 8, 1).forEach(c -> awaitAttached(db, c.uniqueid()));
        warmUpUntilCompiled(db, tmp, agi, warmUpBatches);
        // …and one unmeasured backlog of the real thing: 3-minute calls still made C2 compile
        // ~0.5–1 core-s in the first measured round (longer MTOM streams, bigger MP3s to check).
        if (warmUpBatches > 1) backlogRound(db, tmp, agi, backlog, 0);

        // The backlog, in rounds. Each round's baseline is measured right before and right after
        // it, and averaged: this VM's speed drifts within a minute (ffmpeg's CPU for the same files
        // rose by a fifth over six rounds), which a baseline taken once would put into the ratio.
        // The median round counts: one round can lose or gain a tenth to the VM's drift alone.
        List<double[]> results = new ArrayList<>(); // {pipeline, conversion alone} calls/h
        double before = convertAlone(cfg, tmp.resolve("alone"), backlog, workers);
        for (int round = 1; round <= rounds; round++) {
          double pipeline = backlogRound(db, tmp, agi, backlog, round);
          double after = convertAlone(cfg, tmp.resolve("alone"), backlog, workers);
          double alone = (before + after) / 2;
          System.out.printf("  round %d: conversion alone %.0f before, %.0f after calls/h; ratio %.2f%n", round, before,
              after, pipeline / alone);
          results.add(new double[] {pipeline, alone});
          before = after;
        }
        results.sort(java.util.Comparator.comparingDouble(r -> r[0] / r[1]));
        double[] median = results.get(results.size() / 2);
        row("pipeline, 3-min calls/hour (" + workers + " conversions at once; median of " + rounds + " rounds)",
            num(median[0], "calls/h"), num(median[1], "calls/h (conversion alone)"), ratio(median[0] / median[1]), ">= 0.85");

        List<SimulatedCall> steady = simulate(tmp, agi, freshSeconds * 2, 2, 50, 3);
        double[] lat = steady.stream().mapToDouble(c -> Duration.between(c.hungUpAt(), awaitAttached(db, c.uniqueid())).toMillis())
            .sorted().toArray();
        row("freshness p50, hangup → object with MP3 (2 calls/s, 3-min)", num(pct(lat, 50), "ms"), "-", "-", "-");
        row("freshness p99, hangup → object with MP3 (2 calls/s, 3-min)", num(pct(lat, 99), "ms"), "-", "-", "<= 2000 ms");
        long dupes = server.objects().size() - server.objects().stream().map(o -> o.first("uniqueid")).distinct().count();
        System.out.println("objects " + server.objects().size() + ", duplicates " + dupes);
        service.metrics().find("postcall.stage.duration").timers().forEach(t -> System.out.printf(
            "stage %-8s n=%d mean=%.0f ms max=%.0f ms%n", t.getId().getTag("stage"), t.count(),
            t.mean(java.util.concurrent.TimeUnit.MILLISECONDS), t.max(java.util.concurrent.TimeUnit.MILLISECONDS)));
      }
    } finally {
      deleteTree(tmp);
    }
  }

  /**
   * Backlogs of 200 calls with 5-second recordings until a batch spends under 3 % of its wall time
   * in the JIT compilers (at most {@code maxBatches}; the compile time of each is printed).
   */
  static void warmUpUntilCompiled(TestDb db, Path tmp, InetSocketAddress agi, int maxBatches) throws Exception {
    var jit = java.lang.management.ManagementFactory.getCompilationMXBean();
    for (int batch = 1; batch <= maxBatches; batch++) {
      long compiled0 = jit.getTotalCompilationTime();
      long t0 = System.nanoTime();
      backlog(db, tmp, agi, recordings(tmp, 200, "w" + batch, Duration.ofSeconds(5)));
      double wallMs = (System.nanoTime() - t0) / 1e6;
      long compileMs = jit.getTotalCompilationTime() - compiled0;
      System.out.printf("warm-up batch %d: 200 short calls in %.1f s, JIT compiling %.1f s (%.0f %%)%n", batch,
          wallMs / 1000, compileMs / 1000.0, 100 * compileMs / wallMs);
      if (compileMs < 0.03 * wallMs) return;
    }
  }

  /**
   * N finished 3-minute recordings (written before the clock starts, like the conversion-alone
   * baseline's), then their N hangups as fast as Asterisk would send them; 3-min calls per hour.
   */
  static double backlogRound(TestDb db, Path tmp, InetSocketAddress agi, int backlog, int round) throws Exception {
    List<String> ids = recordings(tmp, backlog, String.valueOf(round), Duration.ofMinutes(3));
    Map<String, Long> status0 = serverStatus(db);
    CpuSplit.Mark cpu0 = CpuSplit.mark();
    double perHour = backlog(db, tmp, agi, ids);
    System.out.printf("backlog round %d: %.0f calls/h; %s%n", round, perHour, cpu0.report());
    Map<String, Long> status1 = serverStatus(db);
    StringBuilder perCall = new StringBuilder();
    status1.forEach((k, v) -> perCall.append(String.format(" %s %.1f;", k, (v - status0.getOrDefault(k, 0L)) / (double) backlog)));
    System.out.println("  MariaDB per call (the benchmark's own polling included):" + perCall);
    return perHour;
  }

  /** Statement and sync counters of the server, to see what one delivery costs the database. */
  static Map<String, Long> serverStatus(TestDb db) throws Exception {
    Map<String, Long> out = new java.util.TreeMap<>();
    try (Connection c = db.ds().getConnection();
        PreparedStatement ps = c.prepareStatement("SHOW GLOBAL STATUS WHERE Variable_name IN ('Questions','Com_select',"
            + "'Com_update','Com_insert','Com_commit','Com_set_option','Innodb_data_fsyncs')");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) out.put(rs.getString(1), rs.getLong(2));
    }
    return out;
  }

  /** N finished recordings of {@code length}; their uniqueids share a prefix ending in '.'. */
  static List<String> recordings(Path tmp, int n, String tag, Duration length) throws Exception {
    List<String> ids = new ArrayList<>();
    String prefix = "9" + System.currentTimeMillis() / 1000 + "." + tag + ".";
    for (int i = 0; i < n; i++) {
      String uid = prefix + i;
      WavWriter.tone(tmp.resolve("monitor").resolve(uid + ".wav"), length, 8000, 440);
      ids.add(uid);
    }
    return ids;
  }

  /** Sends the calls' hangups; calls per hour from the first hangup to the last attached MP3. */
  static double backlog(TestDb db, Path tmp, InetSocketAddress agi, List<String> ids) throws Exception {
    String prefix = ids.get(0).substring(0, ids.get(0).lastIndexOf('.') + 1);
    Instant first = Instant.now();
    for (String uid : ids) hangUp(agi, uid, tmp.resolve("monitor").resolve(uid + ".wav"));
    Instant last = awaitAllAttached(db, prefix, ids.size());
    return ids.size() / (Duration.between(first, last).toMillis() / 1000.0) * 3600;
  }

  static List<SimulatedCall> simulate(Path tmp, InetSocketAddress agi, int calls, double rate, int concurrency, long seed)
      throws Exception {
    return new CallSimulator(new CallSimulator.Options(calls, rate, concurrency, Map.of(Outcome.ANSWERED, 1), 0, 0,
        1.0, Duration.ofMinutes(3), tmp.resolve("monitor"), tmp.resolve("cdr-csv/Master.csv"), agi,
        ZoneId.systemDefault(), seed, true)).run();
  }

  /** One answered call's h-extension session, as Asterisk sends it. */
  static void hangUp(InetSocketAddress agi, String uid, Path wav) {
    String now = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").format(java.time.LocalDateTime.now());
    Map<String, String> vars = new java.util.HashMap<>(Map.of("DIALSTATUS", "ANSWER", "CDR(start)", now, "CDR(answer)", now,
        "CDR(end)", now, "CDR(duration)", "180", "CDR(billsec)", "178", "CDR(disposition)", "ANSWERED",
        "MIXMONITOR_FILENAME", wav.toString(), "CDR(dst)", "201", "CDR(dcontext)", "incoming"));
    var env = dev.postcall.sim.FakeAsterisk.environment(agi.getHostString(), agi.getPort(), "hangup",
        "PJSIP/trunk-0001", uid, "0301234567", "Bench", "incoming", "201");
    if (!dev.postcall.sim.FakeAsterisk.run(agi, env, vars, 10_000).completed()) throw new IllegalStateException(uid);
  }

  /** 3-minute calls per hour that ConvertRecording alone achieves with the same parallelism. */
  static double convertAlone(PostcallConfig cfg, Path dir, int n, int parallelism) throws Exception {
    Files.createDirectories(dir);
    List<Path> wavs = new ArrayList<>();
    for (int i = 0; i < n; i++) wavs.add(WavWriter.tone(dir.resolve(i + ".wav"), Duration.ofMinutes(3), 8000, 440));
    ConvertRecording c = new ConvertRecording(cfg.audio());
    c.convert(wavs.get(0), dir.resolve("warm.mp3"));
    ExecutorService pool = Executors.newFixedThreadPool(parallelism);
    long t0 = System.nanoTime();
    List<Future<?>> fs = new ArrayList<>();
    for (Path w : wavs) fs.add(pool.submit(() -> c.convert(w, dir.resolve(w.getFileName() + ".mp3"))));
    for (Future<?> f : fs) f.get();
    double s = (System.nanoTime() - t0) / 1e9;
    pool.shutdown();
    deleteTree(dir);
    return n / s * 3600;
  }

  private static void deleteTree(Path dir) throws java.io.IOException {
    try (var files = Files.walk(dir)) {
      files.sorted((a, b) -> b.compareTo(a)).forEach(x -> x.toFile().delete());
    }
  }

  /**
   * When the last of the {@code n} calls whose uniqueid starts with {@code prefix} had its MP3
   * attached. One query per 100 ms for the whole round: polling each call would put the
   * benchmark's own load on the cores and the database being measured.
   */
  static Instant awaitAllAttached(TestDb db, String prefix, int n) {
    long deadline = System.currentTimeMillis() + 600_000;
    while (System.currentTimeMillis() < deadline) {
      try (Connection c = db.ds().getConnection();
          PreparedStatement ps = c.prepareStatement("SELECT COUNT(*), MAX(j.attached_at) FROM jobs j"
              + " JOIN calls c ON c.id = j.call_id WHERE c.uniqueid LIKE ? AND j.state = ?")) {
        ps.setString(1, prefix + "%");
        ps.setString(2, JobState.DONE.name());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          if (rs.getInt(1) == n) return rs.getObject(2, LocalDateTime.class).toInstant(ZoneOffset.UTC);
        }
        Thread.sleep(100);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException("calls " + prefix + "* not all delivered within 10 minutes");
  }

  /** When the job recorded its MP3 as attached (waits for it). */
  static Instant awaitAttached(TestDb db, String uniqueid) {
    long deadline = System.currentTimeMillis() + 300_000;
    while (System.currentTimeMillis() < deadline) {
      try (Connection c = db.ds().getConnection();
          PreparedStatement ps = c.prepareStatement(
              "SELECT j.attached_at FROM jobs j JOIN calls c ON c.id = j.call_id WHERE c.uniqueid = ? AND j.state = ?")) {
        ps.setString(1, uniqueid);
        ps.setString(2, JobState.DONE.name());
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) return rs.getObject(1, LocalDateTime.class).toInstant(ZoneOffset.UTC);
        }
        Thread.sleep(20);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException(uniqueid + " not delivered within 5 minutes");
  }

  static double pct(double[] sorted, int p) {
    return sorted.length == 0 ? 0 : sorted[Math.max(0, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
  }
}
