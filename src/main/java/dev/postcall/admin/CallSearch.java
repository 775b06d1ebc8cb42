package dev.postcall.admin;

import dev.postcall.call.NumberSuffixes;
import dev.postcall.db.Sql;
import dev.postcall.queue.JobState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.sql.DataSource;

/**
 * All calls, newest first, filtered by number (any part of the caller's or the called number),
 * start date range, status (as delivered: the status map's name, e.g. {@code answered}), answering
 * agent and delivery state; a page ends where {@link Row#cursor()} says and the next one starts
 * there ({@link Filter#before()}).
 *
 * <p>Every query walks an index newest first and stops at the limit. One filter <em>drives</em>:
 * it becomes one or a few equality look-ups on an index continuing with {@code start_time, id} (a
 * branch each, merged); the other filters are checked on what it yields, in the index itself where
 * it carries their columns (the search's indexes carry start, outcome, agent and both numbers'
 * digits), so a candidate that fails them costs no row read. A number drives through
 * {@code number_suffixes}, which names the numbers containing the digits, when they are few; then
 * the agent (index agent, start), then the status (outcome, start); else the start index.
 * A number part so common that thousands of numbers contain it matches often: it is checked on
 * the rows the newest-first walk yields.
 */
public final class CallSearch {
  /**
   * {@code delivery}: only calls whose job is in that state (null = any). {@code before}: the page
   * after this row, newest first (keyset paging: the cost does not grow with the page number).
   */
  public record Filter(Instant since, Instant until, String number, String status, String agent, Integer limit,
      JobState delivery, Cursor before) {
    public Filter(Instant since, Instant until, String number, String status, String agent, Integer limit) {
      this(since, until, number, status, agent, limit, null, null);
    }
  }

  /** A position in the newest-first order (start descending, no start last; then id): the last row shown. */
  public record Cursor(Instant start, long id) {
    /** {@code epochMillis_id} ({@code -_id} for a call without a start), as {@link #text()} writes it. */
    public static Cursor parse(String s) {
      if (s == null || s.isBlank()) return null;
      String v = s.strip();
      int us = v.indexOf('_');
      try {
        if (us < 1) throw new NumberFormatException();
        String t = v.substring(0, us);
        return new Cursor(t.equals("-") ? null : Instant.ofEpochMilli(Long.parseLong(t)), Long.parseLong(v.substring(us + 1)));
      } catch (NumberFormatException | java.time.DateTimeException e) {
        throw new IllegalArgumentException("'" + s + "' is not a position in the list (as a full page's last line gives it)");
      }
    }

    public String text() {
      return (start == null ? "-" : Long.toString(start.toEpochMilli())) + "_" + id;
    }

    void where(List<String> where, List<Object> args) {
      if (start == null) {
        where.add("(c.start_time IS NULL AND c.id < ?)");
        args.add(id);
      } else {
        where.add("(c.start_time < ? OR (c.start_time = ? AND c.id < ?) OR c.start_time IS NULL)");
        args.add(start);
        args.add(start);
        args.add(id);
      }
    }
  }

  /** {@code pbxId}: the PBX that saw the call, which with the uniqueid names it ({@link #ref()}). */
  public record Row(String uniqueid, String pbxId, Instant start, String callerNumber, String callerName, String extension,
      String outcome, String status, String agent, Integer billsec, String delivery, boolean recording, long id) {
    public Cursor cursor() {
      return new Cursor(start, id);
    }

    /** How links and the CLI name the call: uniqueid@pbx, never ambiguous when PBXs share a uniqueid. */
    public dev.postcall.call.CallRef ref() {
      return new dev.postcall.call.CallRef(pbxId, uniqueid);
    }
  }

  /** Up to this many numbers are looked up one by one (a branch each, in index order). */
  static final int NUMBERS_ONE_BY_ONE = 20;
  /** Up to this many as one IN list (sorted by start afterwards); more: the number is checked per row. */
  static final int NUMBERS_LISTED = 1000;
  /** ... as long as they have fewer calls than this between them (counted in the index, up to this). */
  static final int CALLS_LISTED = 20_000;

  private static final String COLUMNS = "c.id, c.pbx_id, c.uniqueid, c.start_time, c.caller_number, c.caller_name, c.extension, "
      + "c.dial_status, c.disposition, c.agent, c.billsec_s, c.recording, j.state";

