package dev.postcall.pbx;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link FlowsPbxIT}'s transfers with postcall's FastAGI out of Asterisk's reach: Master.csv alone
 * must give the same calls — status from any answered part, duration over all parts — and the
 * agents' and consult legs' rows, which carry the caller's number, stay out.
 */
class FlowsCsvOnlyPbxIT {
  @RegisterExtension static final RealPbx pbx = RealPbx.with("pbx/flows-test.conf").agiPort(MasterCsvOnlyPbxIT.freePort());

  @BeforeAll
  static void placeCalls() {
    FlowsPbxIT.place(pbx);
  }

  @Test
  void one_object_per_transferred_call_and_no_agent_or_consult_leg() throws Exception {
    ScenarioCalls.assertOneObjectPerCallAndNoLeg(pbx);
  }

  @Test
  void duration_and_billsec_over_every_part() throws Exception {
    FlowsPbxIT.assertWholeCall(pbx);
  }

  @Test
  void answered_with_a_called_number_that_is_no_s_or_h() throws Exception {
    FlowsPbxIT.assertAnsweredAndCalled(pbx, false);
  }
}
