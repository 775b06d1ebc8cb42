package dev.postcall.pbx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The same traffic with postcall's FastAGI out of Asterisk's reach ("FastAGI failed"): every call
 * comes from Master.csv alone, which already held another PBX's history when postcall first looked
 * at it. The calls, their timing and statuses must be those of the AGI path; the history stays out,
 * also of the nightly sweep (here every 5 s), which re-reads the file from its start.
 */
class MasterCsvOnlyPbxIT {

  @RegisterExtension static final RealPbx pbx = RealPbx.with("pbx/postcall-test.conf")
      .agiPort(freePort()).seedMasterCsv(history()).setting("csv.sweep-cron", "0/5 * * * * ?");

  @BeforeAll
  static void placeCalls() {
    ScenarioCalls.placeAndSettle(pbx);
  }

  @Test
  void history_from_before_postcall_is_not_imported() throws Exception {
    long sweeps = pbx.db().count("SELECT COUNT(*) FROM csv_history");
    assertEquals(1, sweeps, "the first sight's horizon is recorded");
    Thread.sleep(5_500); // at least one sweep over the whole file after the calls
    List<String> old = new ArrayList<>(pbx.storedUniqueids());
    old.removeIf(u -> !u.startsWith("1795386")); // the seeded rig calls of 2026-11-22
    assertEquals(List.of(), old, "calls of the Master.csv history imported at first sight");
  }

  @Test
  void one_object_per_call_a_person_made_and_no_callee_leg() throws Exception {
    ScenarioCalls.assertOneObjectPerCallAndNoLeg(pbx);
  }

  @Test
  void whole_call_timing_as_master_csv_sees_it() throws Exception {
    ScenarioCalls.assertWholeCallTiming(pbx);
  }

  @Test
  void one_status_per_scenario_as_over_agi() {
    ScenarioCalls.assertOneStatusPerScenario(pbx);
  }

  /** The kit's history file (18 columns, the rig's nine calls), from the test resources' copy. */
  static Path history() {
    return Path.of(System.getProperty("user.dir"), "src/test/resources/cdr/Master.csv");
  }

  static int freePort() {
    return dev.postcall.FreePorts.next();
  }

  @Test
  void the_agent_who_answered_from_master_csv_alone() throws Exception {
    ScenarioCalls.assertAgentPerScenario(pbx);
  }
}
