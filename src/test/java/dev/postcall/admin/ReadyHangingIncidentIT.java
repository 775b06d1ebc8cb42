package dev.postcall.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postcall.config.PostcallConfig;
import dev.postcall.config.Settings;
import dev.postcall.incident.SoapIncidentSystem;
import dev.postcall.sim.IncidentServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /ready} against an incident system that accepts and never answers: the check runs in the
 * background, so a burst of /ready requests returns at once and /login, /health, /metrics stay
 * fast; anonymous answers name no host, URL or exception.
 */
class ReadyHangingIncidentIT {
  static final ObjectMapper JSON = new ObjectMapper();
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  IncidentServer incidents;
  SoapIncidentSystem incident;
  WebFixture f;

  @AfterEach
  void stop() throws Exception {
    if (incidents != null) incidents.hang(false);
    if (f != null) f.close();
    if (incident != null) incident.close();
    if (incidents != null) incidents.close();
  }

  HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(f.base() + path)).timeout(Duration.ofSeconds(3)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void a_hanging_incident_system_keeps_ready_and_every_other_page_fast(@TempDir Path dir) throws Exception {
    incidents = IncidentServer.onLoopback(dir.resolve("incidents"), "postcall", "s3cret");
    // the operator put the credentials into the URL as well: they must show nowhere
    String url = incidents.url().replace("http://", "http://postcall:urlSecret9@");
    PostcallConfig.Incident cfg = PostcallConfig.from(Settings.of(Map.of("incident.url", url,
        "incident.password", "s3cret", "incident.receive-timeout", "30s", "incident.connect-timeout", "1s"))).incident();
    incident = new SoapIncidentSystem(cfg);
    f = new WebFixture(dir);
    f.checks.add(ReadinessCheck.of("incident", () -> {
      if (!incident.reachable()) throw new IllegalStateException("not reachable at " + cfg.url());
      return "ok at " + cfg.url();
    }));
    incidents.hang(true);
    f.start();

    // 40 /ready requests at once, as in the attack: every one answers from the last result
    long t0 = System.nanoTime();
    List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      burst.add(http.sendAsync(HttpRequest.newBuilder(URI.create(f.base() + "/ready")).timeout(Duration.ofSeconds(3)).build(),
          HttpResponse.BodyHandlers.ofString()));
    }
    for (CompletableFuture<HttpResponse<String>> r : burst) assertEquals(503, r.get().statusCode(), r.get().body());
    long burstMs = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(burstMs < 3000, "40 /ready requests took " + burstMs + " ms");
    for (String p : List.of("/login", "/health", "/metrics")) assertEquals(200, get(p).statusCode(), p);

    // once the check has hung past web.ready-timeout (5 s by default) it counts as down
    f.clock.advance(Duration.ofSeconds(6));
    // (a database check in flight at the jump looks timed out too, until its next round answers)
    Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
        .until(() -> JSON.readTree(get("/ready").body()).at("/checks/database/status").asText().equals("UP"));
    HttpResponse<String> r = get("/ready");
    assertEquals(503, r.statusCode());
    JsonNode body = JSON.readTree(r.body());
    assertEquals("DOWN", body.at("/checks/incident/status").asText());
    assertEquals("UP", body.at("/checks/database/status").asText(), r.body());
    assertTrue(body.at("/checks/incident/detail").isMissingNode(), "no detail for an anonymous caller: " + r.body());
    for (String leak : List.of("127.0.0.1", "http", "urlSecret9", "Exception", String.valueOf(incidents.port())))
      assertFalse(r.body().contains(leak), leak + " in " + r.body());

    // a logged-in admin sees why — with the password in the URL masked
    Object[] session = AdminWebITLogin.login(f);
    HttpResponse<String> admin = ((HttpClient) session[0]).send(HttpRequest.newBuilder(URI.create(f.base() + "/ready")).build(),
        HttpResponse.BodyHandlers.ofString());
    String detail = JSON.readTree(admin.body()).at("/checks/incident/detail").asText();
    assertTrue(detail.startsWith("no answer for "), admin.body());
    assertFalse(admin.body().contains("urlSecret9"), admin.body());

    // the endpoint answers again: the next background round turns it UP without any request waiting
    incidents.hang(false);
    Awaitility.await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200))
        .until(() -> get("/ready").statusCode() == 200);
    HttpResponse<String> up = ((HttpClient) session[0]).send(HttpRequest.newBuilder(URI.create(f.base() + "/ready")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertTrue(up.body().contains("postcall:****@"), up.body());
    assertFalse(up.body().contains("urlSecret9"), up.body());
  }
}
