package dev.postcall.admin;

import dev.postcall.config.PostcallConfig;
import io.javalin.Javalin;
import io.javalin.http.HttpResponseException;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /metrics}, {@code /health} and {@code /ready} — nothing else — for a node without the
 * web role (a PBX node running agi and tailer), on {@code web.bind:web.port}. Every node can then be
 * scraped and probed the same way; the admin pages stay on the web nodes.
 */
public final class OpsWeb implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OpsWeb.class);
  private static final String ELSEWHERE =
      "only /metrics, /health and /ready here: the admin pages are on the nodes with the web role\n";

  private final PostcallConfig.Web web;
  private final Javalin app;
  private final ReadinessMonitor readiness;

  public OpsWeb(PostcallConfig.Web web, PrometheusMeterRegistry registry, List<ReadinessCheck> checks, Clock clock) {
    this.web = web;
    readiness = new ReadinessMonitor(checks, clock, web.readyInterval(), web.readyTimeout());
    Health health = new Health(readiness);
    app = WebServer.create(web, "ops-web", 4, config -> {
      var r = config.routes;
      r.get("/health", ctx -> Routes.json(ctx, health.live().status(), health.live().json()));
      r.get("/ready", ctx -> {
        Health.Result h = health.ready(false); // no login here: details are for the admin pages
        Routes.json(ctx, h.status(), h.json());
      });
      r.get("/metrics", ctx -> Routes.send(ctx, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
      r.exception(HttpResponseException.class, (e, ctx) -> Routes.text(ctx, 404, ELSEWHERE));
    });
  }

  public void start() throws Exception {
    app.start();
    readiness.start();
    log.info("metrics and health on http://{}:{}/metrics (no admin pages: this node has no web role)",
        web.bind().getHostAddress(), port());
  }

  public int port() {
    return app.port();
  }

  @Override
  public void close() throws Exception {
    readiness.close();
    app.stop();
  }
}
