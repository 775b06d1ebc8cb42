package dev.postcall.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.postcall.MutableClock;
import dev.postcall.TestDb;
import dev.postcall.queue.JobState;
import dev.postcall.queue.Stage;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FailedQueueIT {
  static TestDb db;
  static FailedQueue queue;
  static Seed seed;
  static MutableClock clock;

  @BeforeAll
  static void seed() throws Exception {
    db = TestDb.create();
    clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
    seed = new Seed(db.ds(), clock);
    Instant t = Instant.parse("2026-11-21T09:00:00Z");
    for (int i = 0; i < 7; i++) seed.failed("800." + i, i % 2 == 0 ? "0301" + i : "0409" + i, t.plusSeconds(i), Stage.CREATE, "e" + i);
    seed.delivered("801.1", "03015", t);
    queue = new FailedQueue(db.ds(), clock);
  }

  @AfterAll
  static void drop() {
    db.close();
  }

  static List<String> ids(FailedQueue.Page p) {
    return p.rows().stream().map(FailedRow::uniqueid).toList();
  }

  @Test
  void page_counts_all_matches_with_and_without_a_number_filter() throws Exception {
    FailedQueue.Page all = queue.page(FailedFilter.ALL, 3, 0);
    assertEquals(List.of("800.6", "800.5", "800.4"), ids(all));
    assertEquals(7, all.total());
    assertFalse(all.capped());

    FailedFilter number = new FailedFilter(null, null, null, "0301", null);
    FailedQueue.Page first = queue.page(number, 2, 0);
    assertEquals(List.of("800.6", "800.4"), ids(first));
    assertEquals(4, first.total());
    FailedQueue.Page last = queue.page(number, 2, 2);
    assertEquals(List.of("800.2", "800.0"), ids(last));
    assertEquals(4, last.total());
    FailedQueue.Page beyond = queue.page(number, 2, 10);
    assertEquals(List.of(), ids(beyond));
    assertEquals(4, beyond.total());
  }

  @Test
  void date_filter_counts_through_the_calls_table() throws Exception {
    FailedFilter f = new FailedForm("2026-11-21T09:00:03", "2026-11-21T09:00:05", null, null, null).toFilter();
    FailedQueue.Page p = queue.page(f, 50, 0);
    assertEquals(List.of("800.4", "800.3"), ids(p));
    assertEquals(2, p.total());
  }

  @Test
  void stats_count_by_state_and_date_the_oldest_call_still_waiting() throws Exception {
    QueueStats before = queue.stats();
    assertEquals(7, before.count(JobState.FAILED));
    assertEquals(1, before.count(JobState.DONE));
    // failed and delivered jobs are older, but none of them is waiting
    assertNull(before.oldestPending());
    // the seven failed jobs were updated within the hour too; only the delivery counts
    assertEquals(1, before.deliveredLastHour());
    assertEquals(1, before.deliveredLastDay());

    Instant first = clock.instant();
    seed.pending("802.1", "0301", first);
    clock.advance(java.time.Duration.ofSeconds(5));
    seed.pending("802.2", "0302", clock.instant());
    QueueStats after = queue.stats();
    assertEquals(2, after.count(JobState.PENDING));
    assertEquals(first, after.oldestPending());
  }
}
