package dev.postcall.bench;

import dev.postcall.TestDb;
import dev.postcall.cdr.HeapProbe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code scripts/bench backfill-heap} (run with -Xmx256m): the live heap (after a full GC, every
 * 100,000 lines) while {@code postcall backfill} imports a Master.csv of about 200 MB, several
 * times what its rows would need as objects. Target: flat — after the last 100,000 lines within
 * 16 MB of after the first — and under 96 MB at its largest. (BackfillHeapIT checks, without
 * figures, that such a file imports whole in a 256 MB JVM.)
 *
 * <p>Arguments: [lines=1000000].
 */
public final class BackfillHeapBench {
  public static void main(String[] args) throws Exception {
    long lines = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
    Path dir = Files.createTempDirectory("postcall-bench-backfill-heap");
    Path file = dir.resolve("Master.csv");
    try (TestDb db = TestDb.create()) {
      long calls = MasterCsvGenerator.write(file, lines, false);
      System.out.printf(Locale.ROOT, "backfill-heap: %,d lines (%d MB), %,d calls, max heap %d MB%n", lines,
          Files.size(file) >> 20, calls, Runtime.getRuntime().maxMemory() >> 20);
      HeapProbe.Result r = HeapProbe.probe(db.url, TestDb.USER, TestDb.PASSWORD, file, true);
      if (r.fresh() != calls || db.count("SELECT COUNT(*) FROM jobs") != calls)
        throw new AssertionError("imported " + r.fresh() + " of " + calls + " calls");
      long first = r.liveMb().get(0);
      long last = r.liveMb().get(r.liveMb().size() - 1);
      System.out.println("live heap MB per 100k lines: " + r.liveMb());
      BenchResult.row("backfill " + String.format(Locale.ROOT, "%,d", lines) + " lines, live heap first / last / max (-Xmx256m)",
          first + " / " + last + " / " + r.maxLiveMb() + " MB", "-", "-", "last <= first + 16 MB, max < 96 MB");
    } finally {
      Files.deleteIfExists(file);
      Files.deleteIfExists(dir);
    }
  }
}
