package dev.postcall.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.postcall.queue.JobState;
import dev.postcall.sim.CallSimulator.Outcome;
import dev.postcall.sim.CallSimulator.SimulatedCall;
import dev.postcall.sim.IncidentServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;

/**
 * What a chaos run ended with, counted from the outside: the calls the simulator made, the objects
 * and files the incident server holds, the jobs the database left FAILED with a reason. The
 * incident server is the authority for "delivered"; the database only for "failed".
 */
record Tally(String scenario, int simulated, int delivered, int duplicates, int filesTwice, int missing, int failed,
    int noRecording, int unexpected, double agiP99Ms, Set<String> missingIds, Map<String, String> failures) {

  static Tally count(String scenario, Collection<SimulatedCall> calls, IncidentServer server, DataSource ds) throws SQLException {
    Map<String, String> failures = failed(ds);
    Map<String, IncidentServer.StoredObject> byUniqueid = new HashMap<>();
    int unexpected = 0;
    Set<String> simulated = new HashSet<>();
    calls.forEach(c -> simulated.add(c.uniqueid()));
    for (IncidentServer.StoredObject o : server.objects()) {
      String u = o.first("uniqueid");
      if (!simulated.contains(u)) unexpected++;
      else byUniqueid.putIfAbsent(u, o);
    }
    int delivered = 0;
    int duplicates = 0;
    int filesTwice = 0;
    int noRecording = 0;
    Set<String> missing = new java.util.TreeSet<>();
    for (SimulatedCall c : calls) {
      int creates = server.creates(c.uniqueid());
      duplicates += Math.max(0, creates - 1);
      IncidentServer.StoredObject o = byUniqueid.get(c.uniqueid());
      if (o == null) {
        if (!failures.containsKey(c.uniqueid())) missing.add(c.uniqueid());
        continue;
      }
      delivered++;
      int files = server.files(o.objectref()).size();
      if (files > 1) filesTwice++;
      if (files == 0 && c.outcome() == Outcome.ANSWERED && c.audioSeconds() > 0 && !failures.containsKey(c.uniqueid()))
        noRecording++;
    }
    return new Tally(scenario, calls.size(), delivered, duplicates, filesTwice, missing.size(), failures.size(),
        noRecording, unexpected, p99Ms(calls), missing, failures);
  }

  /** FAILED jobs (uniqueid → reason). */
  static Map<String, String> failed(DataSource ds) throws SQLException {
    Map<String, String> out = new HashMap<>();
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "SELECT c.uniqueid, j.last_error FROM jobs j JOIN calls c ON c.id = j.call_id WHERE j.state = ?")) {
      ps.setString(1, JobState.FAILED.name());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) out.put(rs.getString(1), rs.getString(2));
      }
    }
    return out;
  }

  /**
   * The 99th percentile of the AGI session times (Asterisk's side: connect to close) in ms, over the
   * sessions that ran (a refused connection while the service was killed is fast and would flatter it).
   */
  static double p99Ms(Collection<SimulatedCall> calls) {
    List<Long> us = calls.stream().filter(c -> c.viaAgi() && c.agiCompleted()).map(SimulatedCall::agiMicros).sorted().toList();
    if (us.isEmpty()) return 0;
    int i = (int) Math.ceil(us.size() * 0.99) - 1;
    return us.get(Math.max(0, i)) / 1000.0;
  }

  /** The one line every scenario prints; extra figures after the standard ones. */
  String line(String extra) {
    return String.format(java.util.Locale.ROOT,
        "%s: simulated=%d delivered=%d duplicates=%d missing=%d failed=%d agi_p99_ms=%.1f files_twice=%d%s%s",
        scenario, simulated, delivered, duplicates, missing, failed, agiP99Ms, filesTwice,
        noRecording + unexpected > 0 ? " no_recording=" + noRecording + " unexpected=" + unexpected : "",
        extra == null || extra.isEmpty() ? "" : " " + extra);
  }

  /** Nothing lost, nothing doubled: every call delivered once (or FAILED with a reason where allowed). */
  void assertExactlyOnce(boolean failuresAllowed) {
    assertEquals(0, duplicates, scenario + ": duplicate objects");
    assertEquals(0, filesTwice, scenario + ": files attached twice");
    assertEquals(0, unexpected, scenario + ": objects for calls that were never made");
    assertEquals(Set.of(), missingIds, scenario + ": calls missing");
    assertEquals(0, noRecording, scenario + ": answered calls delivered without their recording");
    if (!failuresAllowed) assertEquals(Map.of(), failures, scenario + ": calls FAILED");
    assertEquals(simulated, delivered + failed, scenario + ": delivered + failed");
  }
}
