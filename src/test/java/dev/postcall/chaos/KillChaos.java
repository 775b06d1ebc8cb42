package dev.postcall.chaos;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.sim.CallSimulator.SimulatedCall;
import dev.postcall.sim.IncidentServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Scenario 1: {@code kill -9} of the service at chosen and random moments — while AGI sessions are
 * being captured, while ffmpeg converts, between the object's creation and its file's upload, while
 * the tailer reads Master.csv — each followed by a restart after a short outage during which
 * hangups reach only Master.csv (Asterisk's FastAGI fails, cdr_csv still writes). Every call must
 * arrive once, with its recording.
 */
class KillChaos {
  private final Random random = new Random(1);
  private final List<String> kills = new ArrayList<>();

  @Test
  void kill_9_at_any_moment_loses_nothing_and_doubles_nothing() throws Exception {
    try (ChaosRun run = new ChaosRun("kill-9")) {
      run.withTestDb();
      run.config.put("roles", "agi,worker,tailer");
      run.config.put("worker.lease", "5s"); // a killed worker's jobs are claimable again after this
      ServiceProcess service = run.service();
      service.start();
      double span = Math.max(30, ChaosRun.CALLS / 15.0);
      CompletableFuture<List<SimulatedCall>> sim = ChaosRun.simulate(run.options(ChaosRun.CALLS, span, 0, 0, 1));

      Thread.sleep((long) (span * 1000 * (0.05 + 0.1 * random.nextDouble())));
      killAndRestart(service, "capturing");
      killWhen(service, "converting", () -> service.children().stream()
          .anyMatch(p -> p.info().command().orElse("").contains("ffmpeg")));
      run.incident.delay(Duration.ofMillis(300)); // widens the window between create and addFile
      killWhen(service, "between_create_and_addfile", () -> answeredObjectWithoutFile(run.incident));
      run.incident.delay(Duration.ZERO);
      long before = tailLines(service);
      killWhen(service, "tailing", () -> tailLines(service) > before, random.nextInt(1000));
      do {
        Thread.sleep(2_000 + random.nextInt(3_000));
        killAndRestart(service, "random");
      } while (!sim.isDone());

      List<SimulatedCall> calls = sim.get();
      run.awaitSettled(calls, ChaosRun.settleTime(calls.size(), Duration.ofSeconds(30)));
      assertTrue(service.alive(), "service alive after the last restart");
      assertTrue(kills.size() >= 5, "killed at least 5 times: " + kills);
      assertTrue(kills.stream().noneMatch(k -> k.endsWith("_not_seen")), "every targeted moment was hit: " + kills);
      long agiFailed = calls.stream().filter(c -> !c.agiCompleted()).count();
      run.finish(calls, "kills=" + kills.size() + " moments=" + String.join(",", kills) + " agi_refused_or_cut=" + agiFailed
          + " csv_rows_read=" + run.logLines("Master.csv tail:"), false);
    }
  }

  private void killAndRestart(ServiceProcess service, String moment) throws Exception {
    service.kill();
    kills.add(moment);
    Thread.sleep(500 + random.nextInt(1_500)); // down: hangups now reach only Master.csv
    service.start();
  }

  private void killWhen(ServiceProcess service, String moment, BooleanSupplier condition) throws Exception {
    killWhen(service, moment, condition, 0);
  }

  private void killWhen(ServiceProcess service, String moment, BooleanSupplier condition, long delayMs) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    boolean seen;
    while (!(seen = condition.getAsBoolean()) && System.nanoTime() < deadline) Thread.sleep(2);
    if (seen && delayMs > 0) Thread.sleep(delayMs);
    killAndRestart(service, seen ? moment : moment + "_not_seen");
  }

  private static boolean answeredObjectWithoutFile(IncidentServer incident) {
    return incident.objects().stream()
        .anyMatch(o -> "answered".equals(o.first("status")) && incident.files(o.objectref()).isEmpty());
  }

  /** "Master.csv tail:" lines in the running service's log (the tailer read new rows). */
  private static long tailLines(ServiceProcess service) {
    Path log = service.lastLog().orElseThrow();
    try (var lines = Files.lines(log)) {
      return lines.filter(l -> l.contains("Master.csv tail:")).count();
    } catch (Exception e) {
      return 0;
    }
  }
}
