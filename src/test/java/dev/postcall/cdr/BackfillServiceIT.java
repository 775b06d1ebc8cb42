package dev.postcall.cdr;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.postcall.CallTablesDb;
import dev.postcall.config.ConfigException;
import dev.postcall.config.PostcallConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Quartz in memory on every tailer node: each node runs its own tail, one run at a time on that node. */
class BackfillServiceIT {
  @RegisterExtension static final CallTablesDb db = new CallTablesDb();
  @TempDir Path dir;

  private PostcallConfig.Csv csv(Path master, Duration interval) {
    var b = CsvFiles.config(List.of(master), "rig");
    return new PostcallConfig.Csv(b.files(), b.columns(), b.zone(), b.contexts(), b.excludeChannels(), b.excludeApps(),
        interval, b.sweepCron(), b.batchSize());
  }

  /** A tail step that takes a while and records how many of it run at once. */
  static final class CountingStep implements Runnable {
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger maxRunning = new AtomicInteger();
    final AtomicInteger runs = new AtomicInteger();

    @Override
    public void run() {
      int now = running.incrementAndGet();
      maxRunning.accumulateAndGet(now, Math::max);
      try {
        Thread.sleep(150); // longer than the 100 ms interval: firings pile up
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        running.decrementAndGet();
        runs.incrementAndGet();
      }
    }
  }

  @Test
  void every_node_runs_its_own_tail_one_run_at_a_time_and_keeps_running_when_another_stops() {
    CountingStep a = new CountingStep();
    CountingStep b = new CountingStep();
    BackfillService nodeA = new BackfillService(csv(dir.resolve("a/Master.csv"), Duration.ofMillis(100)), "pbx-a", a, () -> { });
    BackfillService nodeB = new BackfillService(csv(dir.resolve("b/Master.csv"), Duration.ofMillis(100)), "pbx-b", b, () -> { });
    try {
      nodeA.start();
      nodeB.start();
      await().atMost(Duration.ofSeconds(30)).until(() -> a.runs.get() >= 10 && b.runs.get() >= 10);
      assertEquals(1, a.maxRunning.get(), "one tail at a time on node a");
      assertEquals(1, b.maxRunning.get(), "one tail at a time on node b");
      nodeA.close();
      int before = b.runs.get();
      int aRuns = a.runs.get();
      await().atMost(Duration.ofSeconds(30)).until(() -> b.runs.get() >= before + 5);
      assertEquals(aRuns, a.runs.get(), "a stopped node runs nothing");
      assertEquals(1, b.maxRunning.get());
    } finally {
      nodeA.close();
      nodeB.close();
    }
  }

  @Test
  void the_real_service_tails_master_csv_through_quartz() throws Exception {
    Path master = dir.resolve("Master.csv");
    CsvFiles.append(master, new String(CsvFiles.resource("Master.csv"), java.nio.charset.StandardCharsets.UTF_8));
    try (BackfillService service = new BackfillService(csv(master, Duration.ofMillis(200)), "pbx-a", db.csvDs(), Clock.systemUTC(),
        new SimpleMeterRegistry(), new CdrNotices(), java.time.Instant.now())) {
      service.start();
      await().atMost(Duration.ofSeconds(20)).until(() -> db.count("SELECT COUNT(*) FROM calls") == 9);
      CsvFiles.append(master, CsvFiles.row("1795400001.1", "200", "2026-11-23 09:00:00", "2026-11-23 09:00:05", 5, "BUSY"));
      await().atMost(Duration.ofSeconds(20)).until(() -> db.count("SELECT COUNT(*) FROM calls") == 10);
    }
    assertEquals(10, db.count("SELECT COUNT(*) FROM jobs"));
  }

  @Test
  void a_bad_column_layout_is_refused_at_construction() {
    var b = CsvFiles.config(List.of(dir.resolve("Master.csv")));
    var bad = new PostcallConfig.Csv(b.files(), "uniqueid+nonsense", b.zone(), b.contexts(), b.excludeChannels(),
        b.excludeApps(), b.tailInterval(), b.sweepCron(), b.batchSize());
    ConfigException e = assertThrows(ConfigException.class, () -> new BackfillService(bad, "pbx-a", db.csvDs(), Clock.systemUTC(),
        new SimpleMeterRegistry(), new CdrNotices(), java.time.Instant.now()));
    assertEquals(true, e.getMessage().startsWith("csv.columns"));
  }
}
