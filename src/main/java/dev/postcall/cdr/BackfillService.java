package dev.postcall.cdr;

import dev.postcall.PostcallException;
import dev.postcall.config.PostcallConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Properties;
import java.util.UUID;
import javax.sql.DataSource;
import org.quartz.CronScheduleBuilder;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobExecutionContext;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.TriggerBuilder;
import org.quartz.impl.SchedulerRepository;
import org.quartz.impl.StdSchedulerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs this node's Master.csv tailer every {@code csv.tail-interval} and its sweep on {@code
 * csv.sweep-cron}, with a Quartz scheduler of its own in memory (RAMJobStore). Every node with the
 * tailer role tails its own PBX's files, always: nothing here has to run once per cluster. The
 * positions and the history horizon are the node's own rows ({@code pbx.id}), and the calls they
 * bring are stored once whoever brings them (unique uniqueid). A second process with the same
 * {@code pbx.id} on the same files stores nothing twice: a batch whose offset the other process
 * moved meanwhile rolls back.
 */
public final class BackfillService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BackfillService.class);
  static final String SCHEDULER_NAME = "postcall-backfill";
  static final JobKey TAIL = JobKey.jobKey("tail-master-csv", "postcall");
  static final JobKey SWEEP = JobKey.jobKey("sweep-master-csv", "postcall");

  private final PostcallConfig.Csv csv;
  private final String node;
  private final Runnable tail;
  private final Runnable sweep;
  private volatile Scheduler scheduler;

  /**
   * @param node this node's id ({@code pbx.id}): whose positions and history horizon these are
   * @param importDs the tailer's and the sweep's reads and writes ({@code Database.csvImport()}: its
   *     connections may stream batches with LOAD DATA LOCAL)
   * @param startedAt when this process started: a node tailing for the first time takes what
   *     started before it as its PBX's history (with csv.start-at=end)
   * @param notices where the tailer reports a Master.csv that stopped growing or is in another zone
   */
  public BackfillService(PostcallConfig.Csv csv, String node, DataSource importDs, Clock clock, MeterRegistry registry,
      CdrNotices notices, java.time.Instant startedAt) {
    this(csv, node, Steps.of(csv, node, importDs, clock, registry, notices, startedAt));
  }

  private BackfillService(PostcallConfig.Csv csv, String node, Steps steps) {
    this(csv, node, steps.tail()::tailOnce, steps.sweep()::sweepOnce);
  }

  /** With any steps (tests count executions). */
  BackfillService(PostcallConfig.Csv csv, String node, Runnable tail, Runnable sweep) {
    CsvLayout.parse(csv.columns()); // refuse a bad csv.columns at construction, not at the first run
    this.csv = csv;
    this.node = node;
    this.tail = tail;
    this.sweep = sweep;
  }

  private record Steps(TailMasterCsv tail, SweepMasterCsv sweep) {
    static Steps of(PostcallConfig.Csv csv, String node, DataSource ds, Clock clock, MeterRegistry registry,
        CdrNotices notices, java.time.Instant startedAt) {
      CsvMetrics metrics = Backfill.metrics(registry, notices, node);
      return new Steps(Backfill.tailer(csv, node, ds, clock, metrics, startedAt),
          Backfill.sweeper(csv, node, ds, clock, metrics));
    }
  }

  /**
   * Records that {@code node} first ran at {@code now}: what its PBX's Master.csv holds from before
   * is history. The tailer does it itself at its first run; first one wins.
   */
  public static void markFirstStart(DataSource ds, String node, java.time.Instant now) throws java.sql.SQLException {
    HistoryHorizon.markFirstStart(ds, node, now);
  }

  /** Schedules this node's tail and sweep. */
  public synchronized void start() {
    if (scheduler != null) return;
    try {
      StdSchedulerFactory factory = new StdSchedulerFactory(properties());
      Scheduler s = factory.getScheduler();
      // Quartz keeps schedulers in a JVM-wide registry by name; we hold ours ourselves, so a second
      // node in the same JVM (the tests) gets its own scheduler.
      SchedulerRepository.getInstance().remove(s.getSchedulerName());
      s.setJobFactory((bundle, sched) -> new StepJob(bundle.getJobDetail().getKey().equals(TAIL) ? tail : sweep));
      s.scheduleJob(JobBuilder.newJob(TailJob.class).withIdentity(TAIL).storeDurably().build(),
          TriggerBuilder.newTrigger().withIdentity("tail-master-csv", "postcall").forJob(TAIL)
              .withSchedule(SimpleScheduleBuilder.simpleSchedule().withIntervalInMilliseconds(csv.tailInterval().toMillis())
                  .repeatForever().withMisfireHandlingInstructionNextWithRemainingCount()).build());
      s.scheduleJob(JobBuilder.newJob(SweepJob.class).withIdentity(SWEEP).storeDurably().build(),
          TriggerBuilder.newTrigger().withIdentity("sweep-master-csv", "postcall").forJob(SWEEP)
              .withSchedule(CronScheduleBuilder.cronSchedule(csv.sweepCron()).inTimeZone(java.util.TimeZone.getTimeZone(csv.zone()))
                  .withMisfireHandlingInstructionFireAndProceed()).build());
      s.start();
      scheduler = s;
      log.info("backfill scheduler of node {} started: tail {} every {}, sweep '{}'", node, csv.files(), csv.tailInterval(),
          csv.sweepCron());
    } catch (SchedulerException e) {
      throw new PostcallException("cannot start the backfill scheduler: " + e.getMessage(), true, e);
    }
  }

  /** Stops after the running job (if any) finished. */
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

  private Properties properties() {
    Properties p = new Properties();
    p.setProperty("org.quartz.scheduler.instanceName", SCHEDULER_NAME + "-" + node + "-" + UUID.randomUUID().toString().substring(0, 8));
    p.setProperty("org.quartz.scheduler.instanceId", node);
    p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
    p.setProperty("org.quartz.scheduler.idleWaitTime", String.valueOf(Math.max(1000, Math.min(30_000, csv.tailInterval().toMillis()))));
    p.setProperty("org.quartz.threadPool.threadCount", "2");
    p.setProperty("org.quartz.threadPool.threadNamePrefix", "postcall-backfill-" + node);
    p.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
    p.setProperty("org.quartz.jobStore.misfireThreshold", String.valueOf(Math.max(60_000, 2 * csv.tailInterval().toMillis())));
    return p;
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

  /** Its annotation keeps one tail at a time on this node: a firing due while one runs waits. */
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
}
