package dev.postcall.work;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * When to try a failed job again: {@code base × 2^(attempt-1)}, capped, with ±20 % jitter so a
 * hundred jobs that failed together on an incident-system outage do not all come back together.
 */
public final class Backoff {
  private final Duration base;
  private final Duration max;
  private final RandomGenerator random;

  public Backoff(Duration base, Duration max, RandomGenerator random) {
    this.base = base;
    this.max = max;
    this.random = random;
  }

  public Duration after(int attempt) {
    int shift = Math.max(0, Math.min(attempt - 1, 30));
    long ms = base.toMillis() << shift;
    if (ms <= 0 || ms > max.toMillis()) ms = max.toMillis();
    double jitter = 0.8 + 0.4 * random.nextDouble();
    return Duration.ofMillis(Math.max(1, Math.round(ms * jitter)));
  }
}
