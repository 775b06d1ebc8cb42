package dev.postcall.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.postcall.queue.RecordingOwnership.Verdict;
import org.junit.jupiter.api.Test;

/** Whose recording a file is by its name: the rule postcall applies before keeping a hangup's recording. */
class RecordingOwnershipTest {
  final RecordingOwnership byUid = new RecordingOwnership("${uniqueid}.wav");

  @Test
  void a_file_named_after_the_call_is_its_own_wherever_the_folder_is_mounted() {
    assertEquals(Verdict.OWN, byUid.of("1795386561.77", "/var/spool/asterisk/monitor/1795386561.77.wav"));
    assertEquals(Verdict.OWN, byUid.of("1795386561.77", "/mnt/pbx1/monitor/1795386561.77.wav"));
    assertEquals(Verdict.OWN, byUid.of("1795386561.77", "1795386561.77.wav"));
    assertEquals(Verdict.OWN, byUid.of("pbx1-1795386561.77", "/x/pbx1-1795386561.77.wav"));
    assertEquals(Verdict.OWN, byUid.of("1795386561.77", "/x/exten-1795386561.77.wav"), "a prefix before its own uniqueid");
  }

  @Test
  void a_file_named_after_another_uniqueid_is_another_calls() {
    assertEquals(Verdict.ANOTHER_CALL, byUid.of("999.1", "/var/spool/asterisk/monitor/1795386561.77.wav"));
    assertEquals(Verdict.ANOTHER_CALL, byUid.of("x-1", "/m/1795386561.77.wav"), "whatever form the claimant's uniqueid has");
    assertEquals(Verdict.ANOTHER_CALL, byUid.of("pbx1-1795386561.78", "/m/pbx1-1795386561.77.wav"));
    assertEquals(Verdict.ANOTHER_CALL, byUid.of("1795386561.78", "/m/../m/1795386561.77.wav"));
    assertEquals(Verdict.ANOTHER_CALL, byUid.of("999.1", "/m/exten-1795386561.77.wav"));
  }

  @Test
  void names_the_pattern_does_not_explain_are_first_come() {
    assertEquals(Verdict.UNKNOWN, byUid.of("1795386561.77", "/m/queue-sales-20261122.wav"));
    assertEquals(Verdict.UNKNOWN, byUid.of("1795386561.78", "/m/20261122-1795386561.77.wav"), "a date prefix is not a system name");
    assertEquals(Verdict.UNKNOWN, byUid.of("1795386561.77", "/m/1795386561.77.mp3"));
    // FreePBX-style names under the default pattern: not taken for another call's, first come
    String freepbx = "/m/2026/11/22/out-200-100-20261122-222921-1795386561.77.wav";
    assertEquals(Verdict.UNKNOWN, byUid.of("1795386561.78", freepbx));
    assertEquals(Verdict.OWN, byUid.of("1795386561.77", freepbx), "it ends with the call's own uniqueid");
    assertEquals(Verdict.UNKNOWN, RecordingOwnership.NONE.of("1795386561.77", "/m/1795386561.77.wav"));
  }

  @Test
  void a_pattern_with_folders_matches_as_many_trailing_elements() {
    RecordingOwnership dated = new RecordingOwnership("in/${uniqueid}-in.wav");
    assertEquals(Verdict.OWN, dated.of("1795386561.77", "/var/spool/asterisk/monitor/in/1795386561.77-in.wav"));
    assertEquals(Verdict.ANOTHER_CALL, dated.of("1.2", "/var/spool/asterisk/monitor/in/1795386561.77-in.wav"));
    assertEquals(Verdict.UNKNOWN, dated.of("1.2", "/var/spool/asterisk/monitor/out/1795386561.77-in.wav"));
  }
}
