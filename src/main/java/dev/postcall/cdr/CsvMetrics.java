package dev.postcall.cdr;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Backfill metrics of one tailer node: {@code postcall.csv.rows{node,result=read|new|duplicate|malformed|skipped}} and
 * {@code postcall.csv.lag.bytes{node,file}}, per configured file of this node the bytes of it and
 * its rotated siblings not read yet (partial last lines included); NaN until the file's first tail.
 */
final class CsvMetrics {
  private static final long UNKNOWN = Long.MIN_VALUE;
  private final Counter read;
  private final Counter fresh;
  private final Counter duplicate;
  private final Counter malformed;
  private final Counter skipped;
  private final Map<Path, AtomicLong> lagBytes = new ConcurrentHashMap<>();
  private final CdrNotices notices;
  private final MeterRegistry registry;
  private final String node;

  CsvMetrics(MeterRegistry registry, String node) {
    this(registry, new CdrNotices(), node);
  }

  CsvMetrics(MeterRegistry registry, CdrNotices notices, String node) {
    this.notices = notices;
    this.registry = registry;
    this.node = node;
    read = counter(registry, node, "read");
    fresh = counter(registry, node, "new");
    duplicate = counter(registry, node, "duplicate");
    malformed = counter(registry, node, "malformed");
    skipped = counter(registry, node, "skipped");
  }

  /** Registers the lag gauge of each file this node tails, before its first run. */
  void tailing(List<Path> files) {
    for (Path f : files) gauge(f);
  }

  private AtomicLong gauge(Path file) {
    return lagBytes.computeIfAbsent(file, f -> {
      AtomicLong bytes = new AtomicLong(UNKNOWN);
      // a tailer of this node that came before in this process (a restarted service) gives way
      Gauge old = registry.find("postcall.csv.lag.bytes").tags("node", node, "file", f.toString()).gauge();
      if (old != null) registry.remove(old);
      Gauge.builder("postcall.csv.lag.bytes", bytes, b -> b.get() == UNKNOWN ? Double.NaN : b.get())
          .tags("node", node, "file", f.toString()).description("bytes of Master.csv not read yet").register(registry);
      return bytes;
    });
  }

  private static Counter counter(MeterRegistry r, String node, String result) {
    return Counter.builder("postcall.csv.rows").tags("node", node, "result", result).description("Master.csv rows by result").register(r);
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

  void lag(Path file, long bytes) {
    gauge(file).set(bytes);
  }
}
