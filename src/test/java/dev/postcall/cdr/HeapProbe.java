package dev.postcall.cdr;

import dev.postcall.db.Database;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Imports a file with {@link BackfillFile} and takes the live heap (after a full GC) every 100,000
 * lines. Run in a forked JVM by {@link BackfillHeapIT} (its {@code main} prints {@code
 * lines=… live-mb=…} per sample, then {@code live-max-mb=… calls-new=… lines=…}) and in process by
 * {@code scripts/bench backfill-heap}. Arguments: jdbc-url user password file.
 */
public final class HeapProbe {
  /** The live heap in MB after every 100,000 lines, its maximum, and what the import counted. */
  public record Result(List<Long> liveMb, long maxLiveMb, long fresh, long lines, long malformed) {}

  public static void main(String[] args) throws Exception {
    Result r = probe(args[0], args[1], args[2], Path.of(args[3]), true);
    System.out.println("live-max-mb=" + r.maxLiveMb() + " calls-new=" + r.fresh() + " lines=" + r.lines()
        + " malformed=" + r.malformed());
  }

  public static Result probe(String url, String user, String password, Path file, boolean print) throws Exception {
    long[] lines = {0, 0};
    long[] maxLive = {0};
    List<Long> liveMb = new ArrayList<>();
    try (Database db = Database.open(url, user, password, 4, Duration.ofSeconds(5))) {
      ImportCounts total = new BackfillFile(CsvFiles.config(List.of(file), "rig"), db.csvImport(), Clock.systemUTC())
          .run(file, null, batch -> {
            lines[0] += batch.lines();
            if (lines[0] - lines[1] >= 100_000) {
              lines[1] = lines[0];
              System.gc();
              long live = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
              maxLive[0] = Math.max(maxLive[0], live);
              liveMb.add(live / (1 << 20));
              if (print) System.out.println("lines=" + lines[0] + " live-mb=" + live / (1 << 20));
            }
          });
      return new Result(List.copyOf(liveMb), maxLive[0] / (1 << 20), total.fresh(), total.lines(), total.malformed());
    }
  }
}
