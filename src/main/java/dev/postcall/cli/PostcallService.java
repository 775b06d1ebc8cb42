package dev.postcall.cli;

import dev.postcall.config.PostcallConfig;
import dev.postcall.config.PostcallConfig.Role;
import dev.postcall.incident.IncidentSystem;
import dev.postcall.queue.CallStore;
import dev.postcall.queue.Database;
import dev.postcall.queue.JobQueue;
import dev.postcall.work.DeliverCall;
import dev.postcall.work.WorkerPool;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Assembles postcall from its configuration: the parts of the configured roles, started in
 * pipeline order and stopped in reverse (AGI listener first, so Asterisk's next hangup goes to
 * Master.csv and the backfill rather than to a half-stopped service; the database pool last).
 */
public final class PostcallService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PostcallService.class);

  private final PostcallConfig cfg;
  private final Clock clock;
  private final Function<PostcallConfig.Incident, IncidentSystem> incidentFactory;
  private final Deque<AutoCloseable> started = new ArrayDeque<>();
  private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private OpenDatabase db;
  private WorkerPool workers;
  private volatile boolean closing;
  private volatile boolean ready;

  public PostcallService(PostcallConfig cfg, Clock clock, Function<PostcallConfig.Incident, IncidentSystem> incidentFactory) {
    this.cfg = cfg;
    this.clock = clock;
    this.incidentFactory = incidentFactory;
  }

  public void start() {
    log.info("starting postcall roles={} {} {} {} {}", cfg.roles(), cfg.db(), cfg.agi(), cfg.incident(), cfg.web());
    db = OpenDatabase.open(cfg.db());
    started.push(db);
    CallStore calls = new CallStore(db.db().dataSource(), clock);
    JobQueue queue = new JobQueue(db.db().dataSource(), clock);
    // The parts below need the schema; the database may be down right now. The AGI listener
    // does not wait for it (its spool takes the calls), everything else starts once it answers.
    Thread later = new Thread(() -> startWhenDatabaseAnswers(calls, queue), "postcall-start");
    later.setDaemon(true);
    later.start();
  }

  private void startWhenDatabaseAnswers(CallStore calls, JobQueue queue) {
    long backoffMs = 500;
    while (!closing) {
      try {
        db.db().migrate();
        break;
      } catch (RuntimeException e) {
        log.warn("database not ready ({}); retrying in {} ms", rootMessage(e), backoffMs);
        sleep(backoffMs);
        backoffMs = Math.min(30_000, backoffMs * 2);
      }
    }
    synchronized (this) {
      if (closing) return;
      if (cfg.roles().contains(Role.WORKER)) {
        workers = new WorkerPool(queue, DeliverCall.from(cfg, queue, incidentFactory.apply(cfg.incident()), clock, metrics), cfg.worker());
        workers.start();
        started.push(workers);
      }
      ready = true;
    }
    log.info("postcall started");
  }

  private static String rootMessage(Throwable e) {
    while (e.getCause() != null) e = e.getCause();
    return e.getMessage();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** True once every configured part runs (the schema is in place). */
  public boolean ready() {
    return ready;
  }

  public PrometheusMeterRegistry metrics() {
    return metrics;
  }

  public Database database() {
    return db.db();
  }

  @Override
  public synchronized void close() {
    closing = true;
    log.info("stopping postcall");
    while (!started.isEmpty()) {
      AutoCloseable part = started.pop();
      try {
        part.close();
      } catch (Exception e) {
        log.warn("while stopping {}: {}", part.getClass().getSimpleName(), e.toString());
      }
    }
    log.info("postcall stopped");
  }
}
