package dev.postcall.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.postcall.MutableClock;
import dev.postcall.TestDb;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The multi-row path of insertAll (a group commit of hangups) keeps insert()'s promises. */
class CallStoreBatchIT {
  TestDb db;
  CallStore calls;

  @BeforeEach
  void setUp() {
    db = TestDb.create();
    calls = new CallStore(db.ds(), new MutableClock(Instant.parse("2026-11-23T10:00:00Z")));
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  @Test
  void batch_reports_new_calls_and_adds_one_job_each_known_and_repeated_ones_add_nothing() throws Exception {
    calls.insert(JobQueueIT.call("known"));
    List<CallRecord> batch = new ArrayList<>();
    for (int i = 0; i < 700; i++) batch.add(JobQueueIT.call("b." + i)); // more than one chunk
    batch.add(JobQueueIT.call("known"));
    batch.add(JobQueueIT.call("b.3"));
    List<Boolean> isNew = calls.insertAll(batch);
    assertEquals(702, isNew.size());
    assertEquals(700, isNew.stream().filter(b -> b).count());
    assertEquals(false, isNew.get(700));
    assertEquals(false, isNew.get(701));
    assertEquals(701, db.count("SELECT COUNT(*) FROM calls"));
    assertEquals(701, db.count("SELECT COUNT(*) FROM jobs"));
    assertEquals("Alice", calls.find("b.699").orElseThrow().callerName());
    assertEquals(List.of(false, false), calls.insertAll(List.of(JobQueueIT.call("b.1"), JobQueueIT.call("b.2"))));
    assertEquals(701, db.count("SELECT COUNT(*) FROM jobs"));
  }
}
