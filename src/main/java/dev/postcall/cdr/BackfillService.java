package dev.postcall.cdr;

import dev.postcall.HostName;
import dev.postcall.PostcallException;
import dev.postcall.config.PostcallConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.time.Clock;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.quartz.CronScheduleBuilder;
import org.quartz.CronTrigger;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.SimpleTrigger;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.SchedulerRepository;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the Master.csv tailer every {@code csv.tail-interval} and the sweep on {@code
 * csv.sweep-cron}, with Quartz's JDBC JobStore in clustered mode on postcall's own database (the
 * QRTZ_ tables of migration V3, connections from the HikariCP pool: Quartz's default pool is c3p0,
 * which is not on the classpath). With several postcall nodes each job runs on one node at a time
 * ({@link DisallowConcurrentExecution} holds across the cluster) and moves to another node when
 * that one stops checking in.
 */
public final class BackfillService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BackfillService.class);
  static final String SCHEDULER_NAME = "postcall-backfill";
  static final JobKey TAIL = JobKey.jobKey("tail-master-csv", "postcall");
  static final JobKey SWEEP = JobKey.jobKey("sweep-master-csv", "postcall");

  private final PostcallConfig.Csv csv;
  private final DataSource ds;
  private final Runnable tail;
  private final Runnable sweep;
  private final long checkinMillis;
  private volatile Scheduler scheduler;

  /**
   * @param ds Quartz's job store
   * @param importDs the tailer's and the sweep's reads and writes ({@code Database.csvImport()}: its
   *     connections may stream batches with LOAD DATA LOCAL)
   */
  public BackfillService(PostcallConfig.Csv csv, DataSource ds, DataSource importDs, Clock clock, MeterRegistry registry) {
    this(csv, ds, importDs, clock, registry, new CdrNotices());
  }

  /** @param notices where the tailer reports a Master.csv that stopped growing or is in another zone */
  public BackfillService(PostcallConfig.Csv csv, DataSource ds, DataSource importDs, Clock clock, MeterRegistry registry,
      CdrNotices notices) {
    this(csv, ds, Steps.of(csv, importDs, clock, registry, notices), 7_500);
  }

  private BackfillService(PostcallConfig.Csv csv, DataSource ds, Steps steps, long checkinMillis) {
    this(csv, ds, steps.tail()::tailOnce, steps.sweep()::sweepOnce, checkinMillis);
  }

  /** With any steps (tests count executions); {@code checkinMillis} is the cluster check-in interval. */
  BackfillService(PostcallConfig.Csv csv, DataSource ds, Runnable tail, Runnable sweep, long checkinMillis) {
    CsvLayout.parse(csv.columns()); // refuse a bad csv.columns at construction, not at the first run
    this.csv = csv;
    this.ds = ds;
    this.tail = tail;
    this.sweep = sweep;
    this.checkinMillis = checkinMillis;
  }

  private record Steps(TailMasterCsv tail, SweepMasterCsv sweep) {
    static Steps of(PostcallConfig.Csv csv, DataSource ds, Clock clock, MeterRegistry registry, CdrNotices notices) {
      CsvMetrics metrics = Backfill.metrics(registry, notices);
      return new Steps(Backfill.tailer(csv, ds, clock, metrics), Backfill.sweeper(csv, ds, clock, metrics));
    }
  }

  /**
   * Records, on a fresh database, that postcall runs from now on: what a PBX's Master.csv holds from
   * before is history, what comes after is imported even if no tailer has looked yet. Every role
   * calls it at start; the first one wins.
   */
  public static void markFirstStart(DataSource ds, java.time.Instant now) throws java.sql.SQLException {
    HistoryHorizon.markFirstStart(ds, now);
  }

  /** Joins the cluster and schedules both jobs (idempotent across nodes). */
  public synchronized void start() {
    if (scheduler != null) return;
    try {
      String dsName = "postcall-" + UUID.randomUUID();
      DBConnectionManager.getInstance().addConnectionProvider(dsName, new PoolProvider(ds));
      StdSchedulerFactory factory = new StdSchedulerFactory(properties(dsName));
      Scheduler s = factory.getScheduler();
      // Quartz keeps schedulers in a JVM-wide registry by name; we hold ours ourselves, so a second
      // service in the same JVM (a second cluster node in the tests) gets its own scheduler.
      SchedulerRepository.getInstance().remove(SCHEDULER_NAME);
      s.setJobFactory((bundle, sched) -> new StepJob(bundle.getJobDetail().getKey().equals(TAIL) ? tail : sweep));
      schedule(s, JobBuilder.newJob(TailJob.class).withIdentity(TAIL).storeDurably().build(),
          TriggerBuilder.newTrigger().withIdentity("tail-master-csv", "postcall").forJob(TAIL)
              .withSchedule(SimpleScheduleBuilder.simpleSchedule().withIntervalInMilliseconds(csv.tailInterval().toMillis())
                  .repeatForever().withMisfireHandlingInstructionNextWithRemainingCount()).build());
      schedule(s, JobBuilder.newJob(SweepJob.class).withIdentity(SWEEP).storeDurably().build(),
          TriggerBuilder.newTrigger().withIdentity("sweep-master-csv", "postcall").forJob(SWEEP)
              .withSchedule(CronScheduleBuilder.cronSchedule(csv.sweepCron()).inTimeZone(java.util.TimeZone.getTimeZone(csv.zone()))
                  .withMisfireHandlingInstructionFireAndProceed()).build());
      s.start();
      scheduler = s;
      log.info("backfill scheduler {} started: tail {} every {}, sweep '{}'", s.getSchedulerInstanceId(), csv.files(),
          csv.tailInterval(), csv.sweepCron());
    } catch (SchedulerException e) {
      throw new PostcallException("cannot start the backfill scheduler: " + e.getMessage(), true, e);
    }
  }

  /** Leaves the cluster after the running job (if any) finished; another node takes over. */
  @Override
  public synchronized void close() {
    Scheduler s = scheduler;
    scheduler = null;
    if (s == null) return;
    try {
      s.shutdown(true);
    } catch (SchedulerException e) {
      log.warn("backfill scheduler shutdown: {}", e.getMessage());
    }
  }

  private Properties properties(String dsName) {
    Properties p = new Properties();
    p.setProperty("org.quartz.scheduler.instanceName", SCHEDULER_NAME);
    p.setProperty("org.quartz.scheduler.instanceId", HostName.local() + "-" + UUID.randomUUID().toString().substring(0, 8));
    p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
    p.setProperty("org.quartz.scheduler.idleWaitTime", String.valueOf(Math.max(1000, Math.min(30_000, csv.tailInterval().toMillis()))));
    p.setProperty("org.quartz.threadPool.threadCount", "2");
    p.setProperty("org.quartz.threadPool.threadNamePrefix", "postcall-backfill");
    p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
    p.setProperty("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.StdJDBCDelegate");
    p.setProperty("org.quartz.jobStore.dataSource", dsName);
    p.setProperty("org.quartz.jobStore.tablePrefix", "QRTZ_");
    p.setProperty("org.quartz.jobStore.isClustered", "true");
    p.setProperty("org.quartz.jobStore.clusterCheckinInterval", String.valueOf(checkinMillis));
    p.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
    p.setProperty("org.quartz.jobStore.misfireThreshold", String.valueOf(Math.max(60_000, 2 * csv.tailInterval().toMillis())));
    return p;
  }

  private static void schedule(Scheduler s, JobDetail job, Trigger trigger) throws SchedulerException {
    Trigger existing = s.getTrigger(trigger.getKey());
    if (existing != null && sameSchedule(existing, trigger)) return;
    // Another node (or an older configuration) scheduled it differently: ours replaces it.
    s.scheduleJob(job, Set.of(trigger), true);
  }

  private static boolean sameSchedule(Trigger a, Trigger b) {
    if (a instanceof SimpleTrigger sa && b instanceof SimpleTrigger sb) return sa.getRepeatInterval() == sb.getRepeatInterval();
    if (a instanceof CronTrigger ca && b instanceof CronTrigger cb)
      return ca.getCronExpression().equals(cb.getCronExpression()) && ca.getTimeZone().getID().equals(cb.getTimeZone().getID());
    return false;
  }

  /** The step a firing runs; never lets an exception reach Quartz (the tailer keeps running). */
  static class StepJob implements Job {
    private final Runnable step;

    StepJob(Runnable step) {
      this.step = step;
    }

    @Override
    public void execute(JobExecutionContext context) {
      try {
        step.run();
      } catch (RuntimeException e) {
        log.error("backfill job {} failed, will run again at its next firing", context.getJobDetail().getKey(), e);
      }
    }
  }

  /** Stored in QRTZ_JOB_DETAILS; its annotation is what keeps the tail on one node at a time. */
  @DisallowConcurrentExecution
  public static final class TailJob extends StepJob {
    public TailJob() {
      super(() -> { });
    }
  }

  @DisallowConcurrentExecution
  public static final class SweepJob extends StepJob {
    public SweepJob() {
      super(() -> { });
    }
  }

  /** Hands Quartz connections from postcall's pool. */
  private record PoolProvider(DataSource ds) implements ConnectionProvider {
    @Override
    public Connection getConnection() throws java.sql.SQLException {
      return ds.getConnection();
    }

    @Override
    public void shutdown() {}

    @Override
    public void initialize() {}
  }
}
