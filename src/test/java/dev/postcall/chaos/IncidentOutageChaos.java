package dev.postcall.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.sim.CallSimulator.SimulatedCall;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Scenario 2: the incident system refuses connections for a long stretch in the middle of the run,
 * comes back holding its first creates past the client's timeout (and carrying them out after the
 * client gave up), and later hangs (accepts, never answers — and then carries out what it held)
 * for a while. Calls wait in the queue and arrive once each when it answers again.
 */
class IncidentOutageChaos {
  static final int HELD_CREATES = 5;

  @Test
  void calls_wait_out_a_long_outage_and_a_hanging_incident_system_and_arrive_once() throws Exception {
    Duration down = Duration.ofSeconds(ChaosRun.CALLS >= 1000 ? 30 : 10);
    Duration hang = Duration.ofSeconds(ChaosRun.CALLS >= 1000 ? 10 : 6);
    double span = Math.max(20, ChaosRun.CALLS / 25.0);
    try (ChaosRun run = new ChaosRun("incident-outage").withTestDb()) {
      // held and hanging requests are carried out up to hold/hang after they were sent: the settle
      // time (the default, 3 × (1 s + 3 s)) and the reconcile look-up must come later than that
      Duration settle = Duration.ofSeconds(12);
      run.config.put("incident.create-settle", settle.toSeconds() + "s");
      run.config.put("incident.reconcile-after", settle.toSeconds() + "s");
      run.service().start();
      CompletableFuture<List<SimulatedCall>> sim = ChaosRun.simulate(run.options(ChaosRun.CALLS, span, 0, 0, 2));
      Thread.sleep((long) (span * 200)); // 20 % into the run
      run.incident.refuse();
      Thread.sleep(down.toMillis());
      run.incident.accept();
      run.incident.holdCreates(HELD_CREATES, Duration.ofSeconds(5)); // receive timeout 3 s
      Thread.sleep((long) (span * 200));
      run.incident.hang(true);
      Thread.sleep(hang.toMillis());
      run.incident.hang(false);
      List<SimulatedCall> calls = sim.get();
      run.awaitSettled(calls, ChaosRun.settleTime(calls.size(), down.plus(hang)));
      assertTrue(run.service().alive(), "service alive");
      long refused = run.logLines("WARN", "retry at", "CREATE");
      long unanswered = run.logLines("WARN", "not looking the call up before");
      assertEquals(HELD_CREATES, run.incident.heldCreatesDone(), "held creates carried out after the client gave up");
      run.finish(calls, "down_s=" + down.toSeconds() + " hang_s=" + hang.toSeconds() + " retries_logged=" + refused
          + " held_creates=" + run.incident.heldCreatesDone() + " creates_unanswered=" + unanswered
          + " removed_by_reconcile=" + run.incident.removed().size(), false);
    }
  }
}
