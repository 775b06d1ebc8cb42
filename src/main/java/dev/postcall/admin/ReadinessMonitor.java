package dev.postcall.admin;

import dev.postcall.DaemonThreads;
import dev.postcall.config.Redact;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the readiness checks in the background, one thread per check, every {@code interval}, and
 * keeps their last results for {@code /ready} — so a request never waits on the database or the
 * incident system, and a hanging dependency ties up one background thread, not the web's. A check
 * still running after {@code timeout} counts as down until it answers.
 */
final class ReadinessMonitor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ReadinessMonitor.class);

  /** One check's last outcome. {@code detail} is for admins and the log only: it may name hosts. */
  record Result(String name, Status status, String detail, Instant at) {}

  enum Status { UP, DOWN, UNKNOWN }

  private final List<Slot> slots = new ArrayList<>();
  private final Clock clock;
  private final Duration interval;
  private final Duration timeout;
  private ScheduledExecutorService schedule;

  private final class Slot {
    final ReadinessCheck check;
    final ExecutorService runner;
    volatile Result last;
    volatile Instant runningSince; // null when idle

    Slot(ReadinessCheck check) {
      this.check = check;
      this.runner = Executors.newSingleThreadExecutor(r -> DaemonThreads.create("ready-" + check.name(), r));
      this.last = new Result(check.name(), Status.UNKNOWN, "not checked yet", clock.instant());
    }
  }

  ReadinessMonitor(List<ReadinessCheck> checks, Clock clock, Duration interval, Duration timeout) {
    this.clock = clock;
    this.interval = interval;
    this.timeout = timeout;
    for (ReadinessCheck c : checks) slots.add(new Slot(c));
  }

  /** Checks now and then every interval. */
  synchronized void start() {
    if (schedule != null) return;
    schedule = Executors.newSingleThreadScheduledExecutor(r -> DaemonThreads.create("ready-schedule", r));
    schedule.scheduleWithFixedDelay(this::pollOnce, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Starts every check that is not still running from an earlier round. */
  void pollOnce() {
    for (Slot s : slots) {
      if (s.runningSince != null) continue;
      s.runningSince = clock.instant();
      try {
        s.runner.execute(() -> run(s));
      } catch (java.util.concurrent.RejectedExecutionException closed) {
        s.runningSince = null;
      }
    }
  }

  private void run(Slot s) {
    Result r;
    try {
      String detail = s.check.check();
      r = new Result(s.check.name(), Status.UP, Redact.secrets(detail), clock.instant());
    } catch (Exception e) {
      r = new Result(s.check.name(), Status.DOWN, Redact.secrets(e.getClass().getSimpleName() + ": " + e.getMessage()), clock.instant());
    }
    record(s, r);
    s.runningSince = null;
  }

  private void record(Slot s, Result r) {
    Result before = s.last;
    s.last = r;
    if (before.status() != r.status() && !(before.status() == Status.UNKNOWN && r.status() == Status.UP)) {
      if (r.status() == Status.UP) log.info("ready: {} is up again", r.name());
      else log.warn("ready: {} is down: {}", r.name(), r.detail());
    }
  }

  /** The last result of every check, in order; a check running for longer than the timeout is down. */
  Map<String, Result> results() {
    Map<String, Result> out = new LinkedHashMap<>();
    Instant now = clock.instant();
    for (Slot s : slots) {
      Result r = s.last;
      Instant since = s.runningSince;
      if (since != null && since.plus(timeout).isBefore(now)) {
        r = new Result(r.name(), Status.DOWN, "no answer for " + Duration.between(since, now).toSeconds() + " s", now);
        if (s.last.status() != Status.DOWN) record(s, r);
      }
      out.put(r.name(), r);
    }
    return out;
  }


  @Override
  public synchronized void close() {
    if (schedule != null) schedule.shutdownNow();
    for (Slot s : slots) s.runner.shutdownNow();
  }
}
