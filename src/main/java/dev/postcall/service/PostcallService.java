package dev.postcall.service;

import dev.postcall.db.OpenDatabase;

import dev.postcall.DaemonThreads;
import dev.postcall.Causes;
import dev.postcall.admin.AdminWeb;
import dev.postcall.admin.DatabaseCheck;
import dev.postcall.admin.OpsWeb;
import dev.postcall.admin.ReadinessCheck;
import dev.postcall.admin.RecordingLocator;
import dev.postcall.agi.AgiService;
import dev.postcall.cdr.BackfillService;
import dev.postcall.cdr.CdrNotices;
import dev.postcall.config.ConfigException;
import dev.postcall.config.PostcallConfig;
import dev.postcall.config.PostcallConfig.Role;
import dev.postcall.incident.IncidentSystem;
import dev.postcall.queue.CallStore;
import dev.postcall.route.RouteIndex;
import dev.postcall.route.RouteLoader;
import dev.postcall.queue.RecordingOwnership;
import dev.postcall.db.Database;
import dev.postcall.db.DatabaseClock;
import dev.postcall.queue.JobQueue;
import dev.postcall.queue.PbxRegistry;
import dev.postcall.work.DeliverCall;
import dev.postcall.work.RecordingPath;
import dev.postcall.work.WorkerPool;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Assembles postcall from its configuration and runs the parts of the configured roles. Start:
 * the database pool, then the AGI listener at once (its spool takes calls while the database is
 * down), then — once the schema is in place — workers, tailer and web. Stop, in this order: the AGI
 * listener (Asterisk's next hangup fails fast and reaches Master.csv instead), the tailer, the
 * workers (finish or hand back within the deadline), the web page, the pool.
 */
public final class PostcallService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PostcallService.class);

  private final PostcallConfig cfg;
  private final Clock clock;
  private final Function<PostcallConfig.Incident, IncidentSystem> incidentFactory;
  private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  /** What postcall noticed about the PBX's CDR set-up (zone, Master.csv not growing): a /ready detail. */
  private final CdrNotices cdrNotices = new CdrNotices();
  private OpenDatabase db;
  private AgiService agi;
  private RouteLoader routeLoader;
  private WorkerPool workers;
  private BackfillService backfill;
  private AdminWeb web;
  private OpsWeb ops;
  private IncidentSystem incident;
  private volatile boolean closing;
  private volatile boolean ready;
  private volatile Consumer<RuntimeException> onFatal = e -> log.error("{}", e.getMessage());

  public PostcallService(PostcallConfig cfg, Clock clock, Function<PostcallConfig.Incident, IncidentSystem> incidentFactory) {
    this.cfg = cfg;
    this.clock = clock;
    this.incidentFactory = incidentFactory;
  }

  /**
   * What to do when a check that can only run once the database answers refuses this node (its
   * clock is off): {@code postcall run} prints the one line and exits; by default it is logged and
   * the database-bound parts stay stopped.
   */
  public void onFatal(Consumer<RuntimeException> onFatal) {
    this.onFatal = onFatal;
  }

  public synchronized void start() {
    // Before the FastAGI port opens: a call it refused or cut while the rest starts (a CXF client
    // takes seconds on a busy host) reaches only Master.csv and must not look like history.
    java.time.Instant startedAt = clock.instant();
    log.info("starting postcall roles={} pbx.id={}{} {} {} {} {}", cfg.roles(), cfg.pbx().id(), origin(cfg.pbx()),
        cfg.db(), cfg.agi(), cfg.incident(), cfg.web());
    if (servesAPbx() && !cfg.pbx().explicit())
      log.warn("pbx.id is not set and {}: this PBX is '{}', its host name. Set pbx.id (or systemname in asterisk.conf)"
          + " before a second PBX feeds this database", cfg.pbx().note(), cfg.pbx().id());
    db = OpenDatabase.open(cfg.db());
    java.util.Map<String, RecordingOwnership> byPattern = new java.util.concurrent.ConcurrentHashMap<>();
    CallStore calls = new CallStore(db.db().dataSource(),
        pbx -> byPattern.computeIfAbsent(cfg.recordings().forPbx(pbx).pattern(), RecordingOwnership::new), cfg.csv().hold());
    JobQueue queue = new JobQueue(db.db().dataSource(), clock);
    if (cfg.roles().contains(Role.AGI)) {
      RouteIndex route = RouteIndex.from(cfg.route(), clock);
      routeLoader = new RouteLoader(db.db().dataSource(), route, clock, cfg.route().refresh(), cfg.pbx().id(),
          cfg.route().acrossPbxs());
      agi = new AgiService(cfg.agi(), cfg.csv().pbxZone(), calls, clock, metrics, cdrNotices, route);
      try {
        agi.start();
        routeLoader.start(); // retries on its own until the database answers; route answers empty meanwhile
      } catch (IOException e) {
        // one line naming the key, not a stack trace: nearly always another postcall on the port
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        throw new ConfigException("agi.port", "cannot listen for FastAGI on " + cfg.agi().bind().getHostAddress() + ":"
            + cfg.agi().port() + ": " + cause.getMessage() + " (another postcall running? choose another agi.port or agi.bind)");
      }
    }
    if (cfg.roles().contains(Role.WORKER) || cfg.roles().contains(Role.WEB)) incident = incidentFactory.apply(cfg.incident());
    startWeb(queue);
    // The rest needs the schema; the database may be down right now.
    DaemonThreads.start("postcall-start", () -> startWhenDatabaseAnswers(queue, startedAt));
  }

  private void startWhenDatabaseAnswers(JobQueue queue, java.time.Instant startedAt) {
    long backoffMs = 500;
    String halfMigrated = null;
    while (!closing) {
      try {
        db.db().migrate();
        break;
      } catch (dev.postcall.db.SchemaMigrations.HalfMigrated e) {
        // one line, not one per retry: the admin repairs (postcall db repair) and this loop carries on
        if (!e.version().equals(halfMigrated)) log.error("{}", e.getMessage());
        halfMigrated = e.version();
        sleep(backoffMs);
        backoffMs = Math.min(30_000, backoffMs * 2);
      } catch (RuntimeException e) {
        log.warn("database not ready ({}); retrying in {} ms", rootMessage(e), backoffMs);
        sleep(backoffMs);
        backoffMs = Math.min(30_000, backoffMs * 2);
      }
    }
    String skew = clockProblem();
    if (skew != null) {
      onFatal.accept(new ConfigException("db.max-clock-skew", skew));
      return;
    }
    String otherPbx = pbxProblem();
    if (otherPbx != null) {
      onFatal.accept(new ConfigException("pbx.id", otherPbx));
      return;
    }
    synchronized (this) {
      if (closing) return;
      if (cfg.roles().contains(Role.TAILER)) {
        backfill = new BackfillService(cfg.csv(), cfg.pbx().id(), db.db().csvImport(), clock, metrics, cdrNotices, startedAt);
        backfill.start();
      }
      if (cfg.roles().contains(Role.WORKER)) {
        workers = new WorkerPool(queue, DeliverCall.from(cfg, queue, incident, clock, metrics), cfg.worker(),
            WorkerPool.instanceOf(cfg));
        workers.start();
        if (agi != null) agi.afterStored(workers::wakeUp);
      }
      ready = true;
    }
    log.info("postcall started");
  }

  /**
   * A PBX node registers its pbx.id; when another PBX already feeds this database, a node that was
   * not given its pbx.id explicitly refuses: two PBXs' uniqueids may collide, and calls would be lost.
   */
  private String pbxProblem() {
    if (!servesAPbx()) return null;
    try {
      PbxRegistry pbxs = new PbxRegistry(db.db().dataSource());
      List<String> others = pbxs.others(cfg.pbx().id());
      if (!others.isEmpty() && !cfg.pbx().explicit())
        return "other PBXs feed this database (" + String.join(", ", others) + "): set pbx.id on every PBX node, or a"
            + " distinct systemname in each PBX's asterisk.conf, which pbx.id then defaults to (see README, Several PBXs)";
      String before = cfg.pbx().origin() == PostcallConfig.Pbx.Origin.SYSTEMNAME ? pbxs.implicitIdOf(host()) : null;
      // Renamed silently, this PBX would start over: its Master.csv positions and history horizon
      // are under the old id, so the calls of the downtime would count as history and never be read.
      if (before != null && others.contains(before))
        return "this PBX ran as '" + before + "' (its host name) on this database; asterisk.conf's systemname '"
            + cfg.pbx().id() + "' would make it a new PBX: set pbx.id=" + before + " to keep its calls and Master.csv"
            + " positions (or pbx.id=" + cfg.pbx().id() + " to start over under that name)";
      pbxs.register(cfg.pbx().id(), host(), cfg.pbx().explicit());
      if (others.isEmpty()) {
        long adopted = pbxs.adoptUnmarked(cfg.pbx().id());
        if (adopted > 0) log.info("pbx.id={}: {} calls stored before calls carried their PBX are this PBX's now", cfg.pbx().id(), adopted);
      }
      if (!others.isEmpty())
        log.warn("pbx.id={}: PBXs {} feed this database too; their uniqueids must differ (a distinct systemname on each PBX)",
            cfg.pbx().id(), others);
      return null;
    } catch (SQLException e) {
      log.warn("could not register pbx.id={} in the database: {}", cfg.pbx().id(), e.getMessage());
      return null;
    }
  }

  private boolean servesAPbx() {
    return cfg.roles().contains(Role.AGI) || cfg.roles().contains(Role.TAILER);
  }

  private static String origin(PostcallConfig.Pbx pbx) {
    return switch (pbx.origin()) {
      case SETTING -> "";
      case SYSTEMNAME -> " (" + pbx.note() + ")";
      case HOST_NAME -> " (the host name)";
    };
  }

  private static String host() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "unknown";
    }
  }

  private String clockProblem() {
    try {
      Duration off = DatabaseClock.offset(db.db().dataSource(), clock);
      String problem = DatabaseClock.problem(off, cfg.db().maxClockSkew());
      if (problem == null) log.info("clock within {} ms of the database's", Math.abs(off.toMillis()));
      return problem;
    } catch (SQLException e) {
      log.warn("could not compare this host's clock with the database's: {}", e.getMessage());
      return null;
    }
  }

  /**
   * /metrics, /health and /ready on every node, with the admin pages where the web role is: up at
   * once, so an outage at start is visible. Readiness checks only what this node uses: a PBX node
   * never calls the incident system, so its reachability is no concern of that node's.
   */
  private void startWeb(JobQueue queue) {
    List<ReadinessCheck> checks = new ArrayList<>(List.of(new DatabaseCheck(db.db().dataSource())));
    if (cfg.roles().contains(Role.WORKER) && incident != null) checks.add(ReadinessCheck.of("incident", () -> {
      if (!incident.reachable()) throw new IllegalStateException("not reachable at " + dev.postcall.config.Redact.secrets(cfg.incident().url()));
      return "ok";
    }));
    if (agi != null) checks.add(ReadinessCheck.of("agi", () -> {
      String problem = agi.captureProblem();
      if (problem != null) throw new IllegalStateException(problem);
      return "listening";
    }));
    checks.add(ReadinessCheck.of("cdr", cdrNotices::detail));
    if (agi != null) checks.add(ReadinessCheck.of("spool", () -> {
      long spooled = agi.waitingForDatabase();
      if (spooled > 0) throw new IllegalStateException(spooled + " calls spooled, waiting for the database");
      return "flowing";
    }));
    if (!cfg.roles().contains(Role.WEB)) {
      ops = new OpsWeb(cfg.web(), metrics, checks, clock);
      try {
        ops.start();
      } catch (Exception e) {
        throw new ConfigException("web.port", "cannot serve /metrics and /ready on " + cfg.web().bind().getHostAddress() + ":"
            + cfg.web().port() + ": " + e.getMessage() + " (choose another web.port or web.bind)");
      }
      return;
    }
    web = new AdminWeb(cfg.web(), db.db().dataSource(), queue,
        new RecordingLocator(db.db().dataSource(), RecordingPath.of(cfg.recordings()), cfg.archive().dir()),
        AdminWeb.statusMapping(cfg), metrics, checks, clock);
    try {
      web.start();
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the admin web on " + cfg.web().bind().getHostAddress() + ":" + cfg.web().port()
          + ": " + e.getMessage(), e);
    }
  }

  /** The port of /metrics and /ready — the admin web's with the web role (web.port=0 picks a free one). */
  public int webPort() {
    return web != null ? web.port() : ops != null ? ops.port() : -1;
  }

  /** True once every configured part runs (the schema is in place). */
  public boolean ready() {
    return ready;
  }

  public PrometheusMeterRegistry metrics() {
    return metrics;
  }

  /** The CDR set-up problems noticed so far (also on /ready as the "cdr" detail). */
  public CdrNotices cdrNotices() {
    return cdrNotices;
  }

  public Database database() {
    return db.db();
  }

  /** The FastAGI port actually bound (agi.port=0 picks a free one), or -1 without the agi role. */
  public int agiPort() {
    return agi == null ? -1 : agi.localPort();
  }

  @Override
  public synchronized void close() {
    closing = true;
    log.info("stopping postcall");
    stop(routeLoader);
    stop(agi);
    stop(backfill);
    stop(workers);
    stop(web);
    stop(ops);
    stop(incident instanceof AutoCloseable c ? c : null);
    stop(db);
    log.info("postcall stopped");
  }

  private static void stop(AutoCloseable part) {
    if (part == null) return;
    try {
      part.close();
    } catch (Exception e) {
      log.warn("while stopping {}: {}", part.getClass().getSimpleName(), e.toString());
    }
  }

  private static String rootMessage(Throwable e) {
    return Causes.root(e).getMessage();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
