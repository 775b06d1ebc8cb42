package dev.postcall.call;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The side table that finds a call by any part of its caller's or called number
 * ({@code number_suffixes}): every suffix of at least {@value #MIN} digits of every distinct number,
 * pointing to the number's digits ({@code calls.caller_digits} / {@code called_digits}). Written by
 * every path that inserts calls, in its transaction; a number already there costs one look-up.
 */
public final class NumberSuffixes {
  /** Shorter parts match too much of any number to be worth an index: they are searched by scan. */
  public static final int MIN = 3;
  /** The stored numbers' length (calls.caller_number and .extension). */
  private static final int STORED = 80;
  private static final int CHUNK = 500;

  private NumberSuffixes() {}

  /** The digits of a number as the database computes them for the stored (clipped) value. */
  public static String digits(String number) {
    if (number == null) return null;
    String s = number.length() > STORED ? number.substring(0, STORED) : number;
    StringBuilder d = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= '0' && c <= '9') d.append(c);
    }
    return d.toString();
  }

  /** Indexes the caller and called numbers of {@code calls} that are not indexed yet. */
  public static void add(Connection c, Collection<CallRecord> calls) throws SQLException {
    Set<String> numbers = new LinkedHashSet<>();
    for (CallRecord r : calls) {
      for (String n : new String[] {digits(r.callerNumber()), digits(r.extension())})
        if (n != null && n.length() >= MIN) numbers.add(n);
    }
    List<String> all = List.copyOf(numbers);
    for (int from = 0; from < all.size(); from += CHUNK) {
      List<String> chunk = new ArrayList<>(all.subList(from, Math.min(all.size(), from + CHUNK)));
      chunk.removeAll(known(c, chunk));
      insert(c, chunk);
    }
  }

  /** The numbers already indexed: their whole digits are a suffix of themselves. */
  private static Set<String> known(Connection c, List<String> numbers) throws SQLException {
    Set<String> out = new HashSet<>();
    if (numbers.isEmpty()) return out;
    try (PreparedStatement ps = c.prepareStatement("SELECT digits FROM number_suffixes WHERE (suffix, digits) IN ("
        + String.join(",", Collections.nCopies(numbers.size(), "(?,?)")) + ")")) {
      int k = 0;
      for (String n : numbers) {
        ps.setString(++k, n);
        ps.setString(++k, n);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) out.add(rs.getString(1));
      }
    }
    return out;
  }

  private static void insert(Connection c, List<String> numbers) throws SQLException {
    List<String[]> rows = new ArrayList<>();
    for (String n : numbers) for (int i = 0; i + MIN <= n.length(); i++) rows.add(new String[] {n.substring(i), n});
    // in key order: two writers (hangups, the tailer) adding the same numbers lock in the same order
    rows.sort(java.util.Comparator.<String[], String>comparing(r -> r[0]).thenComparing(r -> r[1]));
    for (int from = 0; from < rows.size(); from += CHUNK) {
      List<String[]> chunk = rows.subList(from, Math.min(rows.size(), from + CHUNK));
      try (PreparedStatement ps = c.prepareStatement("INSERT IGNORE INTO number_suffixes (suffix, digits) VALUES "
          + String.join(",", Collections.nCopies(chunk.size(), "(?,?)")))) {
        int k = 0;
        for (String[] r : chunk) {
          ps.setString(++k, r[0]);
          ps.setString(++k, r[1]);
        }
        ps.executeUpdate();
      }
    }
  }
}
