package dev.postcall.bench;

import dev.postcall.TestDb;
import dev.postcall.cdr.BackfillFile;
import dev.postcall.cdr.ImportCounts;
import dev.postcall.config.PostcallConfig;
import dev.postcall.config.Settings;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code scripts/bench backfill-indexes [lines]}: what the call search's indexes cost the
 * Master.csv backfill ({@code postcall backfill}'s path: LOAD DATA of calls, their jobs, the
 * number_suffixes rows). The same generated file (default 1,000,000 calls, one Dial row each;
 * callers repeat with a power law as in the call-search bench, answered calls by one of 400
 * agents) is stored into a fresh database as migrated, and into one without the search's five
 * calls indexes (agent, outcome, caller, called, start + digits) — the baseline, in the same run,
 * rounds taking turns. number_suffixes is written in both (the insert path maintains it).
 */
public final class BackfillIndexBench {
  /** Secondary indexes of calls that exist only for the search (V19, V24). */
  static final List<String> SEARCH_INDEXES = List.of("ix_calls_agent_search", "ix_calls_outcome_search",
      "ix_calls_caller_search", "ix_calls_called_search", "ix_calls_start_digits");
  private static final DateTimeFormatter T = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
  private static final String[] DISPOSITIONS = {"ANSWERED", "ANSWERED", "ANSWERED", "ANSWERED", "ANSWERED", "ANSWERED",
      "ANSWERED", "NO ANSWER", "BUSY", "FAILED"};

  public static void main(String[] args) throws Exception {
    long lines = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    int batch = PostcallConfig.from(Settings.of(java.util.Map.of())).csv().batchSize();
    Path dir = Files.createTempDirectory("postcall-bench-backfill-indexes");
    Path file = dir.resolve("Master.csv");
    try {
      write(file, lines);
      System.out.printf(Locale.ROOT, "generated %,d calls, %,d bytes%n", lines, Files.size(file));
      double[] with = new double[rounds];
      double[] without = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        // alternate which goes first: the VM drifts, and the second run of a pair meets a warmer server
        boolean withFirst = r % 2 == 0;
        for (int k = 0; k < 2; k++) {
          boolean indexes = withFirst == (k == 0);
          double rate = store(file, lines, batch, indexes);
          (indexes ? with : without)[r] = rate;
          System.out.printf(Locale.ROOT, "round %d, %s the search indexes: %,.0f calls/s%n", r + 1,
              indexes ? "with" : "without", rate);
        }
      }
      double w = median(with);
      double wo = median(without);
      System.out.printf(Locale.ROOT, "with %s, without %s calls/s: with / without = %.2f%n", Arrays.toString(with),
          Arrays.toString(without), w / wo);
      BenchResult.row(String.format(Locale.ROOT, "backfill store with the search indexes (%,d calls, median of %d)", lines, rounds),
          String.format(Locale.ROOT, "%,.0f calls/s", w), String.format(Locale.ROOT, "without them %,.0f", wo),
          BenchResult.ratio(w / wo), "(cost of the search indexes)");
    } finally {
      Files.deleteIfExists(file);
      Files.deleteIfExists(dir);
    }
  }

  static double store(Path file, long lines, int batch, boolean searchIndexes) throws Exception {
    try (TestDb db = TestDb.create()) {
      if (!searchIndexes) {
        List<String> drop = new ArrayList<>();
        for (String ix : SEARCH_INDEXES) drop.add("DROP INDEX " + ix);
        db.exec("ALTER TABLE calls " + String.join(", ", drop));
      }
      PostcallConfig.Csv csv = new PostcallConfig.Csv(List.of(file), "auto", ZoneId.of("UTC"), List.of("from-trunk"),
          List.of("Local/*;1"), List.of("AppDial", "AppDial2"), Duration.ofSeconds(10), "0 30 2 * * ?", batch);
      long t = System.nanoTime();
      ImportCounts c = new BackfillFile(csv, db.csvDs(), Clock.systemUTC()).run(file, null, b -> { });
      double s = (System.nanoTime() - t) / 1e9;
      if (c.fresh() != lines || db.count("SELECT COUNT(*) FROM calls") != lines || db.count("SELECT COUNT(*) FROM jobs") != lines)
        throw new IllegalStateException("stored " + c + ", calls " + db.count("SELECT COUNT(*) FROM calls"));
      if (db.count("SELECT COUNT(*) FROM calls WHERE agent IS NOT NULL") == 0) throw new IllegalStateException("no agents stored");
      return lines / s;
    }
  }

  /** One Dial row per call: a trunk call into a DID, answered (70 %) by PJSIP/200..599. */
  static void write(Path file, long lines) throws Exception {
    LocalDateTime t0 = LocalDateTime.of(2026, 11, 1, 8, 0);
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (long i = 0; i < lines; i++) {
        long h1 = hash(i * 3 + 1);
        long h2 = hash(i * 3 + 2);
        // the busiest caller ~1 % of the calls, most once or twice (as CallSearchBench)
        long ci = (long) (Math.pow((h1 & 0xffffffffL) / 4294967296.0, 3) * 1_000_000);
        String caller = String.format("06%08d", (ci * 48271 + 12345) % 100_000_000);
        String did = String.format("0800%03d", h2 % 20);
        String s = T.format(t0.plusSeconds(i / 4));
        String e = T.format(t0.plusSeconds(i / 4 + 65));
        String disp = DISPOSITIONS[(int) ((h2 >>> 8) % DISPOSITIONS.length)];
        boolean answered = disp.equals("ANSWERED");
        String agent = "PJSIP/" + (200 + (h2 >>> 16) % 400);
        String uid = (1795000000L + i / 4) + "." + i;
        w.write("\"\",\"" + caller + "\",\"" + did + "\",\"from-trunk\",\"\"\"Caller\"\" <" + caller + ">\",\"PJSIP/trunk-"
            + String.format("%08x", i) + "\",\"" + (answered ? agent + "-" + String.format("%08x", i) : "") + "\",\"Dial\",\""
            + agent + ",30\",\"" + s + "\"," + (answered ? "\"" + s + "\"" : "") + ",\"" + e + "\",65," + (answered ? 60 : 0)
            + ",\"" + disp + "\",\"DOCUMENTATION\",\"" + uid + "\",\"\"\n");
      }
    }
  }

  private static long hash(long x) {
    x ^= x >>> 33;
    x *= 0xff51afd7ed558ccdL;
    x ^= x >>> 33;
    x *= 0xc4ceb93e10da7f1bL;
    x ^= x >>> 33;
    return x & Long.MAX_VALUE;
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
