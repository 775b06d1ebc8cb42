package dev.postcall.cdr;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Backfill metrics: {@code postcall.csv.rows{result=read|new|duplicate|malformed|skipped}} and
 * {@code postcall.csv.lag.bytes}, the bytes of the tailed files not read yet (partial last lines
 * included).
 */
final class CsvMetrics {
  private final Counter read;
  private final Counter fresh;
  private final Counter duplicate;
  private final Counter malformed;
  private final Counter skipped;
  private final AtomicLong lagBytes = new AtomicLong();
  private final CdrNotices notices;

  CsvMetrics(MeterRegistry registry) {
    this(registry, new CdrNotices());
  }

  CsvMetrics(MeterRegistry registry, CdrNotices notices) {
    this.notices = notices;
    read = counter(registry, "read");
    fresh = counter(registry, "new");
    duplicate = counter(registry, "duplicate");
    malformed = counter(registry, "malformed");
    skipped = counter(registry, "skipped");
    Gauge.builder("postcall.csv.lag.bytes", lagBytes, AtomicLong::get)
        .description("bytes of Master.csv not read yet").register(registry);
  }

  private static Counter counter(MeterRegistry r, String result) {
    return Counter.builder("postcall.csv.rows").tag("result", result).description("Master.csv rows by result").register(r);
  }

  void record(ImportCounts c) {
    read.increment(c.lines);
    fresh.increment(c.fresh);
    duplicate.increment(c.duplicate);
    malformed.increment(c.malformed);
    skipped.increment(c.skipped);
  }

  CdrNotices notices() {
    return notices;
  }

  void lag(long bytes) {
    lagBytes.set(bytes);
  }
}
