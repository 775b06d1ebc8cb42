package dev.postcall.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.postcall.MutableClock;
import dev.postcall.TestDb;
import dev.postcall.queue.JobState;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The delivered-jobs count that {@code /metrics} and the dashboard ask for every few seconds:
 * jobs done before the cutoff are counted once, and the count stays exact as time moves the
 * cutoff past new deliveries.
 */
class DoneCountIT {
  @Test
  void delivered_jobs_are_counted_once_as_the_cutoff_moves_past_them() throws Exception {
    try (TestDb db = TestDb.create()) {
      MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
      Seed seed = new Seed(db.ds(), clock);
      for (int i = 0; i < 5; i++) seed.delivered("900." + i, "0301", clock.instant());
      clock.advance(Duration.ofHours(1));
      FailedQueue queue = new FailedQueue(db.ds(), clock);
      assertEquals(5, queue.stats().count(JobState.DONE), "the first refresh counts them all");

      seed.delivered("901.1", "0301", clock.instant()); // within the last ten minutes: counted live
      assertEquals(6, queue.stats().count(JobState.DONE));
      clock.advance(Duration.ofMinutes(11)); // 901.1 is settled now
      seed.delivered("901.2", "0301", clock.instant());
      assertEquals(7, queue.stats().count(JobState.DONE));
      seed.failed("902.1", "0301", clock.instant(), dev.postcall.queue.Stage.CREATE, "e");
      clock.advance(Duration.ofHours(2));
      QueueStats st = queue.stats();
      assertEquals(7, st.count(JobState.DONE), "each delivery counted once across three cutoffs");
      assertEquals(1, st.count(JobState.FAILED));
      assertEquals(7, new FailedQueue(db.ds(), clock).stats().count(JobState.DONE), "a count from scratch agrees");
    }
  }
}
