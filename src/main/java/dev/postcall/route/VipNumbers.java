package dev.postcall.route;

import dev.postcall.db.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;

/** The VIP list in the database ({@code vip_numbers}), numbers stored normalised. */
public final class VipNumbers {
  public record Vip(String number, String note, java.time.Instant addedAt) {}

  private final DataSource ds;
  private final CallerNumbers numbers;
  private final Clock clock;

  public VipNumbers(DataSource ds, CallerNumbers numbers, Clock clock) {
    this.ds = ds;
    this.numbers = numbers;
    this.clock = clock;
  }

  /** Adds a number (normalised first); false if it was already there. Throws on a number without digits. */
  public boolean add(String raw, String note) throws SQLException {
    String n = normalised(raw);
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("INSERT IGNORE INTO vip_numbers (number, note, added_at) VALUES (?, ?, ?)")) {
      ps.setString(1, n);
      ps.setString(2, note == null || note.isBlank() ? null : note.strip());
      Sql.setInstant(ps, 3, clock.instant());
      return ps.executeUpdate() == 1;
    }
  }

  /** Removes a number (normalised first); false if it was not there. */
  public boolean remove(String raw) throws SQLException {
    String n = normalised(raw);
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("DELETE FROM vip_numbers WHERE number = ?")) {
      ps.setString(1, n);
      return ps.executeUpdate() == 1;
    }
  }

  public List<Vip> list() throws SQLException {
    List<Vip> out = new ArrayList<>();
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT number, note, added_at FROM vip_numbers ORDER BY number");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) out.add(new Vip(rs.getString(1), rs.getString(2), Sql.getInstant(rs, "added_at")));
    }
    return out;
  }

  /** The numbers only, for the routing index. */
  public Set<String> numbers() throws SQLException {
    Set<String> out = new HashSet<>();
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT number FROM vip_numbers");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) out.add(rs.getString(1));
    }
    return out;
  }

  String normalised(String raw) {
    String n = numbers.normalise(raw);
    if (n.isEmpty()) throw new IllegalArgumentException("'" + raw + "' has no digits: not a phone number");
    if (n.length() > 64) throw new IllegalArgumentException("'" + raw + "' is longer than 64 digits");
    return n;
  }
}
