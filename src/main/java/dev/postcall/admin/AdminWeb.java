package dev.postcall.admin;

import dev.postcall.incident.DialStatusMapping;
import dev.postcall.DaemonThreads;
import dev.postcall.config.PostcallConfig;
import dev.postcall.call.CallRecord;
import dev.postcall.queue.JobQueue;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.function.Function;
import javax.sql.DataSource;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admins' web server (plain Jetty 12, server-rendered HTML): dashboard, failed-upload queue,
 * a call's page with its recording, login; and {@code /metrics}, {@code /health}, {@code /ready}
 * for machines. Binds {@code web.bind:web.port} (127.0.0.1:8080 by default; port 0 = ephemeral).
 */
public final class AdminWeb implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AdminWeb.class);

  private final PostcallConfig.Web web;
  private final Server server;
  private final ServerConnector connector;
  private final FailedQueue failed;
  private final ReadinessMonitor readiness;

  public AdminWeb(PostcallConfig.Web web, DataSource ds, JobQueue jobs, RecordingLocator recordings,
      Function<CallRecord, String> statusMapping, PrometheusMeterRegistry registry, List<ReadinessCheck> checks,
      Clock clock) {
    this.web = web;
    this.failed = new FailedQueue(ds, clock);
    AdminAuth auth = new AdminAuth(web.adminToken(), clock);
    if (!auth.enabled()) log.warn("web.admin-token is empty: nobody can log in to the admin pages");
    readiness = new ReadinessMonitor(checks, clock, web.readyInterval(), web.readyTimeout());
    Routes routes = new Routes(auth, new LoginThrottle(clock, registry), failed, jobs, recordings, statusMapping, registry,
        new AdminMetrics(registry, failed, clock, web.queueGauges()), new Health(readiness), clock);
    QueuedThreadPool pool = new QueuedThreadPool(16, 2);
    pool.setName("admin-web");
    server = new Server(pool);
    // no "Server: Jetty(version)" on every response
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendXPoweredBy(false);
    connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
    connector.setHost(web.bind().getHostAddress());
    connector.setPort(web.port());
    server.addConnector(connector);
    server.setHandler(new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        routes.handle(new Exchange(request, response, callback));
        return true;
      }
    });
    server.setErrorHandler(new PlainErrorHandler());
    server.setStopTimeout(2000);
  }

  /** The mapping the incident upload applies: DIALSTATUS (else disposition) → status, else the default. */
  public static Function<CallRecord, String> statusMapping(PostcallConfig cfg) {
    return new DialStatusMapping(cfg.statusMap(), cfg.statusDefault())::statusOf;
  }

  public void start() throws Exception {
    readiness.start();
    server.start();
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
    return connector.getLocalPort();
  }

  @Override
  public void close() throws Exception {
    readiness.close();
    server.stop();
  }
}
