package dev.postcall.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The background checks behind /ready, one step at a time with a moved clock. */
class ReadinessMonitorTest {
  @Test
  void a_hanging_check_is_down_after_the_timeout_and_is_not_started_twice() throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2026-12-06T10:00:00Z"));
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger starts = new AtomicInteger();
    ReadinessCheck hanging = ReadinessCheck.of("incident", () -> {
      starts.incrementAndGet();
      release.await();
      return "ok at https://svc:pw@host/x";
    });
    ReadinessCheck fine = ReadinessCheck.of("database", () -> "ok");
    try (ReadinessMonitor m = new ReadinessMonitor(List.of(fine, hanging), clock, Duration.ofSeconds(10), Duration.ofSeconds(5))) {
      assertEquals(ReadinessMonitor.Status.UNKNOWN, m.results().get("incident").status());
      m.pollOnce();
      Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> m.results().get("database").status() == ReadinessMonitor.Status.UP);
      clock.advance(Duration.ofSeconds(4));
      assertEquals(ReadinessMonitor.Status.UNKNOWN, m.results().get("incident").status(), "still within the timeout");
      clock.advance(Duration.ofSeconds(2));
      ReadinessMonitor.Result r = m.results().get("incident");
      assertEquals(ReadinessMonitor.Status.DOWN, r.status());
      assertTrue(r.detail().startsWith("no answer for 6 s"), r.detail());
      m.pollOnce();
      m.pollOnce();
      assertEquals(1, starts.get(), "a check still running is not started again");
      release.countDown();
      Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> m.results().get("incident").status() == ReadinessMonitor.Status.UP);
      assertEquals("ok at https://svc:****@host/x", m.results().get("incident").detail(), "details are redacted");
    }
  }

  @Test
  void a_failing_check_is_down_with_its_reason() {
    MutableClock clock = new MutableClock(Instant.parse("2026-12-06T10:00:00Z"));
    ReadinessCheck broken = ReadinessCheck.of("spool", () -> {
      throw new IllegalStateException("3 calls spooled");
    });
    try (ReadinessMonitor m = new ReadinessMonitor(List.of(broken), clock, Duration.ofSeconds(10), Duration.ofSeconds(5))) {
      m.pollOnce();
      Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> m.results().get("spool").status() == ReadinessMonitor.Status.DOWN);
      assertEquals("IllegalStateException: 3 calls spooled", m.results().get("spool").detail());
    }
  }
}
