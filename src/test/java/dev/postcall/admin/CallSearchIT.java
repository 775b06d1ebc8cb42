package dev.postcall.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.CallBuilder;
import dev.postcall.TestDb;
import dev.postcall.call.CallRecord;
import dev.postcall.cdr.CsvCalls;
import dev.postcall.config.PostcallConfig;
import dev.postcall.queue.CallStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The call search on a few hundred calls stored the two ways calls arrive (hangups through
 * CallStore, Master.csv through LOAD DATA), each filter compared with the same filter applied in
 * Java to the calls as generated — through the number side table, its IN-list and its per-row
 * forms, and page by page through cursors.
 */
class CallSearchIT {
  static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
  static final String ONLY_CALLED = "0555111222";
  static TestDb db;
  static PostcallConfig cfg;
  static final List<CallRecord> calls = new ArrayList<>();
  static final Map<String, Long> ids = new HashMap<>();

  @BeforeAll
  static void store(@TempDir Path dir) throws Exception {
    db = TestDb.create();
    cfg = db.serviceConfig(dir, "http://127.0.0.1:9/", Map.of());
    Random r = new Random(19);
    List<String> pool = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String n = String.format("06%08d", r.nextInt(100_000_000));
      pool.add(i % 3 == 0 ? "+49 30 " + n.substring(2, 6) + "-" + n.substring(6) : n);
    }
    String[] dids = {"0800123", "0800456", "200"};
    String[][] outcomes = {{"ANSWER", "ANSWERED"}, {"NOANSWER", "NO ANSWER"}, {"BUSY", "BUSY"}, {"CONGESTION", "FAILED"},
        {"WEIRD", "NO ANSWER"}, {null, "ANSWERED"}, {null, null}};
    for (int i = 0; i < 320; i++) {
      String[] o = outcomes[i % 11 < 5 ? 0 : r.nextInt(outcomes.length)];
      String caller = i % 29 == 5 ? "anonymous" : pool.get((int) Math.floor(Math.pow(r.nextDouble(), 2) * pool.size()));
      String called = i % 31 == 7 ? ONLY_CALLED : r.nextInt(10) < 6 ? dids[r.nextInt(dids.length)] : pool.get(r.nextInt(pool.size()));
      boolean answered = "ANSWER".equals(o[0]);
      CallBuilder b = (i % 2 == 0 ? CallBuilder.agi("s." + i) : CallBuilder.csv("s." + i)).caller(caller).extension(called)
          .start(i % 53 == 3 ? null : T0.plusSeconds(i * 3600L + r.nextInt(3000))).dialStatus(o[0]).disposition(o[1])
          .agent(answered ? "PJSIP/" + (201 + r.nextInt(5)) : null);
      calls.add(b.build());
    }
    CallStore store = new CallStore(db.ds());
    store.insertAll(calls.stream().filter(c -> c.source() == CallRecord.Source.AGI).toList());
    try (Connection c = db.csvDs().getConnection()) {
      c.setAutoCommit(false);
      new CsvCalls().insertNew(c, calls.stream().filter(x -> x.source() == CallRecord.Source.CSV).toList());
      c.commit();
    }
    try (Connection c = db.ds().getConnection(); PreparedStatement ps = c.prepareStatement("SELECT uniqueid, id FROM calls");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) ids.put(rs.getString(1), rs.getLong(2));
    }
    assertEquals(calls.size(), ids.size());
  }

  @AfterAll
  static void drop() {
    if (db != null) db.close();
  }

  static CallSearch search() {
    return new CallSearch(db.ds(), cfg.statusMap(), cfg.statusDefault());
  }

  /** The calls matching {@code p}, newest first (no start last), as the search orders them. */
  static List<String> expected(Predicate<CallRecord> p, int limit) {
    return calls.stream().filter(p)
        .sorted(Comparator.comparing(CallRecord::start, Comparator.nullsFirst(Comparator.<Instant>naturalOrder()))
            .thenComparing(c -> ids.get(c.uniqueid())).reversed())
        .limit(limit).map(CallRecord::uniqueid).toList();
  }

  static List<String> got(CallSearch s, CallSearch.Filter f) throws Exception {
    return s.search(f).stream().map(CallSearch.Row::uniqueid).toList();
  }

  static String digits(String s) {
    return s == null ? "" : s.replaceAll("[^0-9]", "");
  }

  static Predicate<CallRecord> number(String q) {
    return c -> digits(c.callerNumber()).contains(q) || digits(c.extension()).contains(q);
  }

  String status(CallRecord c) {
    String o = c.outcome();
    if (o == null || o.isBlank()) return cfg.statusDefault();
    return cfg.statusMap().getOrDefault(o.strip().toUpperCase(Locale.ROOT).replace(' ', '_'), cfg.statusDefault());
  }

  void check(CallSearch s, String what, Instant since, Instant until, String number, String status, String agent,
      Predicate<CallRecord> p) throws Exception {
    Predicate<CallRecord> all = p;
    if (since != null) all = all.and(c -> c.start() != null && !c.start().isBefore(since));
    if (until != null) all = all.and(c -> c.start() != null && c.start().isBefore(until));
    if (status != null) all = all.and(c -> status(c).equals(status));
    if (agent != null) all = all.and(c -> agent.equals(c.agent()));
    List<String> want = expected(all, 1000);
    assertEquals(want, got(s, new CallSearch.Filter(since, until, number, status, agent, 1000)), what);
    // page by page: 7 at a time through the cursors gives the same list
    List<String> paged = new ArrayList<>();
    CallSearch.Cursor before = null;
    for (int i = 0; i < 100; i++) {
      List<CallSearch.Row> page = s.search(new CallSearch.Filter(since, until, number, status, agent, 7, null, before));
      page.forEach(row -> paged.add(row.uniqueid()));
      if (page.size() < 7) break;
      before = page.get(page.size() - 1).cursor();
    }
    assertEquals(want, paged, what + ", paged");
  }

  void everyFilter(CallSearch s) throws Exception {
    String common = calls.stream().map(CallRecord::callerNumber).filter(n -> !n.equals("anonymous"))
        .reduce((a, b) -> a).orElseThrow();
    Instant since = T0.plusSeconds(100 * 3600L);
    Instant until = T0.plusSeconds(250 * 3600L);
    check(s, "no filter", null, null, null, null, null, c -> true);
    check(s, "date range", since, until, null, null, null, c -> true);
    check(s, "a whole caller number", null, null, common, null, null, number(digits(common)));
    check(s, "its last 4 digits", null, null, digits(common).substring(digits(common).length() - 4), null, null,
        number(digits(common).substring(digits(common).length() - 4)));
    check(s, "a number only ever called", null, null, ONLY_CALLED, null, null, number(ONLY_CALLED));
    assertFalse(expected(number(ONLY_CALLED), 1000).isEmpty());
    assertTrue(calls.stream().noneMatch(c -> digits(c.callerNumber()).contains(ONLY_CALLED)));
    check(s, "part of it, written with spaces", null, null, "555 111", null, null, number("555111"));
    check(s, "3 digits in many numbers", null, null, "061", null, null, number("061"));
    check(s, "a common prefix", null, null, "06", null, null, number("06"));
    check(s, "a DID", null, null, "0800123", null, null, number("0800123"));
    check(s, "a miss", null, null, "987654321", null, null, c -> false);
    check(s, "text, not digits", null, null, "anonym", null, null, c -> c.callerNumber().contains("anonym"));
    check(s, "a LIKE wildcard is a character", null, null, "%", null, null, c -> false);
    for (String st : List.of("answered", "unanswered", "busy", "congestion", cfg.statusDefault()))
      check(s, "status " + st, null, null, null, st, null, c -> true);
    check(s, "agent", null, null, null, null, "PJSIP/203", c -> true);
    check(s, "agent + status", null, null, null, "answered", "PJSIP/203", c -> true);
    check(s, "agent nobody is", null, null, null, null, "PJSIP/2", c -> false);
    check(s, "number + status + dates", since, until, "0800", "answered", null, number("0800"));
    check(s, "number + agent", null, null, digits(common), null, "PJSIP/201", number(digits(common)));
    check(s, "DID + default status", null, null, "0800456", cfg.statusDefault(), null, number("0800456"));
  }

  @Test
  void every_filter_and_paging_through_the_side_table() throws Exception {
    everyFilter(search());
  }

  @Test
  void the_same_when_numbers_come_as_one_list_or_are_checked_per_row() throws Exception {
    everyFilter(new CallSearch(db.ds(), cfg.statusMap(), cfg.statusDefault(), 1, 1000));
    everyFilter(new CallSearch(db.ds(), cfg.statusMap(), cfg.statusDefault(), 0, 1));
  }

  @Test
  void the_agent_is_shown_and_a_bad_cursor_or_status_is_a_clear_error() throws Exception {
    CallSearch.Row row = search().search(new CallSearch.Filter(null, null, null, "answered", "PJSIP/202", 1)).get(0);
    assertEquals("PJSIP/202", row.agent());
    assertEquals("answered", row.status());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CallSearch.Cursor.parse("yesterday"));
    assertTrue(e.getMessage().contains("not a position in the list"), e.getMessage());
    assertEquals(row.cursor(), CallSearch.Cursor.parse(row.cursor().text()));
    assertThrows(IllegalArgumentException.class, () -> search().search(new CallSearch.Filter(null, null, null, "great", null, 5)));
  }

  @Test
  void every_number_is_in_the_side_table_once_with_its_suffixes() {
    long numbers = db.count("SELECT COUNT(*) FROM (SELECT caller_digits d FROM calls WHERE CHAR_LENGTH(caller_digits) >= 3"
        + " UNION SELECT called_digits FROM calls WHERE CHAR_LENGTH(called_digits) >= 3) n");
    assertEquals(numbers, db.count("SELECT COUNT(*) FROM number_suffixes WHERE suffix = digits"));
    assertEquals(db.count("SELECT SUM(CHAR_LENGTH(digits) - 2) FROM number_suffixes WHERE suffix = digits"),
        db.count("SELECT COUNT(*) FROM number_suffixes"));
  }
}
