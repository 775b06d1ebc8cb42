package dev.postcall.chaos;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.db.Database;
import dev.postcall.sim.CallSimulator.SimulatedCall;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Scenario: the database is a primary with a semi-synchronous replica, and postcall's {@code db.url}
 * names both (Connector/J's multi-host failover URL). In the middle of the traffic the primary's
 * process is killed (kill -9: no shutdown, no flush) and the replica promoted, as a failover manager
 * would. Counted from outside: every call delivered once, none lost in the switch, none sent twice
 * because a lease or a "create in progress" mark went missing; the AGI path stays fast meanwhile
 * (hangups go to the spool until the promoted server takes writes).
 */
class PrimarySwitchChaos {
  @Test
  void killing_the_primary_and_promoting_its_semisync_replica_loses_and_repeats_no_call() throws Exception {
    assertTrue(MariaDbServer.available(),
        "Debian's mariadb-server (mariadbd, mariadb-install-db) is needed: scripts/test --setup installs it");
    Path base = Path.of("target", "chaos", "primary-switch-db").toAbsolutePath();
    double span = Math.max(40, ChaosRun.CALLS / 2.5);
    try (MariaDbServer primary = MariaDbServer.start(base.resolve("a"), ChaosRun.freePort(), 1, false);
        MariaDbServer replica = MariaDbServer.start(base.resolve("b"), ChaosRun.freePort(), 2, true)) {
      replica.replicateFrom(primary);
      // failOverReadOnly=false: after the switch the replica is where writes go, not a read-only fallback
      String url = "jdbc:mysql://" + primary.hostPort() + "," + replica.hostPort() + "/postcall?sslMode=DISABLED"
          + "&allowPublicKeyRetrieval=true&failOverReadOnly=false&retriesAllDown=2&connectTimeout=1000";
      try (ChaosRun run = new ChaosRun("primary-switch");
          Database view = Database.open(url, MariaDbServer.USER, MariaDbServer.PASSWORD, 2, Duration.ofSeconds(2))) {
        run.withDatabase(url, MariaDbServer.USER, MariaDbServer.PASSWORD, view.dataSource());
        run.service().start();
        CompletableFuture<List<SimulatedCall>> sim = ChaosRun.simulate(run.options(ChaosRun.CALLS, span, 0, 0, 21));
        // the switch once the service runs on the primary and a quarter of the calls are delivered
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
            .until(() -> done(view) >= ChaosRun.CALLS / 4);
        long semisyncCommits = primary.status("Rpl_semi_sync_master_yes_tx");
        Instant down = Instant.now();
        primary.kill();
        replica.promote();
        Instant promoted = Instant.now();
        List<SimulatedCall> calls = sim.get();
        List<SimulatedCall> during = calls.stream()
            .filter(c -> !c.hungUpAt().isBefore(down) && c.hungUpAt().isBefore(promoted)).toList();
        run.awaitSettled(calls, ChaosRun.settleTime(calls.size(), Duration.ofSeconds(30)));
        assertTrue(run.service().alive(), "service alive");
        assertTrue(semisyncCommits > 0, "commits were acknowledged by the replica before the switch: " + semisyncCommits);
        assertEquals(0, run.logLines("LOST unless replayed"), "every hangup reached a database or the spool");
        double p99 = Tally.p99Ms(calls);
        run.finish(calls, String.format(Locale.ROOT, "semisync_commits_before_switch=%d switch_s=%.1f calls_during_switch=%d",
            semisyncCommits, Duration.between(down, promoted).toMillis() / 1000.0, during.size()), false);
        assertTrue(p99 < 1000, "AGI sessions across the switch: p99 " + p99 + " ms");
      }
    }
  }

  private static long done(Database db) throws java.sql.SQLException {
    try (java.sql.Connection c = db.dataSource().getConnection()) {
      return dev.postcall.db.Sql.scalarLong(c, "SELECT COUNT(*) FROM jobs WHERE state = ?", dev.postcall.queue.JobState.DONE);
    }
  }
}