  private final DataSource ds;
  private final Map<String, String> statusMap;
  private final String statusDefault;
  private final int oneByOne;
  private final int listed;

  public CallSearch(DataSource ds, Map<String, String> statusMap, String statusDefault) {
    this(ds, statusMap, statusDefault, NUMBERS_ONE_BY_ONE, NUMBERS_LISTED);
  }

  /** With other thresholds between the ways a number is looked up (tests reach each with few calls). */
  CallSearch(DataSource ds, Map<String, String> statusMap, String statusDefault, int oneByOne, int listed) {
    this.ds = ds;
    this.statusMap = statusMap;
    this.statusDefault = statusDefault;
    this.oneByOne = oneByOne;
    this.listed = listed;
  }

  /** One query branch: a WHERE fragment, its arguments, and the index that serves it in start order. */
  private record Branch(String index, String where, List<Object> args) {}

  public List<Row> search(Filter f) throws SQLException {
    int limit = f.limit() == null ? 100 : f.limit();
    if (limit < 1) throw new IllegalArgumentException("limit must be at least 1");
    String agent = blank(f.agent()) ? null : f.agent().strip();
    String status = blank(f.status()) ? null : f.status().strip();
    Cursor before = f.before();
    JobState delivery = f.delivery(); // checked on every branch's rows, unless a branch is made of it
    try (Connection c = ds.getConnection()) {
      // the filters every branch checks
      List<String> common = new ArrayList<>();
      List<Object> commonArgs = new ArrayList<>();
      if (f.since() != null) {
        common.add("c.start_time >= ?");
        commonArgs.add(f.since());
      }
      if (f.until() != null) {
        common.add("c.start_time < ?");
        commonArgs.add(f.until());
      }
      if (before != null) before.where(common, commonArgs);

      Set<String> outcomes = status == null ? null : outcomes(c, status);
      boolean withNullOutcome = status != null && status.equalsIgnoreCase(statusDefault);
      NumberMatch number = blank(f.number()) ? null : NumberMatch.of(f.number().strip());
      List<String> numbers = number != null && number.indexed() ? matchingNumbers(c, number.digits(), listed) : null;
      if (numbers != null && numbers.isEmpty()) return List.of();

      List<Branch> branches = new ArrayList<>();
      if (numbers != null && numbers.size() > oneByOne && numbers.size() <= listed
          && callsOf(c, numbers, CALLS_LISTED) >= CALLS_LISTED)
        numbers = null; // their calls are many: as common as that, the newest-first walk meets them soon
      if (numbers != null && numbers.size() <= listed) {
        if (agent != null) addAgent(common, commonArgs, agent);
        if (outcomes != null) addOutcomes(common, commonArgs, outcomes, withNullOutcome);
        if (numbers.size() <= oneByOne) {
          for (String n : numbers) {
            branches.add(new Branch("ix_calls_caller_search", "c.caller_digits = ?", List.of(n)));
            branches.add(new Branch("ix_calls_called_search", "c.called_digits = ?", List.of(n)));
          }
        } else {
          String in = "IN (" + "?,".repeat(numbers.size() - 1) + "?)";
          branches.add(new Branch("ix_calls_caller_search", "c.caller_digits " + in, List.copyOf(numbers)));
          branches.add(new Branch("ix_calls_called_search", "c.called_digits " + in, List.copyOf(numbers)));
        }
      } else {
        if (number != null) number.where(common, commonArgs);
        if (agent != null) {
          // the agent's calls in start order; outcome and digits are checked in the same index
          if (outcomes != null) addOutcomes(common, commonArgs, outcomes, withNullOutcome);
          branches.add(new Branch("ix_calls_agent_search", "c.agent = ?", List.of(agent)));
        } else if (outcomes != null) {
          for (String o : outcomes) branches.add(new Branch("ix_calls_outcome_search", "c.outcome = ?", List.of(o)));
          if (withNullOutcome) branches.add(new Branch("ix_calls_outcome_search", "c.outcome IS NULL", List.of()));
        } else if (number != null && number.digits() != null) {
          // the digits sit in this index: a rejected call costs no row read
          branches.add(new Branch("ix_calls_start_digits", "1=1", List.of()));
        } else if (f.delivery() != null && f.delivery() != JobState.DONE) {
          // waiting, failed or held jobs are few next to the delivered: start from them
          branches.add(new Branch("PRIMARY", "c.id IN (SELECT d.call_id FROM jobs d WHERE d.state = ?)",
              List.of(f.delivery().name())));
          delivery = null; // the branch is the filter: no second look-up per call
        } else {
          branches.add(new Branch("ix_calls_start", "1=1", List.of()));
        }
      }
      if (branches.isEmpty()) return List.of();
      if (delivery != null) {
        common.add("EXISTS (SELECT 1 FROM jobs d WHERE d.call_id = c.id AND d.state = ?)");
        commonArgs.add(delivery.name());
      }
      return query(c, branches, common, commonArgs, limit);
    }
  }

