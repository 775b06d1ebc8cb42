package dev.postcall.cli;

import dev.postcall.service.PostcallService;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.TestDb;
import dev.postcall.config.ConfigException;
import dev.postcall.config.PostcallConfig;
import dev.postcall.incident.SoapIncidentSystem;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every node answers /metrics and /ready, and /ready checks only what that node uses. */
class NodeEndpointsIT {
  /** Nothing listens here: the incident system is unreachable from this node. */
  static final String NO_INCIDENT = "http://127.0.0.1:9/incident";
  static TestDb db;
  @TempDir Path dir;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void database() {
    db = TestDb.create();
  }

  @AfterAll
  static void drop() {
    db.close();
  }

  HttpResponse<String> get(PostcallService s, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.webPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  PostcallService start(String roles) {
    PostcallConfig cfg = db.serviceConfig(dir, NO_INCIDENT, Map.of("roles", roles, "web.admin-token", "a-token-of-20-chars!"));
    PostcallService s = new PostcallService(cfg, Clock.systemUTC(), SoapIncidentSystem::new);
    s.start();
    await().atMost(Duration.ofSeconds(30)).until(s::ready);
    return s;
  }

  @Test
  void a_pbx_node_without_the_web_role_serves_metrics_and_ready_and_nothing_else() throws Exception {
    try (PostcallService pbx = start("agi")) {
      assertTrue(pbx.webPort() > 0);
      HttpResponse<String> metrics = get(pbx, "/metrics");
      assertEquals(200, metrics.statusCode());
      assertTrue(metrics.body().contains("postcall_agi_spool_events"), metrics.body());
      assertFalse(metrics.body().contains("postcall_jobs{"), "database-wide gauges are the web nodes'");
      HttpResponse<String> ready = get(pbx, "/ready");
      assertEquals(200, ready.statusCode(), ready.body());
      assertFalse(ready.body().contains("incident"), ready.body());
      assertEquals(404, get(pbx, "/failed").statusCode());
    }
  }

  @Test
  void a_tailer_node_exports_the_lag_of_its_own_files_labelled_with_its_pbx_id() throws Exception {
    java.nio.file.Path master = dir.resolve("cdr-csv/Master.csv");
    java.nio.file.Files.createDirectories(master.getParent());
    java.nio.file.Files.writeString(master, "\"partial"); // no newline: 8 bytes not read yet
    PostcallConfig cfg = db.serviceConfig(dir, NO_INCIDENT, Map.of("roles", "agi,tailer", "pbx.id", "pbx-x",
        "csv.files", master.toString(), "csv.tail-interval", "200ms"));
    try (PostcallService pbx = new PostcallService(cfg, Clock.systemUTC(), SoapIncidentSystem::new)) {
      pbx.start();
      String lag = "postcall_csv_lag_bytes{file=\"" + master + "\",node=\"pbx-x\"} 8.0";
      await().atMost(Duration.ofSeconds(30)).until(() -> get(pbx, "/metrics").body().contains(lag));
    }
  }

  @Test
  void a_web_node_on_a_pbx_is_ready_although_the_incident_system_is_unreachable_from_it() throws Exception {
    try (PostcallService pbx = start("agi,web")) {
      HttpResponse<String> ready = get(pbx, "/ready");
      assertEquals(200, ready.statusCode(), ready.body());
      assertTrue(get(pbx, "/metrics").body().contains("postcall_jobs{"), "one web node exports the queue gauges");
    }
  }

  @Test
  void a_worker_node_is_not_ready_while_the_incident_system_is_unreachable() throws Exception {
    try (PostcallService worker = start("worker")) {
      HttpResponse<String> ready = get(worker, "/ready");
      assertEquals(503, ready.statusCode(), ready.body());
      assertTrue(ready.body().contains("incident"), ready.body());
    }
  }

  @Test
  void queue_gauges_can_be_left_to_one_web_node() throws Exception {
    PostcallConfig cfg = db.serviceConfig(dir, NO_INCIDENT, Map.of("roles", "web", "web.queue-gauges", "false"));
    try (PostcallService web = new PostcallService(cfg, Clock.systemUTC(), SoapIncidentSystem::new)) {
      web.start();
      await().atMost(Duration.ofSeconds(30)).until(web::ready);
      String body = get(web, "/metrics").body();
      assertFalse(body.contains("postcall_jobs{"), body);
    }
  }

  @Test
  void a_second_process_on_the_same_spool_folder_is_refused_with_one_line() {
    try (PostcallService first = start("agi")) {
      PostcallConfig cfg = db.serviceConfig(dir, NO_INCIDENT, Map.of("roles", "agi"));
      try (PostcallService second = new PostcallService(cfg, Clock.systemUTC(), SoapIncidentSystem::new)) {
        ConfigException e = assertThrows(ConfigException.class, second::start);
        assertTrue(e.getMessage().startsWith("agi.spool-dir: ") && e.getMessage().contains("in use by another postcall process"),
            e.getMessage());
      }
      assertTrue(first.ready());
    }
  }
}
