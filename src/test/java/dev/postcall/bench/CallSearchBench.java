package dev.postcall.bench;

import dev.postcall.TestDb;
import dev.postcall.admin.CallSearch;
import dev.postcall.config.PostcallConfig;
import dev.postcall.queue.JobState;
import dev.postcall.queue.Stage;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code scripts/bench call-search [CALLS]}: the calls page's search on CALLS synthetic calls
 * (default 10,000,000; {@code quick}: 200,000) — a year of a 400-agent centre: 20 inbound numbers
 * take 85 % of the calls, callers repeat (a power law: the busiest caller makes ~1 % of all calls,
 * most call once or twice), 70 % answered. Each filter runs RUNS times after a warm-up and reports
 * p50/p95 of {@link CallSearch#search} (JDBC on localhost: the server's time plus one round trip).
 * Baselines in the same run: the search as it was before V19 (LIKE '%…%' over both numbers while
 * walking the start index newest first) for the number filters, and a primary-key range read of
 * 100 rows. Target: every filter p95 ≤ 200 ms. {@code -Dbench.keep=true} keeps the loaded
 * database; {@code -Dbench.db=NAME} measures a kept one again; {@code -Dbench.only=TEXT} only the
 * filters whose name contains TEXT.
 */
public final class CallSearchBench {
  static int RUNS = 30;
  static final int PAGE = 100;
  static final String FROM = "2025-12-01 00:00:00";

  public static void main(String[] args) throws Exception {
    List<String> a = Arrays.asList(args);
    long calls = a.contains("quick") ? 200_000 : 10_000_000;
    for (String s : args) if (s.matches("\\d+")) calls = Long.parseLong(s);
    if (a.contains("quick")) RUNS = 10;
    // -Dbench.db=pc_…: the calls a run with -Dbench.keep=true left (migrated to this version), not loaded again
    String reuse = System.getProperty("bench.db");
    boolean keep = Boolean.getBoolean("bench.keep") || reuse != null;
    TestDb db = reuse != null ? TestDb.existing(reuse) : TestDb.create();
    try {
      if (reuse == null) {
        long t0 = System.nanoTime();
        load(db, calls);
        System.out.printf("loaded %,d calls (+ indexes, number_suffixes) in %.0f s into %s%n", calls,
            (System.nanoTime() - t0) / 1e9, db.name);
      } else {
        calls = count(db, "SELECT COUNT(*) FROM calls");
        System.out.printf("reusing %s: %,d calls%n", db.name, calls);
      }
      sizes(db);
      PostcallConfig cfg = db.serviceConfig(Files.createTempDirectory("bench-call-search"), "http://127.0.0.1:9/", Map.of());
      CallSearch search = new CallSearch(db.ds(), cfg.statusMap(), cfg.statusDefault());

      String common = one(db, "SELECT caller_number FROM calls GROUP BY caller_digits ORDER BY COUNT(*) DESC LIMIT 1");
      String rare = one(db, "SELECT caller_number FROM calls WHERE id >= " + (calls / 2) + " ORDER BY id LIMIT 1");
      String agent = one(db, "SELECT agent FROM calls WHERE agent IS NOT NULL AND id = (SELECT MIN(id) FROM calls WHERE agent IS NOT NULL)");
      String miss = "987654321";
      Instant end = Instant.parse("2026-12-01T00:00:00Z");
      Instant weekAgo = end.minusSeconds(7 * 86400);
      Instant monthAgo = end.minusSeconds(30 * 86400);
      System.out.printf("common number %s (%,d calls), rare number %s (%,d calls), agent %s (%,d calls), miss %s (%,d calls)%n",
          common, count(db, "caller_digits", digits(common)), rare, count(db, "caller_digits", digits(rare)), agent,
          count(db, "SELECT COUNT(*) FROM calls WHERE agent = '" + agent + "'"), miss,
          count(db, "SELECT COUNT(*) FROM calls WHERE caller_digits LIKE '%" + miss + "%' OR called_digits LIKE '%" + miss + "%'"));

      Map<String, CallSearch.Filter> cases = new LinkedHashMap<>();
      cases.put("no filter", f(null, null, null, null, null));
      cases.put("last week", f(weekAgo, end, null, null, null));
      cases.put("number: common caller, whole", f(null, null, common, null, null));
      cases.put("number: rare caller, whole", f(null, null, rare, null, null));
      cases.put("number: last 4 digits of rare", f(null, null, tail(rare, 4), null, null));
      cases.put("number: 3 digits 555", f(null, null, "555", null, null));
      cases.put("number: 5 digits 12345", f(null, null, "12345", null, null));
      cases.put("number: inbound DID (called)", f(null, null, "0800007", null, null));
      cases.put("number: miss", f(null, null, miss, null, null));
      cases.put("number: 2 digits 42", f(null, null, "42", null, null));
      cases.put("agent", f(null, null, null, null, agent));
      cases.put("status answered", f(null, null, null, "answered", null));
      cases.put("status congestion (2 %)", f(null, null, null, "congestion", null));
      cases.put("status default (0.2 %)", f(null, null, null, cfg.statusDefault(), null));
      cases.put("agent + congestion", f(null, null, null, "congestion", agent));
      cases.put("agent + last month", f(monthAgo, end, null, null, agent));
      cases.put("common number + busy", f(null, null, common, "busy", null));
      cases.put("555 + congestion + last month", f(monthAgo, end, "555", "congestion", null));
      cases.put("12345 + agent", f(null, null, "12345", null, agent));
      cases.put("rare number + agent (miss)", f(null, null, rare, null, "PJSIP/nobody"));
      cases.put("miss + answered + last week", f(weekAgo, end, miss, "answered", null));
      cases.put("delivery failed (0.1 %)", new CallSearch.Filter(null, null, null, null, null, PAGE,
          dev.postcall.queue.JobState.FAILED, null));

      Map<String, double[]> got = new LinkedHashMap<>();
      // -Dbench.only=TEXT: just the filters whose name contains TEXT, no baselines (while trying a change)
      String only = System.getProperty("bench.only");
      if (only != null) {
        for (var e : cases.entrySet())
          if (e.getKey().contains(only)) {
            double[] m = measure(search, e.getValue(), RUNS);
            System.out.printf("%-34s %10.1f %10.1f %10.1f%n", e.getKey(), m[0], m[1], m[2]);
          }
        return;
      }
      for (var e : cases.entrySet()) got.put(e.getKey(), measure(search, e.getValue(), RUNS));
      // keyset paging: page 50 of the unfiltered list, reached by cursors
      CallSearch.Filter deep = cases.get("no filter");
      for (int p = 1; p < 50; p++) {
        List<CallSearch.Row> rows = search.search(deep);
        if (rows.size() < PAGE) break;
        deep = new CallSearch.Filter(null, null, null, null, null, PAGE, null, rows.get(rows.size() - 1).cursor());
      }
      got.put("no filter, page 50 (cursor)", measure(search, deep, RUNS));
      CallSearch.Filter deepNumber = cases.get("number: 3 digits 555");
      for (int p = 1; p < 10; p++) {
        List<CallSearch.Row> rows = search.search(deepNumber);
        if (rows.size() < PAGE) break;
        deepNumber = new CallSearch.Filter(null, null, "555", null, null, PAGE, null, rows.get(rows.size() - 1).cursor());
      }
      got.put("number 555, page 10 (cursor)", measure(search, deepNumber, RUNS));

      int baseRuns = calls > 2_000_000 ? 2 : 5;
      double[] oldMiss = measureSql(db, oldNumberQuery(), miss, baseRuns);
      double[] oldCommon = measureSql(db, oldNumberQuery(), digits(common).substring(2), baseRuns);
      double[] pk = measureSql(db, "SELECT * FROM calls WHERE id > ? ORDER BY id LIMIT " + PAGE, Long.toString(calls / 3), RUNS);

      System.out.printf("%n%-34s %10s %10s %10s%n", "filter (" + String.format("%,d", calls) + " calls, page " + PAGE + ")",
          "p50 ms", "p95 ms", "max ms");
      double worst = 0;
      String worstName = "";
      for (var e : got.entrySet()) {
        double[] m = e.getValue();
        System.out.printf("%-34s %10.1f %10.1f %10.1f%n", e.getKey(), m[0], m[1], m[2]);
        if (m[1] > worst) {
          worst = m[1];
          worstName = e.getKey();
        }
      }
      System.out.printf("%-34s %10.1f %10.1f %10.1f%n", "baseline: old LIKE scan, miss", oldMiss[0], oldMiss[1], oldMiss[2]);
      System.out.printf("%-34s %10.1f %10.1f %10.1f%n", "baseline: old LIKE scan, common", oldCommon[0], oldCommon[1], oldCommon[2]);
      System.out.printf("%-34s %10.1f %10.1f %10.1f%n", "baseline: primary-key range, 100 rows", pk[0], pk[1], pk[2]);
      String size = String.format("%,d calls", calls);
      BenchResult.row("call search (" + size + "): worst filter p95 (" + worstName + ")", String.format("%.1f ms", worst),
          String.format("PK range read %.1f ms", pk[1]), BenchResult.ratio(worst / pk[1]), "<= 200 ms");
      double[] miss1 = got.get("number: miss");
      BenchResult.row("call search (" + size + "): number miss, p95", String.format("%.1f ms", miss1[1]),
          String.format("old LIKE scan %.0f ms", oldMiss[1]), BenchResult.ratio(oldMiss[1] / miss1[1]), "<= 200 ms");
      double[] common1 = got.get("number: common caller, whole");
      BenchResult.row("call search (" + size + "): common number, p95", String.format("%.1f ms", common1[1]),
          String.format("old LIKE scan %.0f ms", oldCommon[1]), BenchResult.ratio(oldCommon[1] / common1[1]), "<= 200 ms");
    } finally {
      if (keep) System.out.println("kept database " + db.name);
      else db.close();
    }
  }

  static CallSearch.Filter f(Instant since, Instant until, String number, String status, String agent) {
    return new CallSearch.Filter(since, until, number, status, agent, PAGE);
  }

  /** The search as it was before the side table: both numbers LIKE '%x%' on the newest-first walk. */
  static String oldNumberQuery() {
    return "SELECT c.id FROM calls c LEFT JOIN jobs j ON j.call_id = c.id WHERE (c.caller_number LIKE CONCAT('%', ?, '%') "
        + "OR c.extension LIKE CONCAT('%', ?, '%')) ORDER BY c.start_time DESC, c.id DESC LIMIT " + PAGE;
  }

  /** p50, p95, max in ms after three warm-up runs. */
  static double[] measure(CallSearch search, CallSearch.Filter f, int runs) throws Exception {
    for (int i = 0; i < 3; i++) search.search(f);
    double[] ms = new double[runs];
    for (int i = 0; i < runs; i++) {
      long t = System.nanoTime();
      search.search(f);
      ms[i] = (System.nanoTime() - t) / 1e6;
    }
    return stats(ms);
  }

  static double[] measureSql(TestDb db, String sql, String arg, int runs) throws Exception {
    double[] ms = new double[runs];
    try (Connection c = java.sql.DriverManager.getConnection(db.url + "&socketTimeout=0", TestDb.USER, TestDb.PASSWORD);
        PreparedStatement ps = c.prepareStatement(sql)) {
      int params = (int) sql.chars().filter(ch -> ch == '?').count();
      for (int i = 1; i <= params; i++) ps.setString(i, arg);
      if (runs > 2) { // a full scan of 10 M rows is its own warm-up
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) { }
        }
      }
      for (int i = 0; i < runs; i++) {
        long t = System.nanoTime();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) { }
        }
        ms[i] = (System.nanoTime() - t) / 1e6;
      }
    }
    return stats(ms);
  }

  static double[] stats(double[] ms) {
    double[] s = ms.clone();
    Arrays.sort(s);
    return new double[] {s[s.length / 2], s[Math.min(s.length - 1, (int) Math.ceil(s.length * 0.95) - 1)], s[s.length - 1]};
  }

  /**
   * The synthetic year, written by the server itself from a sequence (INSERT … SELECT, a million
   * rows a statement) with calls' secondary indexes dropped, then built once — as a restore would.
   * The index set afterwards is checked to be the migrations' own.
   */
  static void load(TestDb db, long calls) throws Exception {
    try (Connection c = java.sql.DriverManager.getConnection(db.url + "&socketTimeout=0", TestDb.USER, TestDb.PASSWORD);
        java.sql.Statement st = c.createStatement()) {
      load(db, st, calls);
    }
  }

  static void load(TestDb db, java.sql.Statement st, long calls) throws Exception {
    List<String> before = indexes(db);
    String[] ddl = indexDdl(db);
    st.execute("ALTER TABLE calls " + ddl[0]);
    long step = 1_000_000;
    long micros = 365L * 86400 * 1_000_000 / calls;
    for (long from = 0; from < calls; from += step) {
      long n = Math.min(step, calls - from);
      long t = System.nanoTime();
      st.execute("INSERT INTO calls (pbx_id, uniqueid, linkedid, channel, dst_channel, caller_number, caller_name, extension, context,"
          + " start_time, answer_time, end_time, duration_s, billsec_s, disposition, dial_status, source, received_at, agent)"
          + " SELECT 'bench', CONCAT('b.', s), CONCAT('b.', s), CONCAT('PJSIP/trunk-', LPAD(HEX(s), 8, '0')),"
          + "  IF(o = 'ANSWER', CONCAT(ag, '-', LPAD(HEX(s % 65536), 8, '0')), NULL), caller, 'Caller', called, 'from-trunk',"
          + "  st, IF(o = 'ANSWER', st + INTERVAL 5 SECOND, NULL), st + INTERVAL 65 SECOND, 65, IF(o = 'ANSWER', 60, 0),"
          + "  CASE o WHEN 'ANSWER' THEN 'ANSWERED' WHEN 'BUSY' THEN 'BUSY' WHEN 'NOANSWER' THEN 'NO ANSWER'"
          + "   WHEN 'CANCEL' THEN 'NO ANSWER' ELSE 'FAILED' END, o, 'AGI', st, IF(o = 'ANSWER', ag, NULL)"
          + " FROM (SELECT s, st, o, CONCAT('PJSIP/', 200 + (h2 DIV 256) % 400) ag,"
          + "   IF(ci % 4 = 0, CONCAT('+49 30 ', LPAD((ci * 48271 + 12345) % 100000000, 8, '0')),"
          + "                  CONCAT('06', LPAD((ci * 48271 + 12345) % 100000000, 8, '0'))) caller,"
          + "   IF(h2 % 100 < 85, CONCAT('0800', LPAD(h2 % 20, 3, '0')), CONCAT('06', LPAD((co * 48271 + 12345) % 100000000, 8, '0'))) called"
          + "  FROM (SELECT s, st, h2, h3, FLOOR(POW(h1 / 4294967296, 3) * 1000000) ci,"
          + "     FLOOR(POW(CRC32(CONCAT('d', s)) / 4294967296, 3) * 1000000) co,"
          + "     CASE WHEN h3 % 1000 < 700 THEN 'ANSWER' WHEN h3 % 1000 < 850 THEN 'NOANSWER' WHEN h3 % 1000 < 930 THEN 'BUSY'"
          + "      WHEN h3 % 1000 < 958 THEN 'CANCEL' WHEN h3 % 1000 < 978 THEN 'CONGESTION' WHEN h3 % 1000 < 998 THEN 'CHANUNAVAIL'"
          + "      ELSE 'WEIRD' END o"
          + "   FROM (SELECT seq + " + from + " s, CRC32(CONCAT('a', seq + " + from + ")) h1, CRC32(CONCAT('b', seq + " + from + ")) h2,"
          + "      CRC32(CONCAT('c', seq + " + from + ")) h3,"
          + "      TIMESTAMPADD(MICROSECOND, (seq + " + from + ") * " + micros + ", '" + FROM + "') st"
          + "    FROM seq_1_to_" + n + ") x) y) z");
      System.out.printf("  %,d calls inserted (%.0f s)%n", from + n, (System.nanoTime() - t) / 1e9);
    }
    long t = System.nanoTime();
    st.execute("ALTER TABLE calls " + ddl[1]);
    System.out.printf("  indexes built (%.0f s)%n", (System.nanoTime() - t) / 1e9);
    List<String> after = indexes(db);
    if (!after.equals(before)) throw new IllegalStateException("index set differs from the migrations': " + before + " vs " + after);
    t = System.nanoTime();
    // in key order: appends to the primary key instead of inserting all over it
    st.execute("INSERT IGNORE INTO number_suffixes (suffix, digits) SELECT SUBSTRING(n.digits, k.seq) s, n.digits"
        + " FROM (SELECT DISTINCT caller_digits AS digits FROM calls UNION SELECT DISTINCT called_digits FROM calls) n"
        + " JOIN seq_1_to_80 k ON k.seq <= CHAR_LENGTH(n.digits) - 2 ORDER BY s, n.digits");
    System.out.printf("  number_suffixes filled (%.0f s)%n", (System.nanoTime() - t) / 1e9);
    // a delivery that failed for one call in a thousand (the other calls have no job here)
    try (PreparedStatement ps = st.getConnection().prepareStatement("INSERT INTO jobs (call_id, state, stage, attempts,"
        + " next_attempt_at, created_at, updated_at) SELECT id, ?, ?, 3, start_time, start_time, start_time FROM calls"
        + " WHERE id % 1000 = 7")) {
      ps.setString(1, JobState.FAILED.name());
      ps.setString(2, Stage.CREATE.name());
      ps.execute();
    }
    st.execute("ANALYZE TABLE calls, number_suffixes, jobs");
  }

  /** DROP and ADD clauses for calls' secondary indexes, as the migrations made them. */
  static String[] indexDdl(TestDb db) throws Exception {
    List<String> drop = new ArrayList<>();
    List<String> add = new ArrayList<>();
    try (Connection c = db.ds().getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT INDEX_NAME, MAX(NON_UNIQUE), GROUP_CONCAT(CONCAT('`', COLUMN_NAME, '`',"
            + " COALESCE(CONCAT('(', SUB_PART, ')'), '')) ORDER BY SEQ_IN_INDEX) FROM information_schema.STATISTICS"
            + " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'calls' AND INDEX_NAME <> 'PRIMARY' GROUP BY INDEX_NAME");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        drop.add("DROP INDEX `" + rs.getString(1) + "`");
        add.add("ADD " + (rs.getInt(2) == 0 ? "UNIQUE " : "") + "KEY `" + rs.getString(1) + "` (" + rs.getString(3) + ")");
      }
    }
    return new String[] {String.join(", ", drop), String.join(", ", add)};
  }

  static List<String> indexes(TestDb db) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = db.ds().getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT INDEX_NAME, GROUP_CONCAT(COLUMN_NAME, COALESCE(CONCAT('(', SUB_PART, ')'), '')"
            + " ORDER BY SEQ_IN_INDEX) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'calls'"
            + " GROUP BY INDEX_NAME ORDER BY INDEX_NAME");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) out.add(rs.getString(1) + "(" + rs.getString(2) + ")");
    }
    return out;
  }

  static void sizes(TestDb db) throws Exception {
    try (Connection c = db.ds().getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT TABLE_NAME, TABLE_ROWS, ROUND(DATA_LENGTH / 1048576), ROUND(INDEX_LENGTH / 1048576)"
            + " FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN ('calls', 'number_suffixes')");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next())
        System.out.printf("  %s: ~%,d rows, data %d MB, indexes %d MB%n", rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4));
    }
  }

  /** The first column of the first row; on its own connection without the pool's socket timeout (10 M rows take a while). */
  static String one(TestDb db, String sql) throws Exception {
    try (Connection c = java.sql.DriverManager.getConnection(db.url + "&socketTimeout=0", TestDb.USER, TestDb.PASSWORD);
        PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getString(1);
    }
  }

  static long count(TestDb db, String sql) throws Exception {
    return Long.parseLong(one(db, sql));
  }

  static long count(TestDb db, String column, String digits) throws Exception {
    return count(db, "SELECT COUNT(*) FROM calls WHERE " + column + " = '" + digits.replaceAll("[^0-9]", "") + "'");
  }

  static String digits(String s) {
    return s.replaceAll("[^0-9]", "");
  }

  static String tail(String s, int n) {
    String d = digits(s);
    return d.substring(d.length() - n);
  }
}
