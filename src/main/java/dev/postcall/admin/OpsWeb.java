package dev.postcall.admin;

import dev.postcall.config.PostcallConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.List;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /metrics}, {@code /health} and {@code /ready} — nothing else — for a node without the
 * web role (a PBX node running agi and tailer), on {@code web.bind:web.port}. Every node can then be
 * scraped and probed the same way; the admin pages stay on the web nodes.
 */
public final class OpsWeb implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OpsWeb.class);

  private final PostcallConfig.Web web;
  private final Server server;
  private final ServerConnector connector;
  private final ReadinessMonitor readiness;

  public OpsWeb(PostcallConfig.Web web, PrometheusMeterRegistry registry, List<ReadinessCheck> checks, Clock clock) {
    this.web = web;
    readiness = new ReadinessMonitor(checks, clock, web.readyInterval(), web.readyTimeout());
    Health health = new Health(readiness);
    QueuedThreadPool pool = new QueuedThreadPool(4, 1);
    pool.setName("ops-web");
    server = new Server(pool);
    connector = new ServerConnector(server, 1, 1);
    connector.setHost(web.bind().getHostAddress());
    connector.setPort(web.port());
    server.addConnector(connector);
    server.setHandler(new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        Exchange x = new Exchange(request, response, callback);
        boolean get = "GET".equals(x.method()) || "HEAD".equals(x.method());
        switch (get ? x.path() : "") {
          case "/health" -> x.json(health.live().status(), health.live().json());
          case "/ready" -> {
            Health.Result r = health.ready(false); // no login here: details are for the admin pages
            x.json(r.status(), r.json());
          }
          case "/metrics" -> x.send(200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
          default -> x.text(404, "only /metrics, /health and /ready here: the admin pages are on the nodes with the web role\n");
        }
        return true;
      }
    });
    server.setStopTimeout(1000);
  }

  public void start() throws Exception {
    server.start();
    readiness.start();
    log.info("metrics and health on http://{}:{}/metrics (no admin pages: this node has no web role)",
        web.bind().getHostAddress(), port());
  }

  public int port() {
    return connector.getLocalPort();
  }

  @Override
  public void close() throws Exception {
    readiness.close();
    server.stop();
  }
}
