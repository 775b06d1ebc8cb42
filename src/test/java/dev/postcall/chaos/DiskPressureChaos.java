package dev.postcall.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.queue.JobQueue;
import dev.postcall.sim.CallSimulator.Outcome;
import dev.postcall.sim.CallSimulator.SimulatedCall;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Scenario 6: the archive directory cannot be written. Calls with a recording end FAILED with a
 * reason naming the archive path, the rest are delivered, the service stays up; after the admin
 * fixes the directory, {@link JobQueue#retry} (the admin's retry) delivers every one of them.
 *
 * <p>The tests run as root here, and root writes through any permission bits — so the archive
 * directory is made unwritable the way that also stops root: a regular file stands where the
 * directory should be (mkdir fails with "Not a directory"/"File exists").
 */
class DiskPressureChaos {
  @Test
  void unwritable_archive_fails_recordings_with_a_reason_and_the_admin_retry_delivers_them() throws Exception {
    try (ChaosRun run = new ChaosRun("disk-pressure").withTestDb()) {
      Path archive = run.dir.resolve("archive");
      Files.writeString(archive, "not a directory: the archive cannot be written\n");
      run.config.put("worker.max-attempts", "3");
      run.service().start();
      List<SimulatedCall> calls = ChaosRun.simulate(run.options(ChaosRun.CALLS, ChaosRun.CALLS / 10.0, 0, 0, 6)).get();
      run.awaitSettled(calls, ChaosRun.settleTime(calls.size(), Duration.ZERO));
      assertTrue(run.service().alive(), "service alive under disk pressure");

      Map<String, String> failed = Tally.failed(run.ds());
      long withAudio = calls.stream().filter(c -> c.outcome() == Outcome.ANSWERED).count();
      assertEquals(withAudio, failed.size(), "every call with a recording FAILED, no other");
      String reason = failed.values().iterator().next();
      failed.values().forEach(r -> assertTrue(r.contains("CONVERT") && r.contains(archive.toString()), "clear reason: " + r));

      Files.delete(archive); // the admin frees the disk
      Files.createDirectories(archive);
      JobQueue admin = new JobQueue(run.ds(), Clock.systemUTC());
      for (String uniqueid : failed.keySet()) assertTrue(admin.retry(dev.postcall.call.CallRef.parse(uniqueid), "chaos-admin"), uniqueid);
      run.awaitSettled(calls, ChaosRun.settleTime(calls.size(), Duration.ZERO));
      run.finish(calls, "failed_before_fix=" + failed.size() + " retried_by_admin=" + failed.size()
          + " reason=\"" + reason.replace(run.dir.toString(), "<run>") + "\"", false);
    }
  }
}