  private List<Row> query(Connection c, List<Branch> branches, List<String> common, List<Object> commonArgs, int limit)
      throws SQLException {
    String rest = common.isEmpty() ? "" : " AND " + String.join(" AND ", common);
    StringBuilder sql = new StringBuilder("SELECT ").append(COLUMNS).append(" FROM (");
    List<Object> args = new ArrayList<>();
    for (int i = 0; i < branches.size(); i++) {
      Branch b = branches.get(i);
      if (i > 0) sql.append(" UNION ");
      sql.append("(SELECT c.id, c.start_time FROM calls c FORCE INDEX (").append(b.index()).append(") WHERE ")
          .append(b.where()).append(rest).append(" ORDER BY c.start_time DESC, c.id DESC LIMIT ?)");
      args.addAll(b.args());
      args.addAll(commonArgs);
      args.add(limit);
    }
    sql.append(") b JOIN calls c ON c.id = b.id LEFT JOIN jobs j ON j.call_id = c.id"
        + " ORDER BY c.start_time DESC, c.id DESC LIMIT ?");
    args.add(limit);
    List<Row> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
      Sql.bind(ps, args.toArray());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String outcome = rs.getString("dial_status");
          if (outcome == null || outcome.isBlank()) outcome = rs.getString("disposition");
          Instant start = Sql.getInstant(rs, "start_time");
          out.add(new Row(rs.getString("uniqueid"), rs.getString("pbx_id"), start, rs.getString("caller_number"), rs.getString("caller_name"),
              rs.getString("extension"), outcome, status(outcome), rs.getString("agent"), Sql.getInt(rs, "billsec_s"),
              rs.getString("state"), rs.getString("recording") != null, rs.getLong("id")));
        }
      }
    }
    return out;
  }

  private static void addAgent(List<String> where, List<Object> args, String agent) {
    where.add("c.agent = ?");
    args.add(agent);
  }

  private static void addOutcomes(List<String> where, List<Object> args, Set<String> outcomes, boolean withNull) {
    List<String> parts = new ArrayList<>();
    if (!outcomes.isEmpty()) {
      parts.add("c.outcome IN (" + "?,".repeat(outcomes.size() - 1) + "?)");
      args.addAll(outcomes);
    }
    if (withNull) parts.add("c.outcome IS NULL");
    where.add(parts.isEmpty() ? "1=0" : "(" + String.join(" OR ", parts) + ")");
  }

  /**
   * The numbers (digits) that contain {@code digits}: their suffixes starting with it. At most
   * {@code max} + 1 — more only says "too many to list".
   */
  private static List<String> matchingNumbers(Connection c, String digits, int max) throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT DISTINCT digits FROM number_suffixes WHERE suffix LIKE ? LIMIT " + (max + 1))) {
      ps.setString(1, digits + "%"); // digits only: nothing to escape
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) out.add(rs.getString(1));
      }
    }
    return out;
  }

  /** How many calls the numbers have as caller or called number, counting no further than {@code max}. */
  private static long callsOf(Connection c, List<String> numbers, int max) throws SQLException {
    String in = "IN (" + "?,".repeat(numbers.size() - 1) + "?)";
    List<Object> args = new ArrayList<>(numbers);
    args.add(max);
    args.addAll(numbers);
    args.add(max);
    return Sql.scalarLong(c, "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM calls WHERE caller_digits " + in
        + " LIMIT ?) a) + (SELECT COUNT(*) FROM (SELECT 1 FROM calls WHERE called_digits " + in + " LIMIT ?) b)",
        args.toArray());
  }

  /** The stored outcomes delivered as {@code status}; for the default status those no mapping names. */
  private Set<String> outcomes(Connection c, String status) throws SQLException {
    Set<String> raw = new TreeSet<>();
    statusMap.forEach((k, v) -> {
      if (v.equalsIgnoreCase(status)) raw.add(k);
    });
    if (!status.equalsIgnoreCase(statusDefault)) {
      if (raw.isEmpty())
        throw new IllegalArgumentException("unknown status '" + status + "' (known: "
            + String.join(", ", new TreeSet<>(statusMap.values())) + ", " + statusDefault + ")");
      return raw;
    }
    Set<String> unmapped = distinctOutcomes(c);
    unmapped.removeIf(o -> statusMap.containsKey(o) && !raw.contains(o));
    return unmapped;
  }

  /**
   * Every outcome stored: one index dive per distinct value (the next outcome after the last), not
   * a walk over the calls — a wide index gets no loose index scan from the optimizer.
   */
  private static Set<String> distinctOutcomes(Connection c) throws SQLException {
    Set<String> out = new LinkedHashSet<>();
    String next = "SELECT c.outcome FROM calls c FORCE INDEX (ix_calls_outcome_search) WHERE c.outcome %s ?"
        + " ORDER BY c.outcome LIMIT 1";
    try (PreparedStatement first = c.prepareStatement(String.format(next, ">="));
        PreparedStatement after = c.prepareStatement(String.format(next, ">"))) {
      PreparedStatement ps = first; // the first may be '' (a blank disposition)
      String last = "";
      while (true) {
        ps.setString(1, last);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) return out;
          last = rs.getString(1);
        }
        if (!out.add(last)) return out; // values a collation compares equal: never loop
        ps = after;
      }
    }
  }

  private String status(String outcome) {
    if (outcome == null || outcome.isBlank()) return statusDefault;
    return statusMap.getOrDefault(outcome.strip().toUpperCase(Locale.ROOT).replace(' ', '_'), statusDefault);
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  /**
   * What {@code --number} asks for: digits (spaces, {@code + - ( ) . /} ignored) match any part of
   * the numbers' digits — through the side table from {@value NumberSuffixes#MIN} digits on;
   * anything else is matched as text in the stored numbers.
   */
  private record NumberMatch(String digits, String text) {
    static NumberMatch of(String s) {
      StringBuilder d = new StringBuilder();
      for (int i = 0; i < s.length(); i++) {
        char ch = s.charAt(i);
        if (ch >= '0' && ch <= '9') d.append(ch);
        else if (" +-().,/".indexOf(ch) < 0) return new NumberMatch(null, s);
      }
      return d.length() == 0 ? new NumberMatch(null, s) : new NumberMatch(d.toString(), null);
    }

    boolean indexed() {
      return digits != null && digits.length() >= NumberSuffixes.MIN;
    }

    void where(List<String> where, List<Object> args) {
      if (digits != null) {
        where.add("(c.caller_digits LIKE ? OR c.called_digits LIKE ?)");
        args.add("%" + digits + "%");
        args.add("%" + digits + "%");
      } else {
        String like = "%" + text.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%";
        where.add("(c.caller_number LIKE ? ESCAPE '!' OR c.extension LIKE ? ESCAPE '!')");
        args.add(like);
        args.add(like);
      }
    }
  }

  /** {@code 2026-11-23} (a whole day: as "until" it includes that day) or {@code 2026-11-23T10:00[Z]}, UTC. */
  public static Instant date(String option, String s, boolean endOfDay) {
    if (s == null || s.isBlank()) return null;
    try {
      return utc(s.strip(), endOfDay);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(option + " '" + s + "' is not a date: use 2026-11-23 or 2026-11-23T10:00");
    }
  }

  /** The parsing both search forms share; each names the field in its own error. */
  static Instant utc(String v, boolean endOfDay) {
    if (v.length() == 10) {
      LocalDate d = LocalDate.parse(v);
      return (endOfDay ? d.plusDays(1) : d).atStartOfDay().toInstant(ZoneOffset.UTC);
    }
    if (v.endsWith("Z")) return Instant.parse(v);
    return LocalDateTime.parse(v).toInstant(ZoneOffset.UTC);
  }
}
