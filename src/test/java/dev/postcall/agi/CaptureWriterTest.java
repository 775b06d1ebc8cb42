package dev.postcall.agi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.postcall.queue.CallStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer's last resort, with the spool unwritable: sessions wait at most the budget for a
 * direct commit; an event not committed by then is logged whole — and if the commit lands a
 * moment later, a second line says so, so nobody replays it for nothing.
 */
class CaptureWriterTest {
  @TempDir Path dir;

  @Test
  void a_commit_later_than_the_budget_is_logged_lost_then_reported_stored_after_all() throws Exception {
    CountDownLatch slowDatabase = new CountDownLatch(1);
    CallStore store = mock(CallStore.class);
    when(store.insertAll(anyList())).thenAnswer(inv -> {
      slowDatabase.await(5, TimeUnit.SECONDS);
      return List.of(true);
    });
    Spool spool = new Spool(dir, Clock.systemUTC());
    Files.createDirectories(dir.resolve(Spool.ACTIVE)); // the spool's file name taken: it cannot be written
    CaptureWriter writer = new CaptureWriter(store, spool, Duration.ofMillis(50), 1);
    writer.start();
    try (LogCapture logs = new LogCapture()) {
      long t0 = System.nanoTime();
      CaptureWriter.Outcome o = writer.captureAll(List.of(SpoolTest.call("60.1"))).get(0);
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertEquals(CaptureWriter.Result.NOT_STORED, o.result());
      assertTrue(o.reason().contains("not writable") && o.reason().contains("database slower than the budget"), o.reason());
      assertTrue(ms < 1_000, "waited about the budget, not for the database: " + ms + " ms");
      assertTrue(logs.has("call 60.1 LOST unless replayed from this line"), logs.lines().toString());

      slowDatabase.countDown();
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (!logs.has("call 60.1 reached the database after all") && System.nanoTime() < until) Thread.sleep(5);
      assertTrue(logs.has("call 60.1 reached the database after all"), logs.lines().toString());
    } finally {
      writer.close();
    }
  }
}
