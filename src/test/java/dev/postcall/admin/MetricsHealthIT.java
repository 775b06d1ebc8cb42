package dev.postcall.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postcall.TestDb;
import dev.postcall.db.Database;
import dev.postcall.queue.Job;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /metrics} is Prometheus text that follows the queue; {@code /ready} follows the database. */
class MetricsHealthIT {
  /** A Prometheus text-format sample line: name, optional labels, value. */
  static final Pattern SAMPLE = Pattern.compile(
      "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\]|\\\\.)*\",?)*\\})? (-?[0-9.eE+-]+|NaN|[+-]Inf)");
  static final ObjectMapper JSON = new ObjectMapper();
  final HttpClient http = HttpClient.newHttpClient();
  WebFixture f;
  Database second;

  @AfterEach
  void stop() throws Exception {
    if (second != null) second.close();
    f.close();
  }

  HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(f.base() + path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Parses the whole scrape; fails on any line that is not a comment or a sample. */
  Map<String, Double> scrape() throws Exception {
    HttpResponse<String> r = get("/metrics");
    assertEquals(200, r.statusCode());
    assertTrue(r.headers().firstValue("content-type").orElseThrow().startsWith("text/plain"));
    Map<String, Double> out = new HashMap<>();
    for (String line : r.body().split("\n")) {
      if (line.isEmpty() || line.startsWith("# HELP ") || line.startsWith("# TYPE ")) continue;
      Matcher m = SAMPLE.matcher(line);
      assertTrue(m.matches(), "not Prometheus text: " + line);
      out.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(m.group(3)));
    }
    return out;
  }

  @Test
  void jobs_gauge_moves_when_a_call_is_delivered(@TempDir Path dir) throws Exception {
    f = new WebFixture(dir);
    f.seed.pending("600.1", "0301", Instant.parse("2026-11-21T09:00:00Z"));
    f.seed.pending("600.2", "0302", Instant.parse("2026-11-21T09:00:00Z"));
    f.start();
    Map<String, Double> before = scrape();
    assertEquals(2.0, before.get("postcall_jobs{state=\"PENDING\"}"));
    assertEquals(0.0, before.get("postcall_jobs{state=\"DONE\"}"));
    assertEquals(2.0, before.get("postcall_jobs_waiting{stage=\"WAIT\"}"), "by the step they wait for");
    assertEquals(0.0, before.get("postcall_jobs_waiting{stage=\"CONVERT\"}"));

    Job j = f.seed.queue().claim("worker-1", 1, Duration.ofMinutes(1)).get(0);
    f.seed.queue().done(j);
    Map<String, Double> after = scrape();
    assertEquals(1.0, after.get("postcall_jobs{state=\"PENDING\"}"));
    assertEquals(1.0, after.get("postcall_jobs{state=\"DONE\"}"));
    assertEquals(1.0, after.get("postcall_jobs_waiting{stage=\"WAIT\"}"));
  }

  @Test
  void ready_turns_503_when_the_database_goes_away_and_health_stays_up(@TempDir Path dir) throws Exception {
    f = new WebFixture(dir);
    // a pool of its own, so the test can stop "the database" under a running web server
    second = Database.open(TestDb.urlFor(TestDb.SERVER, f.db.name), TestDb.USER, TestDb.PASSWORD, 2,
        Duration.ofMillis(500));
    f.checks.add(new ReadinessCheck() {
      final DatabaseCheck db = new DatabaseCheck(second.dataSource());

      @Override
      public String name() {
        return "primary-db";
      }

      @Override
      public String check() throws Exception {
        return db.check();
      }
    });
    f.start();
    // the checks run in the background (every 100 ms in the fixture): /ready shows the last result
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> get("/ready").statusCode() == 200);
    HttpResponse<String> up = get("/ready");
    assertEquals(200, up.statusCode(), up.body());
    JsonNode ok = JSON.readTree(up.body());
    assertEquals("UP", ok.get("status").asText());
    assertEquals("UP", ok.at("/checks/primary-db/status").asText());

    second.close();
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> get("/ready").statusCode() == 503);
    HttpResponse<String> down = get("/ready");
    assertEquals(503, down.statusCode());
    JsonNode bad = JSON.readTree(down.body());
    assertEquals("DOWN", bad.get("status").asText());
    assertEquals("DOWN", bad.at("/checks/primary-db/status").asText());
    assertEquals("UP", bad.at("/checks/database/status").asText());
    assertEquals(200, get("/health").statusCode());
    assertEquals("UP", JSON.readTree(get("/health").body()).get("status").asText());
  }

  @Test
  void ready_is_503_for_a_database_that_does_not_answer(@TempDir Path dir) throws Exception {
    f = new WebFixture(dir);
    second = Database.open("jdbc:mysql://127.0.0.1:1/none?sslMode=DISABLED", "x", "y", 1, Duration.ofMillis(300));
    f.checks.add(new DatabaseCheck(second.dataSource()));
    f.start();
    Awaitility.await().atMost(Duration.ofSeconds(10))
        .until(() -> JSON.readTree(get("/ready").body()).findValuesAsText("status").contains("DOWN"));
    HttpResponse<String> r = get("/ready");
    assertEquals(503, r.statusCode());
    List<String> downs = JSON.readTree(r.body()).findValuesAsText("status");
    assertTrue(downs.contains("DOWN"), r.body());
  }
}
