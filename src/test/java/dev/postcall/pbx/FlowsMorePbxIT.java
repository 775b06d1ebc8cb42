package dev.postcall.pbx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.postcall.call.CallRecord;
import dev.postcall.sim.IncidentServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * More calls that move, on a real Asterisk, both dialplan forms, all placed at once: park and
 * retrieve (830: B talks 2 s and parks the caller; a second person, 831, retrieves it 2 s later and
 * talks 3 s), pickup (820: B rings; a second person, 821, picks the call up and talks 3 s), a
 * destination that records to the caller's own file name (814, as 813; 815 the same after 8 s with
 * B, longer than the destination's 3 s) and a caller whose phone is muted for 4 s (816). The
 * retriever and the picker run postcall-dialled like every caller: their bridge gives them the
 * caller's linkedid. The callers of 814 and 815 talk (a sound that never repeats by itself, as
 * speech): tones alone repeat at their period, and a file of two equal halves is not flagged.
 */
class FlowsMorePbxIT {
  @RegisterExtension static final RealPbx pbx = RealPbx.with("pbx/flows-test.conf");

  static final List<String> FLOWS = List.of("814", "815", "816", "820", "830");
  /** The flows whose recording two MixMonitors write to one file. */
  static final java.util.Set<String> OVERWRITTEN = java.util.Set.of("814", "815");

  @BeforeAll
  static void placeCalls() {
    place(pbx);
    List<String> all = new ArrayList<>(pbx.masterCsvCalls().keySet());
    all.addAll(secondPeople(pbx).keySet());
    pbx.awaitSettled(all, Duration.ofSeconds(60));
  }

  /** Places the flows in both forms, waits until Asterisk is idle and the tailer has read Master.csv. */
  static void place(RealPbx pbx) {
    writeSounds(pbx.pbxDir().resolve("sounds"));
    for (String form : FlowsPbxIT.FORMS) for (String flow : FLOWS) {
      String phone = OVERWRITTEN.contains(flow) ? "speak" : flow.equals("816") ? "muted" : "talk";
      pbx.pbx().rx("channel originate Local/" + flow + "@" + form + " extension " + phone + "@pc-flows-phone");
    }
    pbx.pbx().idle(Duration.ofSeconds(60));
    pbx.awaitMasterCsvRead(Duration.ofSeconds(20));
    assertEquals(FLOWS.size() * 2, pbx.masterCsvCalls().size(), "Master.csv's callers: " + pbx.masterCsvCalls().keySet());
  }

  /**
   * The phones' sounds (8 kHz, 16-bit): 60 s of speech-like noise that never repeats itself, and
   * 3 s of it, 4 s of exact zeros (a muted phone), 3 s more.
   */
  static void writeSounds(java.nio.file.Path dir) {
    short[] speech = dev.postcall.TestSounds.speech(60, 22);
    short[] muted = new short[10 * 8000];
    System.arraycopy(speech, 0, muted, 0, 3 * 8000);
    System.arraycopy(speech, 3 * 8000, muted, 7 * 8000, 3 * 8000);
    dev.postcall.TestSounds.write(dir.resolve("pcf-speech.wav"), speech);
    dev.postcall.TestSounds.write(dir.resolve("pcf-muted.wav"), muted);
  }

  /** The retrievers' and the pickers' own calls (both forms): uniqueid → flow (831, 821). */
  static Map<String, String> secondPeople() {
    return secondPeople(pbx);
  }

  static Map<String, String> secondPeople(RealPbx pbx) {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    for (MasterCsvRows.Row r : MasterCsvRows.read(pbx.masterCsvPath())) {
      if (r.channel().startsWith("Local/831@") && r.channel().endsWith(";2")) out.put(r.uniqueid(), "831");
      // the picker's ;2 half writes no row of its own (the pickup moves it into the caller's Dial): its ;1 half's uniqueid + 1
      if (r.channel().startsWith("Local/821@") && r.channel().endsWith(";1")) {
        int dot = r.uniqueid().indexOf('.');
        out.put(r.uniqueid().substring(0, dot + 1) + (Long.parseLong(r.uniqueid().substring(dot + 1)) + 1), "821");
      }
    }
    return out;
  }

