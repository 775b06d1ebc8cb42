package dev.postcall.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Where the two cores went during a benchmark phase: this JVM's own threads, its reaped children
 * (ffmpeg, counted when it exits) and the MariaDB server, from /proc (USER_HZ = 100).
 */
record CpuSplit(double jvm, double children, double database, long nanos) {
  static CpuSplit now() {
    try {
      String[] self = fields(Path.of("/proc/self/stat"));
      double jvm = ticks(self, 11) + ticks(self, 12);
      double children = ticks(self, 13) + ticks(self, 14);
      return new CpuSplit(jvm, children, databaseSeconds(), System.nanoTime());
    } catch (IOException e) {
      return new CpuSplit(0, 0, 0, System.nanoTime());
    }
  }

  /** "core-seconds: JVM x, ffmpeg y, MariaDB z, of w available" since {@code start}. */
  String since(CpuSplit start) {
    double wall = (nanos - start.nanos) / 1e9;
    int cores = Runtime.getRuntime().availableProcessors();
    return String.format("CPU over %.1f s: JVM %.1f, ffmpeg %.1f, MariaDB %.1f core-s of %.1f", wall, jvm - start.jvm,
        children - start.children, database - start.database, wall * cores);
  }

  /** The split and this JVM's per-thread CPU, from here on. */
  record Mark(CpuSplit split, java.util.Map<String, Double> threads) {
    /** "CPU over …" and, on a second line, "JVM threads, core-s: …" since this mark. */
    String report() {
      return now().since(split) + "\n  JVM threads, core-s:" + threadsSince(threads);
    }
  }

  static Mark mark() {
    return new Mark(now(), threads());
  }

  /** CPU seconds per thread name (digits folded) of this JVM, from /proc/self/task. */
  static java.util.Map<String, Double> threads() {
    java.util.Map<String, Double> m = new java.util.TreeMap<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      tasks.forEach(t -> {
        try {
          String name = Files.readString(t.resolve("comm")).trim().replaceAll("[0-9]+", "N");
          String[] f = fields(t.resolve("stat"));
          m.merge(name, ticks(f, 11) + ticks(f, 12), Double::sum);
        } catch (IOException | RuntimeException ignored) {
          // the thread ended
        }
      });
    } catch (IOException ignored) {
      // no /proc
    }
    return m;
  }

  static String threadsSince(java.util.Map<String, Double> start) {
    java.util.Map<String, Double> now = threads();
    StringBuilder b = new StringBuilder();
    now.entrySet().stream().map(e -> java.util.Map.entry(e.getKey(), e.getValue() - start.getOrDefault(e.getKey(), 0.0)))
        .filter(e -> e.getValue() >= 0.05).sorted((a, c) -> Double.compare(c.getValue(), a.getValue()))
        .forEach(e -> b.append(String.format(" %s %.2f;", e.getKey(), e.getValue())));
    return b.toString();
  }

  private static double databaseSeconds() throws IOException {
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      return procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).mapToDouble(p -> {
        try {
          String comm = Files.readString(p.resolve("comm")).trim();
          if (!comm.equals("mariadbd") && !comm.equals("mysqld")) return 0;
          String[] f = fields(p.resolve("stat"));
          return ticks(f, 11) + ticks(f, 12);
        } catch (IOException e) {
          return 0;
        }
      }).sum();
    }
  }

  private static String[] fields(Path stat) throws IOException {
    String s = Files.readString(stat);
    return s.substring(s.lastIndexOf(')') + 2).split(" ");
  }

  /** Field index counted from the state field (stat field 3 = index 0). */
  private static double ticks(String[] f, int i) {
    return Long.parseLong(f[i]) / 100.0;
  }
}
