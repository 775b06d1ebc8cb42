package dev.postcall.pbx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The kit's short scenarios in both dialplan forms and callee legs that run postcall's dialplan,
 * all at once on one real Asterisk whose calls reach postcall over FastAGI (and Master.csv).
 */
class ScenariosPbxIT {
  @RegisterExtension static final RealPbx pbx = RealPbx.with("pbx/postcall-test.conf");

  @BeforeAll
  static void placeCalls() {
    ScenarioCalls.placeAndSettle(pbx);
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
  void one_status_per_scenario() {
    ScenarioCalls.assertOneStatusPerScenario(pbx);
  }

  @Test
  void nothing_to_notice_about_a_pbx_set_up_as_the_readme_says() {
    assertEquals(List.of(), pbx.service().cdrNotices().all());
  }

  @Test
  void the_agent_who_answered_each_call() throws Exception {
    ScenarioCalls.assertAgentPerScenario(pbx);
  }

  /** One MixMonitor each: no recording is flagged as two MixMonitors' (102's 2 s of tones once was). */
  @Test
  void no_recording_is_taken_for_an_overwritten_one() {
    assertEquals(0, pbx.db().count("SELECT COUNT(*) FROM calls WHERE recording_overwritten"));
    assertEquals(0.0, pbx.service().metrics().counter("postcall.recordings.overwritten").count());
  }
}
