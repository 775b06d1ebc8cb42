package dev.postcall.work;

import dev.postcall.HostName;
import dev.postcall.DaemonThreads;
import dev.postcall.RunUntilStopped;
import dev.postcall.config.PostcallConfig;
import dev.postcall.queue.Job;
import dev.postcall.queue.JobQueue;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded pool of workers fed by one poller. The poller claims only as many jobs as there are
 * idle workers (db-scheduler's lesson: never hold leases on work you cannot start), recovers
 * jobs whose owner died, and never dies itself. Several pools — in this process or others —
 * share one database safely: claims use {@code SKIP LOCKED}. A heartbeat renews the leases of the
 * running deliveries every {@code worker.heartbeat}, so a lease can be short (a dead worker's jobs
 * return soon) and still never run out under an upload that takes longer than it.
 */
public final class WorkerPool implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WorkerPool.class);

  private final JobQueue queue;
  private final DeliverCall deliver;
  private final PostcallConfig.Worker cfg;
  private final String instance;
  private final String owner;
  private final ExecutorService workers;
  private final Map<Long, String> inFlight = new ConcurrentHashMap<>();
  private final AtomicInteger busy = new AtomicInteger();
  private final Semaphore wake = new Semaphore(0);
  private volatile boolean running;
  private Thread poller;
  private ScheduledExecutorService heartbeat;

  /** A pool of its own: releases no earlier leases at start. */
  public WorkerPool(JobQueue queue, DeliverCall deliver, PostcallConfig.Worker cfg) {
    this(queue, deliver, cfg, HostName.local() + "/" + UUID.randomUUID().toString().substring(0, 8));
  }

  /**
   * @param instance who this pool is across restarts ({@link #instanceOf}): jobs an earlier process
   *     of the same instance still held when it died are released at {@link #start()}
   */
  public WorkerPool(JobQueue queue, DeliverCall deliver, PostcallConfig.Worker cfg, String instance) {
    this.queue = queue;
    this.deliver = deliver;
    this.cfg = cfg;
    this.instance = instance;
    this.owner = instance + ":" + ManagementFactory.getRuntimeMXBean().getPid() + ":"
        + UUID.randomUUID().toString().substring(0, 8);
    this.workers = new ThreadPoolExecutor(cfg.threads(), cfg.threads(), 0, TimeUnit.MILLISECONDS,
        new LinkedBlockingQueue<>(), DaemonThreads.factory("postcall-worker"));
  }

  /**
   * The same after a restart, different for another installation on the same host: the host name
   * and a hash of the data folder ({@code agi.spool-dir}, absolute). lease_owner is then
   * {@code host/instance:pid:random}.
   */
  public static String instanceOf(PostcallConfig cfg) {
    try {
      byte[] h = java.security.MessageDigest.getInstance("SHA-256")
          .digest(cfg.agi().spoolDir().toAbsolutePath().normalize().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return HostName.local() + "/" + java.util.HexFormat.of().formatHex(h, 0, 4);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public void start() {
    releaseOwnLeases();
    running = true;
    poller = DaemonThreads.start("postcall-poller", new RunUntilStopped("postcall-poller", () -> running, this::pollOnce,
        e -> {
          if (e instanceof Error err) throw err;
          // the database going away (a restart, a primary switch) is expected: one line, no trace
          if (e instanceof java.sql.SQLException sql) log.warn("job queue not reachable ({}): polling again", sql.getMessage());
          else log.error("Unhandled exception in the poller. Will keep running.", e);
        }).pausingBetween(this::awaitWork));
    heartbeat = Executors.newSingleThreadScheduledExecutor(r -> DaemonThreads.create("postcall-heartbeat", r));
    long every = cfg.heartbeat().toMillis();
    heartbeat.scheduleWithFixedDelay(this::heartbeatQuietly, every, every, TimeUnit.MILLISECONDS);
    log.info("worker pool {} started: {} workers, lease {}, heartbeat {}", owner, cfg.threads(), cfg.lease(), cfg.heartbeat());
  }

  /**
   * One heartbeat: renews the lease of every delivery this pool runs now. Returns how many were
   * renewed; one fewer than running means a lease was lost (the delivery notices at its next update).
   */
  public int heartbeatOnce() throws java.sql.SQLException {
    List<Long> running = List.copyOf(inFlight.keySet());
    int renewed = queue.renewLeases(owner, running, cfg.lease());
    if (renewed < running.size())
      log.warn("heartbeat renewed {} of {} leases; the others were taken over", renewed, running.size());
    return renewed;
  }

  private void heartbeatQuietly() {
    try {
      heartbeatOnce();
    } catch (Exception e) {
      log.warn("heartbeat failed ({}); leases run out {} after the last renewal", e.getMessage(), cfg.lease());
    }
  }

  /** Who this pool is in the jobs table's lease_owner column. */
  public String owner() {
    return owner;
  }

  /** Jobs an earlier process of this instance held when it died: claimable now, not after their lease. */
  private void releaseOwnLeases() {
    String prefix = instance + ":";
    try {
      int n = queue.releaseLeasesOf(prefix, o -> !alive(o.substring(prefix.length())));
      if (n > 0) log.warn("{} job(s) held by an earlier process of this instance ({}) released for delivery now", n, instance);
    } catch (java.sql.SQLException e) {
      log.warn("could not release the jobs of an earlier process ({}); they return after their lease", e.getMessage());
    }
  }

  /**
   * Whether the process named by {@code pid:random} still runs (two processes of one instance by
   * mistake). Our own pid is an earlier process's that died (a container restarts with the same pid).
   */
  static boolean alive(String pidAndRandom) {
    try {
      long pid = Long.parseLong(pidAndRandom.substring(0, pidAndRandom.indexOf(':')));
      return pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    } catch (RuntimeException e) {
      return true; // not an owner name of ours: leave it to its lease
    }
  }

  /** Asks the poller to look for work now (e.g. right after a hangup was captured). */
  public void wakeUp() {
    wake.release();
  }

  /** Until the poll interval has passed or someone asks for a look now. */
  private void awaitWork() throws InterruptedException {
    wake.tryAcquire(cfg.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
    wake.drainPermits();
  }

  /** One round: recover dead owners' jobs, claim what idle workers can take, start them. Returns the number started. */
  public int pollOnce() throws java.sql.SQLException {
    int recovered = queue.recoverExpiredLeases();
    if (recovered > 0) log.warn("{} job(s) whose worker stopped responding are claimable again", recovered);
    int free = cfg.threads() - busy.get();
    if (free <= 0 || !running) return 0;
    List<Job> jobs = queue.claim(owner, free, cfg.lease());
    for (Job job : jobs) {
      busy.incrementAndGet();
      inFlight.put(job.id(), job.uniqueid());
      workers.execute(() -> {
        try {
          deliver.run(job);
        } finally {
          inFlight.remove(job.id());
          busy.decrementAndGet();
          wake.release();
        }
      });
    }
    return jobs.size();
  }

  /**
   * Stops claiming, lets running deliveries finish within the deadline, then interrupts the rest
   * (they hand their jobs back). Jobs still running after that return when their lease runs out.
   */
  @Override
  public void close() {
    running = false;
    if (poller != null) {
      poller.interrupt();
      try {
        poller.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    workers.shutdown();
    try {
      // the heartbeat goes on while deliveries finish: their leases must not run out meanwhile
      if (!workers.awaitTermination(cfg.shutdownDeadline().toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("shutdown deadline passed, interrupting deliveries of {}", inFlight.values());
        workers.shutdownNow();
        if (!workers.awaitTermination(5, TimeUnit.SECONDS))
          log.warn("still running at exit, will be retried after their lease: {}", inFlight.values());
      }
    } catch (InterruptedException e) {
      workers.shutdownNow();
      Thread.currentThread().interrupt();
    }
    if (heartbeat != null) heartbeat.shutdownNow();
    log.info("worker pool {} stopped", owner);
  }


}
