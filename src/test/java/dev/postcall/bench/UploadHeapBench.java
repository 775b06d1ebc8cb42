package dev.postcall.bench;

import dev.postcall.config.PostcallConfig;
import dev.postcall.config.Settings;
import dev.postcall.incident.SoapIncidentSystem;
import dev.postcall.call.CallRecord;
import dev.postcall.sim.IncidentServer;
import dev.postcall.sim.IncidentServer.StoredFile;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code scripts/bench upload-heap} (run with -Xmx128m): peak heap while SoapIncidentSystem attaches
 * a large recording (default 200 MB) over MTOM to the IncidentServer on loopback — both in this
 * JVM, so the figure includes the server's side. Baseline: the same JVM copying the same file with
 * Files.copy. Target: the upload fits in 128 MB of heap (it would not if the file were read whole).
 *
 * <p>Arguments: [megabytes=200].
 */
public final class UploadHeapBench {
  public static void main(String[] args) throws Exception {
    int mb = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    Path dir = Files.createTempDirectory("postcall-bench-heap");
    try {
      Path mp3 = dir.resolve("big.mp3");
      writeRandom(mp3, (long) mb << 20);
      System.out.printf(Locale.ROOT, "upload-heap: %d MB file, max heap %d MB%n", mb,
          Runtime.getRuntime().maxMemory() >> 20);

      long baseline = peakWhile(() -> Files.copy(mp3, dir.resolve("copy.bin")));
      System.out.printf(Locale.ROOT, "baseline Files.copy       peak heap used %4d MB%n", baseline >> 20);

      try (IncidentServer server = IncidentServer.onLoopback(dir.resolve("server"), "bench", "bench");
          SoapIncidentSystem incident = new SoapIncidentSystem(PostcallConfig.from(Settings.of(Map.of(
              "incident.url", server.url(), "incident.user", "bench", "incident.password", "bench",
              "incident.receive-timeout", "10m"))).incident())) {
        Instant t = Instant.now();
        String objectref = incident.create(new CallRecord("bench.1", null, "SIP/1", null, "2001", null, "101",
            "rig", t, t, t, 1, 1, "ANSWERED", "ANSWER", null, null, null, CallRecord.Source.AGI, dev.postcall.config.PostcallConfig.Pbx.defaultId()), "answered");
        long t0 = System.nanoTime();
        long peak = peakWhile(() -> incident.attachRecording(objectref, mp3, "big.mp3"));
        double secs = (System.nanoTime() - t0) / 1e9;
        StoredFile stored = server.files(objectref).get(0);
        if (stored.bytes() != Files.size(mp3)) throw new AssertionError("server got " + stored.bytes() + " bytes");
        System.out.printf(Locale.ROOT, "postcall attachRecording  peak heap used %4d MB (%.1f s, %.0f MB/s, %s)%n",
            peak >> 20, secs, mb / secs, stored.contentType().split(";")[0]);
        System.out.printf(Locale.ROOT, "peak heap %d MB vs target <= 128 MB; vs Files.copy baseline +%d MB%n",
            peak >> 20, (peak - baseline) >> 20);
        BenchResult.row("upload " + mb + " MB recording, peak heap (-Xmx128m)", (peak >> 20) + " MB",
            "Files.copy " + (baseline >> 20) + " MB", "-", "<= 128 MB");
      }
    } finally {
      try (var s = Files.walk(dir)) {
        s.sorted((a, b) -> b.compareTo(a)).forEach(x -> x.toFile().delete());
      }
    }
  }

  private interface Work {
    void run() throws Exception;
  }

  /** Highest heap use seen (sampled every 2 ms) while {@code work} runs, after a GC to start clean. */
  private static long peakWhile(Work work) throws Exception {
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    System.gc();
    AtomicLong peak = new AtomicLong(mem.getHeapMemoryUsage().getUsed());
    AtomicBoolean running = new AtomicBoolean(true);
    Thread sampler = new Thread(() -> {
      while (running.get()) {
        peak.accumulateAndGet(mem.getHeapMemoryUsage().getUsed(), Math::max);
        try {
          Thread.sleep(2);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "heap-sampler");
    sampler.setDaemon(true);
    sampler.start();
    try {
      work.run();
    } finally {
      running.set(false);
      sampler.join();
    }
    return peak.get();
  }

  private static void writeRandom(Path p, long bytes) throws Exception {
    Random r = new Random(42);
    byte[] chunk = new byte[1 << 20];
    try (OutputStream out = Files.newOutputStream(p)) {
      for (long left = bytes; left > 0; left -= chunk.length) {
        r.nextBytes(chunk);
        out.write(chunk, 0, (int) Math.min(left, chunk.length));
      }
    }
  }
}
