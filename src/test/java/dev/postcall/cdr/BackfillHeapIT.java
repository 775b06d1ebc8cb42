package dev.postcall.cdr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.TestDb;
import dev.postcall.bench.MasterCsvGenerator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 1,000,000-line Master.csv (~200 MB) imports whole in a JVM limited to 256 MB: the import
 * streams. How flat the live heap stays is a figure for {@code scripts/bench backfill-heap}.
 */
class BackfillHeapIT {
  @TempDir Path dir;

  @Test
  void a_million_line_file_imports_whole_in_256_mb() throws IOException, InterruptedException {
    Path file = dir.resolve("Master.csv");
    long calls = MasterCsvGenerator.write(file, 1_000_000, false);
    // ~200 MB of text: as row objects it would need several times the 256 MB heap.
    assertTrue(java.nio.file.Files.size(file) > 128L << 20, "file of realistic size");
    try (TestDb db = TestDb.create()) {
      String java = ProcessHandle.current().info().command().orElse("java");
      Process p = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
          "-Dlogback.configurationFile=logback-test.xml", HeapProbe.class.getName(), db.url, TestDb.USER, TestDb.PASSWORD,
          file.toString()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(3, TimeUnit.MINUTES));
      assertEquals(0, p.exitValue(), out);
      Matcher m = Pattern.compile("live-max-mb=(\\d+) calls-new=(\\d+) lines=(\\d+)").matcher(out);
      assertTrue(m.find(), out);
      assertEquals(1_000_000, Long.parseLong(m.group(3)));
      assertEquals(calls, Long.parseLong(m.group(2)));
      assertEquals(calls, db.count("SELECT COUNT(*) FROM calls"));
      assertEquals(calls, db.count("SELECT COUNT(*) FROM jobs"));
      List<Long> live = Pattern.compile("live-mb=(\\d+)").matcher(out).results().map(r -> Long.parseLong(r.group(1))).toList();
      assertEquals(10, live.size(), "the heap was sampled every 100,000 lines: " + out);
      System.out.println("[BackfillHeapIT] live heap MB per 100k lines: " + live);
    }
  }
}
