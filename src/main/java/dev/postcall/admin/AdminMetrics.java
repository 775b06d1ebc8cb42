package dev.postcall.admin;

import dev.postcall.queue.JobState;
import dev.postcall.queue.Stage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The queue's gauges ({@code postcall_jobs{state}}, {@code postcall_jobs_waiting{stage}}, oldest waiting call) and the admins' actions.
 * Gauges read a snapshot that {@link #refresh()} takes from the database once per scrape, so a
 * scrape costs two small queries instead of one per gauge, and a database outage cannot hang it.
 */
final class AdminMetrics {
  static final List<String> STATES = Stream.of(JobState.values()).map(JobState::name).toList();

  private final FailedQueue queue;
  private final Clock clock;
  private final Map<String, AtomicLong> jobs = new ConcurrentHashMap<>();
  private final Map<Stage, AtomicLong> waiting = new ConcurrentHashMap<>();
  private final AtomicLong oldestPendingSeconds = new AtomicLong();
  private final Counter retries;
  private final Counter discards;
  private final boolean queueGauges;

  /** {@code queueGauges}: false on all web nodes but one — the gauges are the database's, the same on every node. */
  AdminMetrics(MeterRegistry registry, FailedQueue queue, Clock clock, boolean queueGauges) {
    this.queue = queue;
    this.clock = clock;
    this.queueGauges = queueGauges;
    retries = Counter.builder("postcall.admin.actions").tag("action", "retry").register(registry);
    discards = Counter.builder("postcall.admin.actions").tag("action", "discard").register(registry);
    if (!queueGauges) return;
    for (String s : STATES) {
      AtomicLong v = new AtomicLong();
      jobs.put(s, v);
      Gauge.builder("postcall.jobs", v, AtomicLong::get).tag("state", s)
          .description("Delivery jobs by state").register(registry);
    }
    // Jobs not delivered yet by the step they wait for: a growing CONVERT count means conversions
    // fall behind, a growing CREATE/ATTACH count that the incident system does.
    for (Stage stage : Stage.values()) {
      if (stage == Stage.DONE) continue;
      AtomicLong v = new AtomicLong();
      waiting.put(stage, v);
      Gauge.builder("postcall.jobs.waiting", v, AtomicLong::get).tag("stage", stage.name())
          .description("Jobs pending or running, by the step they are at").register(registry);
    }
    Gauge.builder("postcall.jobs.oldest.pending", oldestPendingSeconds, AtomicLong::get).baseUnit("seconds")
        .description("Age of the oldest call waiting for delivery").register(registry);
  }

  void refresh() throws SQLException {
    if (!queueGauges) return;
    QueueStats st = queue.stats();
    for (String s : STATES) jobs.get(s).set(st.count(s));
    Map<String, Long> pending = st.byStateAndStage().getOrDefault(JobState.PENDING.name(), Map.of());
    Map<String, Long> claimed = st.byStateAndStage().getOrDefault(JobState.CLAIMED.name(), Map.of());
    waiting.forEach((stage, v) -> v.set(pending.getOrDefault(stage.name(), 0L) + claimed.getOrDefault(stage.name(), 0L)));
    oldestPendingSeconds.set(st.oldestPending() == null ? 0
        : Math.max(0, Duration.between(st.oldestPending(), clock.instant()).toSeconds()));
  }

  void retried(int n) {
    retries.increment(n);
  }

  void discarded(int n) {
    discards.increment(n);
  }
}
