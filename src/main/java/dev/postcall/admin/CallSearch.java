package dev.postcall.admin;

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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.sql.DataSource;

/**
 * All calls, newest first, filtered by number (any part of the caller's or the called number),
 * start date range, status (as delivered: the status map's name, e.g. {@code answered}), answering
 * agent and delivery state. Walks {@code ix_calls_start} newest first and stops at the limit, so a
 * filter that matches often returns at once; a rare one scans the date range.
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

  /** A position in the newest-first order: the last row of the page shown. */
  public record Cursor(Instant start, long id) {}

  public record Row(String uniqueid, Instant start, String callerNumber, String callerName, String extension,
      String outcome, String status, String agent, Integer billsec, String delivery, boolean recording, long id) {
    public Cursor cursor() {
      return new Cursor(start, id);
    }
  }

  private final DataSource ds;
  private final Map<String, String> statusMap;
  private final String statusDefault;

  public CallSearch(DataSource ds, Map<String, String> statusMap, String statusDefault) {
    this.ds = ds;
    this.statusMap = statusMap;
    this.statusDefault = statusDefault;
  }

  public List<Row> search(Filter f) throws SQLException {
    StringBuilder sql = new StringBuilder("SELECT c.id, c.uniqueid, c.start_time, c.caller_number, c.caller_name, c.extension, "
        + "c.dial_status, c.disposition, c.agent, c.billsec_s, c.recording, j.state FROM calls c "
        + "LEFT JOIN jobs j ON j.call_id = c.id WHERE 1=1");
    List<Object> args = new ArrayList<>();
    if (f.since() != null) {
      sql.append(" AND c.start_time >= ?");
      args.add(f.since());
    }
    if (f.until() != null) {
      sql.append(" AND c.start_time < ?");
      args.add(f.until());
    }
    if (f.number() != null && !f.number().isBlank()) {
      sql.append(" AND (c.caller_number LIKE ? ESCAPE '!' OR c.extension LIKE ? ESCAPE '!')");
      String like = "%" + f.number().strip().replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%";
      args.add(like);
      args.add(like);
    }
    if (f.status() != null && !f.status().isBlank()) {
      List<String> raw = rawOutcomes(f.status().strip());
      boolean isDefault = f.status().strip().equalsIgnoreCase(statusDefault);
      sql.append(" AND (");
      if (!raw.isEmpty()) {
        sql.append("UPPER(REPLACE(COALESCE(NULLIF(c.dial_status, ''), c.disposition), ' ', '_')) IN (")
            .append("?,".repeat(raw.size() - 1)).append("?)");
        args.addAll(raw);
      } else {
        sql.append("1=0");
      }
      if (isDefault) { // unmapped outcomes are delivered with the default status
        sql.append(" OR COALESCE(NULLIF(c.dial_status, ''), c.disposition) IS NULL OR UPPER(REPLACE(COALESCE(NULLIF(c.dial_status, ''), "
            + "c.disposition), ' ', '_')) NOT IN (").append("?,".repeat(statusMap.size() - 1)).append("?)");
        args.addAll(statusMap.keySet());
      }
      sql.append(")");
    }
    if (f.agent() != null && !f.agent().isBlank()) {
      sql.append(" AND c.agent = ?");
      args.add(f.agent().strip());
    }
    if (f.delivery() != null) {
      sql.append(" AND j.state = ?");
      args.add(f.delivery().name());
    }
    if (f.before() != null && f.before().start() != null) {
      sql.append(" AND (c.start_time < ? OR (c.start_time = ? AND c.id < ?))");
      args.add(f.before().start());
      args.add(f.before().start());
      args.add(f.before().id());
    }
    sql.append(" ORDER BY c.start_time DESC, c.id DESC LIMIT ?");
    int limit = f.limit() == null ? 100 : f.limit();
    args.add(limit);
    List<Row> out = new ArrayList<>();
    try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
      for (int i = 0; i < args.size(); i++) {
        Object v = args.get(i);
        if (v instanceof Instant t) Sql.setInstant(ps, i + 1, t);
        else if (v instanceof Integer n) ps.setInt(i + 1, n);
        else if (v instanceof Long n) ps.setLong(i + 1, n);
        else ps.setString(i + 1, (String) v);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String outcome = rs.getString("dial_status");
          if (outcome == null || outcome.isBlank()) outcome = rs.getString("disposition");
          String agent = rs.getString("agent");
          out.add(new Row(rs.getString("uniqueid"), Sql.getInstant(rs, "start_time"), rs.getString("caller_number"),
              rs.getString("caller_name"), rs.getString("extension"), outcome, status(outcome), agent,
              Sql.getInt(rs, "billsec_s"), rs.getString("state"), rs.getString("recording") != null, rs.getLong("id")));
        }
      }
    }
    return out;
  }

  private String status(String outcome) {
    if (outcome == null || outcome.isBlank()) return statusDefault;
    return statusMap.getOrDefault(outcome.strip().toUpperCase(Locale.ROOT).replace(' ', '_'), statusDefault);
  }

  /** The DIALSTATUS / disposition values delivered as {@code status}. */
  private List<String> rawOutcomes(String status) {
    List<String> raw = new ArrayList<>();
    statusMap.forEach((k, v) -> { if (v.equalsIgnoreCase(status)) raw.add(k); });
    if (raw.isEmpty() && !status.equalsIgnoreCase(statusDefault))
      throw new IllegalArgumentException("unknown status '" + status + "' (known: "
          + String.join(", ", new java.util.TreeSet<>(statusMap.values())) + ", " + statusDefault + ")");
    return raw;
  }

  /** {@code 2026-11-23} (a whole day: as "until" it includes that day) or {@code 2026-11-23T10:00[Z]}, UTC. */
  public static Instant date(String option, String s, boolean endOfDay) {
    if (s == null || s.isBlank()) return null;
    String v = s.strip();
    try {
      if (v.length() == 10) {
        LocalDate d = LocalDate.parse(v);
        return (endOfDay ? d.plusDays(1) : d).atStartOfDay().toInstant(ZoneOffset.UTC);
      }
      if (v.endsWith("Z")) return Instant.parse(v);
      return LocalDateTime.parse(v).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(option + " '" + s + "' is not a date: use 2026-11-23 or 2026-11-23T10:00");
    }
  }
}
