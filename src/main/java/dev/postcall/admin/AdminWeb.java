package dev.postcall.admin;

import dev.postcall.DaemonThreads;
import dev.postcall.config.PostcallConfig;
import dev.postcall.queue.JobQueue;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admins' web server (Javalin, pages from jte templates): dashboard, calls, failed-upload
 * queue, a call's page with its recording, login; and {@code /metrics}, {@code /health},
 * {@code /ready} for machines. Binds {@code web.bind:web.port} (127.0.0.1:8080 by default; port 0 =
 * ephemeral).
 */
public final class AdminWeb implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AdminWeb.class);

  private final PostcallConfig.Web web;
  private final Javalin app;
  private final FailedQueue failed;
  private final ReadinessMonitor readiness;

  public AdminWeb(PostcallConfig.Web web, DataSource ds, JobQueue jobs, RecordingLocator recordings,
      CallStatuses statuses, PrometheusMeterRegistry registry, List<ReadinessCheck> checks, Clock clock) {
    this.web = web;
    this.failed = new FailedQueue(ds, clock);
    AdminAuth auth = new AdminAuth(web.adminToken(), clock);
    if (!auth.enabled()) log.warn("web.admin-token is empty: nobody can log in to the admin pages");
    readiness = new ReadinessMonitor(checks, clock, web.readyInterval(), web.readyTimeout());
    Routes routes = new Routes(auth, new LoginThrottle(clock, registry), failed, jobs, recordings, statuses,
        new CallSearch(ds, statuses.map(), statuses.dflt()), new CallDiscrepancies(ds), registry,
        new AdminMetrics(registry, failed, clock, web.queueGauges()), new Health(readiness), clock);
    app = WebServer.create(web, "admin-web", 16, routes::register);
  }

  /** The mapping the incident upload applies: DIALSTATUS (else disposition) → status, else the default. */
  public static CallStatuses statusMapping(PostcallConfig cfg) {
    return new CallStatuses(cfg.statusMap(), cfg.statusDefault());
  }

  public void start() throws Exception {
    readiness.start();
    app.start();
    log.info("admin web on http://{}:{}/", web.bind().getHostAddress(), port());
    // The first count of delivered jobs reads them all (see DoneCount):
    // done now, in the background, so the first /metrics scrape or dashboard view does not pay it.
    DaemonThreads.start("admin-stats-warm-up", () -> {
      try {
        failed.stats();
      } catch (Exception e) {
        log.debug("queue statistics not counted at start: {}", e.toString()); // the first scrape counts them
      }
    });
  }

  /** The bound port (the ephemeral one when web.port=0). */
  public int port() {
    return app.port();
  }

  @Override
  public void close() throws Exception {
    readiness.close();
    app.stop();
  }
}
