package dev.postcall.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import javax.sql.DataSource;

/**
 * How far this node's clock is from the database's. Leases, due times and the times postcall
 * stamps on calls and jobs (received, updated, done, a create in doubt) are the database's time,
 * but the create-settle wait is counted on this node's clock and the logs carry it: a node off by
 * more than a few seconds must not start.
 */
public final class DatabaseClock {
  private DatabaseClock() {}

  /** This node's clock minus the database's (positive: this node is ahead), taken at the middle of the round trip. */
  public static Duration offset(DataSource ds, Clock clock) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT UTC_TIMESTAMP(3)")) {
      Instant before = clock.instant();
      Instant db;
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        db = rs.getObject(1, LocalDateTime.class).toInstant(ZoneOffset.UTC);
      }
      Instant after = clock.instant();
      Instant middle = before.plus(Duration.between(before, after).dividedBy(2));
      return Duration.between(db, middle);
    }
  }

  /** The one line that says so, or null when {@code offset} is within {@code max}. */
  public static String problem(Duration offset, Duration max) {
    if (offset.abs().compareTo(max) <= 0) return null;
    return String.format("this host's clock is %.1f s %s the database's (more than %d s): fix time sync (NTP) here or"
        + " on the database server", Math.abs(offset.toMillis()) / 1000.0, offset.isNegative() ? "behind" : "ahead of",
        max.toSeconds());
  }
}
