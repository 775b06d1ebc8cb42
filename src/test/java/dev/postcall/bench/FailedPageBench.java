package dev.postcall.bench;

import dev.postcall.TestDb;
import dev.postcall.admin.FailedPageTiming;
import dev.postcall.admin.FailedForm;
import dev.postcall.queue.JobEventOutcome;
import dev.postcall.queue.JobState;
import dev.postcall.queue.Stage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * {@code scripts/bench failed-page}: the failed-upload page with 100,000 failed jobs (plus 50,000
 * delivered ones) in the queue. Renders filtered pages server-side exactly as the web handler does
 * (count + page query + HTML) and prints median/p95 per filter; the baseline is the same pages with
 * V4's indexes dropped, measured in the same run. Target: < 200 ms per page.
 */
public final class FailedPageBench {
  static final int FAILED = 100_000;
  static final int DONE = 50_000;
  static int RUNS = 30;

  public static void main(String[] args) throws Exception {
    if (java.util.Arrays.asList(args).contains("quick")) RUNS = 10;
    // -Dbench.seed-only=true: seed, print the database name and keep it (for EXPLAIN by hand)
    boolean seedOnly = Boolean.getBoolean("bench.seed-only");
    TestDb db = TestDb.create();
    try {
      long t0 = System.nanoTime();
      seed(db);
      System.out.printf("seeded %,d failed + %,d delivered jobs in %.1f s%n", FAILED, DONE, (System.nanoTime() - t0) / 1e9);
      if (seedOnly) {
        System.out.println("kept database " + db.name);
        return;
      }

      Map<String, FailedForm> cases = new LinkedHashMap<>();
      cases.put("no filter, page 1", new FailedForm(null, null, null, null, null));
      cases.put("stage=ATTACH", new FailedForm(null, null, "ATTACH", null, null));
      cases.put("one day", new FailedForm("2026-11-10", "2026-11-10", null, null, null));
      cases.put("one day + stage=CREATE", new FailedForm("2026-11-10", "2026-11-10", "CREATE", null, null));
      cases.put("number contains 4711", new FailedForm(null, null, null, "4711", null));
      cases.put("reason contains 'timed out'", new FailedForm(null, null, null, null, "timed out"));
      FailedPageTiming timing = new FailedPageTiming(db.ds(), Clock.systemUTC());

      Map<String, double[]> indexed = measure(timing, cases, 1);
      Map<String, double[]> deep = measure(timing, Map.of("no filter, page 100", cases.get("no filter, page 1")), 100);
      db.exec("DROP INDEX ix_jobs_state_updated ON jobs");
      db.exec("DROP INDEX ix_jobs_state_failed_stage ON jobs"); // V4's third index, on created_at, went in V6
      db.exec("ANALYZE TABLE jobs");
      Map<String, double[]> bare = measure(timing, cases, 1);

      System.out.printf("%n%-30s %12s %12s %16s %16s %8s%n", "filtered page (50 rows)", "median ms", "p95 ms",
          "no-V4 median ms", "no-V4 p95 ms", "ratio");
      for (String k : cases.keySet()) {
        double[] a = indexed.get(k);
        double[] b = bare.get(k);
        System.out.printf("%-30s %12.1f %12.1f %16.1f %16.1f %7.1fx%n", k, a[0], a[1], b[0], b[1], b[0] / a[0]);
        BenchResult.row("failed page (100k failed): " + k + ", p95", String.format("%.1f ms", a[1]),
            String.format("no V4 indexes %.1f ms", b[1]), BenchResult.ratio(b[1] / a[1]), "< 200 ms");
      }
      double[] d = deep.get("no filter, page 100");
      System.out.printf("%-30s %12.1f %12.1f%n", "no filter, page 100", d[0], d[1]);
    } finally {
      if (!seedOnly) db.close();
    }
  }

  /** Median and p95 in ms of rendering each case's page, after a warm-up. */
  static Map<String, double[]> measure(FailedPageTiming timing, Map<String, FailedForm> cases, int page) throws Exception {
    Map<String, double[]> out = new LinkedHashMap<>();
    for (var e : cases.entrySet()) {
      for (int i = 0; i < 5; i++) timing.render(e.getValue(), page);
      double[] ms = new double[RUNS];
      int rows = 0;
      for (int i = 0; i < RUNS; i++) {
        long t = System.nanoTime();
        rows = timing.render(e.getValue(), page);
        ms[i] = (System.nanoTime() - t) / 1e6;
      }
      Arrays.sort(ms);
      out.put(e.getKey(), new double[] {ms[RUNS / 2], ms[(int) Math.ceil(RUNS * 0.95) - 1]});
      if (rows == 0) System.out.println("warning: " + e.getKey() + " rendered no rows");
    }
    return out;
  }