  @Test
  void one_object_per_call_a_person_made_and_no_leg() throws Exception {
    TreeSet<String> want = new TreeSet<>(pbx.masterCsvCalls().keySet());
    want.addAll(secondPeople().keySet());
    assertEquals(FLOWS.size() * 2 + 4, want.size(), "callers, retrievers and pickers: " + want);
    for (String uid : want) assertEquals(1, pbx.incidents().creates(uid), "objects for " + uid);
    assertEquals(want, new TreeSet<>(pbx.deliveredUniqueids()));
    assertEquals(want, new TreeSet<>(pbx.storedUniqueids()));
  }

  @Test
  void callers_start_with_their_channel_and_last_over_every_part() throws Exception {
    ScenarioCalls.assertWholeCallTiming(pbx);
  }

  @Test
  void answered_with_the_number_dialled_first() throws Exception {
    List<String> wrong = new ArrayList<>();
    for (String uid : pbx.masterCsvCalls().keySet()) {
      CallRecord c = pbx.storedCall(uid).orElseThrow();
      String flow = c.userfield().substring(3, 6);
      check(wrong, uid, flow, c);
    }
    secondPeople().forEach((uid, flow) -> {
      try {
        check(wrong, uid, flow, pbx.storedCall(uid).orElseThrow());
      } catch (java.sql.SQLException e) {
        throw new IllegalStateException(e);
      }
    });
    assertEquals(List.of(), wrong);
  }

  private static void check(List<String> wrong, String uid, String flow, CallRecord c) {
    String status = pbx.object(uid).orElseThrow().first("status");
    if (!"answered".equals(status)) wrong.add(flow + " " + uid + ": " + status);
    // a caller whose Master.csv rows the tailer stored first waits for its hangup (csv.agi-hold)
    if (c.source() != CallRecord.Source.AGI) wrong.add(flow + " " + uid + ": source " + c.source());
    if (!flow.equals(c.extension())) wrong.add(flow + " " + uid + ": called " + c.extension() + " (" + c.source() + ")");
    // the agent: the peer of the last answered Dial — C for 814, the picker for 820, B (who parked)
    // for 830; the retriever and the picker answered nobody's Dial: none
    String agent = switch (flow) {
      case "814", "815" -> "Local/answer@pc-callee";
      case "820" -> "Local/821@" + c.channel().substring(c.channel().indexOf('@') + 1, c.channel().lastIndexOf('-'));
      case "830" -> "Local/parkit@pc-flows-agent";
      default -> null;
    };
    if (!java.util.Objects.equals(agent, c.agent())) wrong.add(flow + " " + uid + ": agent " + c.agent() + ", want " + agent);
  }

  /**
   * A retriever from its start to its hangup with its talk time (ParkedCall's bridge is written into
   * the parked caller's CDR only). A picker of the hangup-handler form likewise: its handler moves
   * with the pickup onto the channel that talks. The h-form picker's h runs at the pickup, on the
   * channel the pickup leaves behind: its timing ends there, and the worker extends it to start +
   * its recording's length (README: use the handler form for pickups; billsec stays 0).
   */
  @Test
  void a_retriever_and_a_picker_are_delivered_from_their_start_to_their_hangup() throws Exception {
    List<String> wrong = new ArrayList<>();
    for (var e : secondPeople().entrySet()) {
      CallRecord c = pbx.storedCall(e.getKey()).orElseThrow();
      String what = e.getValue() + " " + e.getKey() + " " + c.channel() + ": ";
      // the h-form picker's h runs on the channel the pickup renamed to the ringing leg's name
      boolean hFormPicker = e.getValue().equals("821") && c.channel().startsWith("Local/pickme@");
      // retriever: placed as the caller is parked, waits 2 s, talks 3 s; picker: placed 1 s into the ringing, talks 3 s
      int least = e.getValue().equals("831") ? 4 : 2;
      if (c.duration() == null || c.duration() < least || c.duration() > 6) wrong.add(what + "duration " + c.duration());
      if (!hFormPicker && (c.billsec() == null || c.billsec() < 2 || c.billsec() > 4)) wrong.add(what + "billsec " + c.billsec());
      // the h-form picker's h runs at the pickup, never answered itself (billsec 0); its recording
      // (3 s of talk) shows the call lasted at least that long: delivered with start + audio
      if (hFormPicker && (c.duration() < 2 || c.billsec() == null || c.billsec() != 0))
        wrong.add(what + "h form: duration " + c.duration() + ", billsec " + c.billsec());
      if (hFormPicker && !String.valueOf(c.duration()).equals(pbx.object(e.getKey()).orElseThrow().first("duration")))
        wrong.add(what + "h form: uploaded duration " + pbx.object(e.getKey()).orElseThrow().first("duration"));
      // from its own start (postcall-dialled's POSTCALL_START, the picker's variable even where its h
      // runs on the picked-up leg's channel): the second its own Local channel's first row starts in
      java.time.Instant own = ownStart(e.getKey());
      if (own == null || c.start() == null || c.start().getEpochSecond() != own.getEpochSecond())
        wrong.add(what + "start " + c.start() + " vs its channel's first row " + own);
      // its recording holds the whole talk (3 s) all the same: reported as audio past the call's end
      long mp3 = FlowsPbxIT.mp3Millis(pbx.incidents().files(pbx.object(e.getKey()).orElseThrow().objectref()).get(0));
      if (mp3 < 2_500) wrong.add(what + "MP3 " + mp3 + " ms");
    }
    assertEquals(List.of(), wrong);
    assertEquals(1.0, pbx.service().metrics().counter("postcall.recordings.past_call").count(),
        "one call's audio runs past its end: the h-form picker's");
  }

