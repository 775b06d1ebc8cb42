package dev.postcall.pbx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The AGI path alone (no tailer, no hold): what postcall reads inside h must already be the whole
 * call — scenario 300 (rings 4 s, Dial times out, the dialplan goes on) above all — in both forms.
 * Ring groups and queues are left out: there CDR() in h is one party's row and only Master.csv
 * has the whole call (csv.hold).
 */
class AgiOnlyPbxIT {
  @RegisterExtension static final RealPbx pbx = RealPbx.with("pbx/postcall-test.conf")
      .setting("roles", "agi,worker,web").setting("csv.hold", "0s");

  @BeforeAll
  static void placeCalls() {
    ScenarioCalls.placeAndSettle(pbx, List.of("100", "101", "200", "300", "400", "501", "600"), List.of("721", "722"));
  }

  @Test
  void whole_call_timing_from_the_agi_path_alone() throws Exception {
    ScenarioCalls.assertWholeCallTiming(pbx);
  }

  @Test
  void one_object_per_call_and_one_status() throws Exception {
    ScenarioCalls.assertOneObjectPerCallAndNoLeg(pbx);
    ScenarioCalls.assertOneStatusPerScenario(pbx);
    assertEquals(0, pbx.db().count("SELECT COUNT(*) FROM calls WHERE source <> 'AGI'"), "nothing came from Master.csv");
  }

  @Test
  void the_agent_who_answered_from_the_agi_path_alone() throws Exception {
    ScenarioCalls.assertAgentPerScenario(pbx);
  }
}