  static void seed(TestDb db) throws Exception {
    Random rnd = new Random(42);
    String[] errors = {"HTTP 503 from incident system", "SOAP fault: invalid attribute caller", "read timed out",
        "ffmpeg: invalid data found when processing input", "recording missing after 6h"};
    Instant base = Instant.parse("2026-10-25T00:00:00Z");
    try (Connection c = db.ds().getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO calls (uniqueid, linkedid, channel, caller_number,"
          + " caller_name, extension, context, start_time, end_time, duration_s, billsec_s, disposition, dial_status,"
          + " source, received_at, pbx_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,'pbx1')")) {
        for (int i = 0; i < FAILED + DONE; i++) {
          Instant start = base.plusSeconds(rnd.nextInt(30 * 86_400));
          String uid = (1_761_000_000L + i) + "." + i;
          ps.setString(1, uid);
          ps.setString(2, uid);
          ps.setString(3, "SIP/trunk-" + i);
          ps.setString(4, String.format("0%09d", rnd.nextInt(1_000_000_000)));
          ps.setString(5, "Caller " + i);
          ps.setString(6, String.valueOf(200 + rnd.nextInt(50)));
          ps.setString(7, "from-trunk");
          ps.setObject(8, java.time.LocalDateTime.ofInstant(start, java.time.ZoneOffset.UTC));
          ps.setObject(9, java.time.LocalDateTime.ofInstant(start.plusSeconds(60), java.time.ZoneOffset.UTC));
          ps.setInt(10, 60);
          ps.setInt(11, 55);
          ps.setString(12, "ANSWERED");
          ps.setString(13, "ANSWER");
          ps.setString(14, "AGI");
          ps.setObject(15, java.time.LocalDateTime.ofInstant(start.plusSeconds(61), java.time.ZoneOffset.UTC));
          ps.addBatch();
          if (i % 2000 == 1999) ps.executeBatch();
        }
        ps.executeBatch();
      }
      // one set-based insert per table: the failed ones spread over stages and reasons
      update(c, "INSERT INTO jobs (call_id, state, stage, attempts, next_attempt_at, last_error, failed_stage,"
          + " created_at, updated_at) SELECT id, ?, ELT(1 + id % 4, 'WAIT','CONVERT','CREATE','ATTACH'), 12,"
          + " start_time, ELT(1 + id % 5, " + quoted(errors) + "), ELT(1 + id % 4, 'WAIT','CONVERT','CREATE','ATTACH'),"
          + " received_at, received_at + INTERVAL (id % 7200) SECOND FROM calls WHERE id <= " + FAILED, JobState.FAILED);
      update(c, "INSERT INTO jobs (call_id, state, stage, attempts, next_attempt_at, created_at, updated_at,"
          + " done_at) SELECT id, ?, ?, 1, start_time, received_at, received_at + INTERVAL 5 SECOND,"
          + " received_at + INTERVAL 5 SECOND FROM calls WHERE id > " + FAILED, JobState.DONE, Stage.DONE);
      update(c, "INSERT INTO job_events (job_id, at, attempt, stage, outcome, message) SELECT id, updated_at,"
          + " 12, failed_stage, ?, last_error FROM jobs WHERE state = ?", JobEventOutcome.FAILED, JobState.FAILED);
      c.commit();
    }
    db.exec("ANALYZE TABLE calls, jobs, job_events");
  }

  /** One set-based statement on {@code c}; the enums in {@code states} bind as their names, in order. */
  private static void update(Connection c, String sql, Enum<?>... states) throws java.sql.SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < states.length; i++) ps.setString(i + 1, states[i].name());
      ps.executeUpdate();
    }
  }

  private static String quoted(String[] s) {
    List<String> q = new ArrayList<>();
    for (String x : s) q.add("'" + x.replace("'", "''") + "'");
    return String.join(",", q);
  }
}
