package dev.postcall.agi;

import dev.postcall.queue.CallRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** What the benchmark (another package) needs from inside the capture package. */
public final class AgiBenchSupport {
  private AgiBenchSupport() {}

  /** The hangup script's one query, so the baseline responder sends the very same command. */
  public static String expression() {
    return HangupQuery.EXPRESSION;
  }

  /**
   * The floor under every session: spool appends alone (JSON line, write, fsync) at a fixed rate,
   * each on its own thread as sessions do; times in ns, sorted.
   */
  public static long[] spoolAppends(Path dir, int perSecond, Duration d) throws Exception {
    Files.createDirectories(dir);
    int n = (int) (perSecond * d.toSeconds());
    long[] out = new long[n];
    ExecutorService pool = Executors.newCachedThreadPool();
    try (Spool spool = new Spool(dir, Clock.systemUTC())) {
      List<Future<?>> fs = new ArrayList<>(n);
      long period = 1_000_000_000L / perSecond;
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        long due = t0 + i * period;
        long wait;
        while ((wait = due - System.nanoTime()) > 0) TimeUnit.NANOSECONDS.sleep(Math.min(wait, 1_000_000));
        int k = i;
        fs.add(pool.submit(() -> {
          long s = System.nanoTime();
          spool.append(new CallRecord("bench." + k, null, "PJSIP/bench", null, "100", "Bench", "200", "bench",
              null, null, null, null, null, null, "ANSWER", null, null, null, CallRecord.Source.AGI), "bench");
          out[k] = System.nanoTime() - s;
          return null;
        }));
      }
      for (Future<?> f : fs) f.get();
    } finally {
      pool.shutdown();
    }
    Arrays.sort(out);
    return out;
  }
}
