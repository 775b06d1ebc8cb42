package dev.postcall.chaos;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.sim.CallSimulator.SimulatedCall;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Scenario 3: the incident system does the work and loses the response — after creating objects
 * and after storing files. The retry must find the object (and the file) instead of making a second.
 */
class LostResponsesChaos {
  @Test
  void lost_responses_after_create_and_add_file_never_make_a_second_object_or_file() throws Exception {
    try (ChaosRun run = new ChaosRun("lost-responses").withTestDb()) {
      run.service().start();
      CompletableFuture<List<SimulatedCall>> sim = ChaosRun.simulate(run.options(ChaosRun.CALLS, ChaosRun.CALLS / 10.0, 0, 0, 3));
      for (int tick = 0; !sim.isDone(); tick++) {
        run.incident.dropResponseAfterCreate(1);
        if (tick % 2 == 0) run.incident.dropResponseAfterAddFile(1);
        Thread.sleep(250);
      }
      List<SimulatedCall> calls = sim.get();
      run.awaitSettled(calls, ChaosRun.settleTime(calls.size(), Duration.ZERO));
      assertTrue(run.service().alive(), "service alive");
      // what the service saw: a 503 where the work had been done
      long lostCreates = run.logLines("CREATE: createObjectref", "503");
      long lostFiles = run.logLines("ATTACH: addFile", "503");
      assertTrue(lostCreates > 0 && lostFiles > 0, "responses were lost: " + lostCreates + "/" + lostFiles);
      run.finish(calls, "lost_create_responses=" + lostCreates + " lost_add_file_responses=" + lostFiles, false);
    }
  }
}
