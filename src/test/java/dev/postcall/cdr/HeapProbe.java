package dev.postcall.cdr;

import dev.postcall.db.Database;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * Run in a forked JVM by {@link BackfillHeapIT}: imports a file with {@link BackfillFile} and prints
 * the live heap (after a full GC) every 100,000 lines, then {@code live-max-mb=… calls-new=…}.
 * Arguments: jdbc-url user password file.
 */
public final class HeapProbe {
  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[3]);
    long[] lines = {0, 0};
    long[] maxLive = {0};
    try (Database db = Database.open(args[0], args[1], args[2], 4, Duration.ofSeconds(5))) {
      ImportCounts total = new BackfillFile(CsvFiles.config(List.of(file), "rig"), db.csvImport(), Clock.systemUTC())
          .run(file, null, batch -> {
            lines[0] += batch.lines();
            if (lines[0] - lines[1] >= 100_000) {
              lines[1] = lines[0];
              System.gc();
              long live = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
              maxLive[0] = Math.max(maxLive[0], live);
              System.out.println("lines=" + lines[0] + " live-mb=" + live / (1 << 20));
            }
          });
      System.out.println("live-max-mb=" + maxLive[0] / (1 << 20) + " calls-new=" + total.fresh() + " lines=" + total.lines()
          + " malformed=" + total.malformed());
    }
  }
}
