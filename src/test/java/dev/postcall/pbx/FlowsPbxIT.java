package dev.postcall.pbx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.call.CallRecord;
import dev.postcall.sim.IncidentServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Calls that move, on a real Asterisk, both dialplan forms, all placed at once: a blind transfer by
 * redirect (810: B talks 3 s, redirects the caller to C, who talks 3 s) and an attended transfer by
 * consult call and Bridge() (811: B talks 3 s, consults C for 2 s, C takes the caller over for 2 s).
 * 813 is 810 with a second MixMonitor of another name started where the caller lands: both files
 * reach the incident system, in call order. The agents' and the consult call's legs run
 * postcall's dialplan too; the caller's phone sends tones.
 */
class FlowsPbxIT {
  @RegisterExtension static final RealPbx pbx = RealPbx.with("pbx/flows-test.conf");

  static final List<String> FLOWS = List.of("810", "811", "813");
  static final List<String> FORMS = List.of("pc-flows-h", "pc-flows-hh");
  /** The least whole-call duration each flow can have (its parts' talk times). */
  static final Map<String, Integer> LEAST = Map.of("810", 6, "811", 5, "813", 6);

  @BeforeAll
  static void placeCalls() {
    place(pbx);
  }

  @Test
  void one_object_per_transferred_call_and_no_agent_or_consult_leg() throws Exception {
    ScenarioCalls.assertOneObjectPerCallAndNoLeg(pbx);
  }

  @Test
  void start_at_the_callers_channel_and_duration_and_billsec_over_every_part() throws Exception {
    assertWholeCall(pbx);
  }

  @Test
  void answered_with_the_number_dialled_first() throws Exception {
    assertAnsweredAndCalled(pbx, true);
  }

  @Test
  void every_recording_of_the_call_in_call_order_the_first_covering_the_whole_call() throws Exception {
    assertRecordingCoversCall(pbx);
  }

  static void place(RealPbx pbx) {
    int placed = 0;
    for (String form : FORMS) for (String flow : FLOWS) {
      pbx.pbx().rx("channel originate Local/" + flow + "@" + form + " extension talk@pc-flows-phone");
      placed++;
    }
    pbx.pbx().idle(Duration.ofSeconds(60));
    pbx.awaitMasterCsvRead(Duration.ofSeconds(20));
    assertEquals(placed, pbx.masterCsvCalls().size(), "Master.csv's callers: " + pbx.masterCsvCalls().keySet());
    pbx.awaitSettled(pbx.masterCsvCalls().keySet(), Duration.ofSeconds(60));
  }

  static void assertWholeCall(RealPbx pbx) throws Exception {
    ScenarioCalls.assertWholeCallTiming(pbx);
    List<String> wrong = new ArrayList<>();
    for (MasterCsvRows.Call c : pbx.masterCsvCalls().values()) {
      String flow = flowOf(pbx, c);
      IncidentServer.StoredObject o = pbx.object(c.uniqueid()).orElseThrow();
      int duration = Integer.parseInt(o.first("duration"));
      CallRecord stored = pbx.storedCall(c.uniqueid()).orElseThrow();
      if (duration < LEAST.get(flow)) wrong.add(flow + " " + c.uniqueid() + ": duration " + duration);
      if (stored.billsec() == null || stored.billsec() < LEAST.get(flow) - 1)
        wrong.add(flow + " " + c.uniqueid() + ": billsec " + stored.billsec());
    }
    assertEquals(List.of(), wrong);
  }

  /** {@code agiPath}: the calls came over FastAGI (else from Master.csv alone). */
  static void assertAnsweredAndCalled(RealPbx pbx, boolean agiPath) throws Exception {
    List<String> wrong = new ArrayList<>();
    for (MasterCsvRows.Call c : pbx.masterCsvCalls().values()) {
      String flow = flowOf(pbx, c);
      IncidentServer.StoredObject o = pbx.object(c.uniqueid()).orElseThrow();
      if (!"answered".equals(o.first("status"))) wrong.add(flow + " " + c.uniqueid() + ": " + o.first("status"));
      String ext = pbx.storedCall(c.uniqueid()).orElseThrow().extension();
      // a redirect rewrites dst in every part, the first included (810's rows all read xfer): the
      // dialplan's postcall-dialled keeps the first number for the AGI path; Master.csv has no room for it
      // (a call whose Master.csv rows the tailer stored first waits for its hangup: csv.agi-hold)
      CallRecord.Source source = pbx.storedCall(c.uniqueid()).orElseThrow().source();
      if (source != (agiPath ? CallRecord.Source.AGI : CallRecord.Source.CSV)) wrong.add(flow + " " + c.uniqueid() + ": source " + source);
      boolean viaAgi = agiPath;
      String want = flow.equals("811") || viaAgi ? flow : flow.equals("810") ? "xfer" : "xfer-rec";
      if (!want.equals(ext)) wrong.add(flow + " " + c.uniqueid() + ": called " + ext + ", want " + want);
      // the agent: over AGI the peer of the last answered Dial (C after a redirect; B for the
      // attended transfer, whose C came by Bridge()), from Master.csv the first answered leg's (B)
      String agent = pbx.storedCall(c.uniqueid()).orElseThrow().agent();
      String wantAgent = flow.equals("811") ? "Local/attended@pc-flows-agent" : viaAgi ? "Local/answer@pc-callee" : "Local/blind@pc-flows-agent";
      if (!wantAgent.equals(agent)) wrong.add(flow + " " + c.uniqueid() + ": agent " + agent + ", want " + wantAgent);
      assertNotEquals("s", ext);
      assertNotEquals("h", ext);
    }
    assertEquals(List.of(), wrong);
  }

