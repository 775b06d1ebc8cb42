package dev.postcall.work;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {
  @Test
  void grows_exponentially_with_jitter_and_stays_under_the_cap() {
    Backoff b = new Backoff(Duration.ofSeconds(5), Duration.ofMinutes(30), new Random(42));
    for (int attempt = 1; attempt < 60; attempt++) {
      long ms = b.after(attempt).toMillis();
      long nominal = Math.min(5_000L << Math.min(attempt - 1, 30), 30 * 60_000L);
      assertTrue(ms >= nominal * 0.8 - 1 && ms <= nominal * 1.2 + 1, "attempt " + attempt + ": " + ms);
    }
  }
}
