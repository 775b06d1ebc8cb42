package dev.postcall.admin;

import dev.postcall.db.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Where the two paths disagreed about one call: Master.csv's corrections of the timing the AGI path
 * delivered ({@code call_corrections}) and the hangups or recordings refused as conflicting with it
 * ({@code call_conflicts}). Read for the call's page; each by its uniqueid index.
 */
final class CallDiscrepancies {
  record Correction(Instant recordedAt, Instant oldStart, Instant newStart, Instant oldEnd, Instant newEnd,
      Integer oldDuration, Integer newDuration, Integer oldBillsec, Integer newBillsec, String jobState, String jobStage) {}

  record Conflict(Instant detectedAt, String kind, String fields, String kept, String rejected) {}

  private final DataSource ds;

  CallDiscrepancies(DataSource ds) {
    this.ds = ds;
  }

  List<Correction> corrections(dev.postcall.call.CallRecord.Key call) throws SQLException {
    List<Correction> out = new ArrayList<>();
    try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
        "SELECT * FROM call_corrections WHERE pbx_id = ? AND uniqueid = ? ORDER BY recorded_at, id LIMIT 100")) {
      ps.setString(1, call.pbxId());
      ps.setString(2, call.uniqueid());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next())
          out.add(new Correction(Sql.getInstant(rs, "recorded_at"), Sql.getInstant(rs, "old_start"),
              Sql.getInstant(rs, "new_start"), Sql.getInstant(rs, "old_end"), Sql.getInstant(rs, "new_end"),
              Sql.getInt(rs, "old_duration"), Sql.getInt(rs, "new_duration"), Sql.getInt(rs, "old_billsec"),
              Sql.getInt(rs, "new_billsec"), rs.getString("job_state"), rs.getString("job_stage")));
      }
    }
    return out;
  }

  List<Conflict> conflicts(dev.postcall.call.CallRecord.Key call) throws SQLException {
    List<Conflict> out = new ArrayList<>();
    // the call's PBX's only: the same uniqueid on another PBX is another call
    try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
        "SELECT detected_at, kind, fields, kept, rejected FROM call_conflicts WHERE pbx_id = ? AND uniqueid = ?"
            + " ORDER BY detected_at, id LIMIT 100")) {
      ps.setString(1, call.pbxId());
      ps.setString(2, call.uniqueid());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next())
          out.add(new Conflict(Sql.getInstant(rs, "detected_at"), rs.getString("kind"), rs.getString("fields"),
              rs.getString("kept"), rs.getString("rejected")));
      }
    }
    return out;
  }
}