  static void assertRecordingCoversCall(RealPbx pbx) throws Exception {
    List<String> wrong = new ArrayList<>();
    for (MasterCsvRows.Call c : pbx.masterCsvCalls().values()) {
      String flow = flowOf(pbx, c);
      IncidentServer.StoredObject o = pbx.object(c.uniqueid()).orElseThrow();
      List<IncidentServer.StoredFile> files = pbx.incidents().files(o.objectref());
      int want = flow.equals("813") ? 2 : 1;
      if (files.size() != want) {
        wrong.add(flow + " " + c.uniqueid() + ": " + files.size() + " files " + files.stream().map(IncidentServer.StoredFile::srcname).toList());
        continue;
      }
      long ms = mp3Millis(files.get(0));
      int duration = Integer.parseInt(o.first("duration"));
      boolean flagged = pbx.db().count("SELECT COUNT(*) FROM calls WHERE recording_short AND uniqueid = '"
          + c.uniqueid().replaceAll("[^0-9.]", "") + "'") == 1;
      if (flagged) wrong.add(flow + " " + c.uniqueid() + ": flagged short with a first MP3 of " + ms + " ms");
      // tones alone: they repeat at their period, yet no recording here was written twice
      if (pbx.db().count("SELECT COUNT(*) FROM calls WHERE recording_overwritten AND uniqueid = '"
          + c.uniqueid().replaceAll("[^0-9.]", "") + "'") == 1) wrong.add(flow + " " + c.uniqueid() + ": flagged overwritten");
      // in call order: the caller's whole-call file first, then the one started where the caller landed
      if (ms < (duration - 1) * 1000L) wrong.add(flow + " " + c.uniqueid() + ": MP3 " + ms + " ms of a " + duration + " s call");
      if (flow.equals("813")) {
        long second = mp3Millis(files.get(1));
        if (second < 2000 || second > 4500) wrong.add("813 " + c.uniqueid() + ": second MP3 " + second + " ms, want C's 3 s");
        if (!files.get(0).srcname().equals(c.uniqueid() + ".mp3") || !files.get(1).srcname().equals(c.uniqueid() + "-2.mp3"))
          wrong.add("813 " + c.uniqueid() + ": files " + files.stream().map(IncidentServer.StoredFile::srcname).toList());
        long rows = pbx.db().count("SELECT COUNT(*) FROM call_recordings r JOIN calls k ON k.id = r.call_id WHERE k.uniqueid = '"
            + c.uniqueid().replaceAll("[^0-9.]", "") + "' AND ((r.seq = 1 AND r.name NOT LIKE '%-c.wav') OR (r.seq = 2 AND r.name LIKE '%-c.wav'))");
        if (rows != 2) wrong.add("813 " + c.uniqueid() + ": call_recordings in call order: " + rows + " of 2 rows");
      }
    }
    assertEquals(List.of(), wrong);
  }

  static long mp3Millis(IncidentServer.StoredFile f) throws Exception {
    return new ws.schild.jave.MultimediaObject(f.path().toFile()).getInfo().getDuration();
  }

  /** The flow from the caller's userfield (pc-FLOW-UNIQUEID): a redirect rewrites dst. */
  private static String flowOf(RealPbx pbx, MasterCsvRows.Call c) {
    CallRecord stored;
    try {
      stored = pbx.storedCall(c.uniqueid()).orElseThrow();
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
    String u = stored.userfield();
    assertTrue(u != null && u.startsWith("pc-"), "userfield " + u);
    return u.substring(3, u.indexOf('-', 3));
  }
}