  /** The start of a second person's first Master.csv row: its ;2 half's, else (a picker's ;2 writes none) its ;1 half's. */
  private static java.time.Instant ownStart(String uniqueid) {
    int dot = uniqueid.indexOf('.');
    String one = uniqueid.substring(0, dot + 1) + (Long.parseLong(uniqueid.substring(dot + 1)) - 1);
    List<MasterCsvRows.Row> rows = MasterCsvRows.read(pbx.masterCsvPath());
    return rows.stream().filter(r -> r.uniqueid().equals(uniqueid)).min(java.util.Comparator.comparingInt(MasterCsvRows.Row::sequence))
        .or(() -> rows.stream().filter(r -> r.uniqueid().equals(one) && r.channel().endsWith(";1")).findFirst())
        .map(r -> r.startIn(pbx.csvZone())).orElse(null);
  }

  @Test
  void every_person_gets_their_own_recording() throws Exception {
    List<String> wrong = new ArrayList<>();
    List<String> all = new ArrayList<>(pbx.masterCsvCalls().keySet());
    all.addAll(secondPeople().keySet());
    for (String uid : all) {
      IncidentServer.StoredObject o = pbx.object(uid).orElseThrow();
      List<IncidentServer.StoredFile> files = pbx.incidents().files(o.objectref());
      if (files.size() != 1 || !files.get(0).srcname().equals(uid + ".mp3"))
        wrong.add(uid + ": " + files.stream().map(IncidentServer.StoredFile::srcname).toList());
    }
    assertEquals(List.of(), wrong);
  }

  /**
   * Two MixMonitors on the caller's own file (814, 815, both forms) are flagged and still delivered;
   * every other call — the muted phone's zeros, tones, the pickers and retrievers — is not.
   */
  @Test
  void a_recording_two_mixmonitors_wrote_is_flagged_and_still_delivered() throws Exception {
    List<String> wrong = new ArrayList<>();
    List<String> all = new ArrayList<>(pbx.masterCsvCalls().keySet());
    all.addAll(secondPeople().keySet());
    int overwritten = 0;
    for (String uid : all) {
      CallRecord c = pbx.storedCall(uid).orElseThrow();
      String flow = secondPeople().containsKey(uid) ? secondPeople().get(uid) : c.userfield().substring(3, 6);
      boolean want = OVERWRITTEN.contains(flow);
      boolean flagged = pbx.db().count("SELECT COUNT(*) FROM calls WHERE recording_overwritten AND uniqueid = '"
          + uid.replaceAll("[^0-9.]", "") + "'") == 1;
      if (flagged != want) wrong.add(flow + " " + uid + ": overwritten flag " + flagged);
      if (want) overwritten++;
      if (pbx.incidents().files(pbx.object(uid).orElseThrow().objectref()).size() != 1) wrong.add(flow + " " + uid + ": not delivered");
    }
    assertEquals(List.of(), wrong);
    assertEquals(4, overwritten, "814 and 815 in both forms");
    assertEquals(4.0, pbx.service().metrics().counter("postcall.recordings.overwritten").count());
  }
}
