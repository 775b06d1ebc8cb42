package dev.postcall.pbx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link FlowsMorePbxIT}'s park and retrieve, pickup and same-name recording with postcall's
 * FastAGI out of Asterisk's reach: Master.csv alone gives the callers' calls — answered, over every
 * part. The retrievers' and pickers' calls are not among them: their rows carry the caller's
 * linkedid (a picker writes no row of its own), and Master.csv has no column to tell them from a leg.
 */
class FlowsMoreCsvOnlyPbxIT {
  @RegisterExtension static final RealPbx pbx = RealPbx.with("pbx/flows-test.conf").agiPort(MasterCsvOnlyPbxIT.freePort());

  @BeforeAll
  static void placeCalls() {
    FlowsMorePbxIT.place(pbx);
    pbx.awaitSettled(pbx.masterCsvCalls().keySet(), Duration.ofSeconds(60));
  }

  @Test
  void one_object_per_caller_and_no_leg() throws Exception {
    ScenarioCalls.assertOneObjectPerCallAndNoLeg(pbx);
  }

  @Test
  void callers_over_every_part() throws Exception {
    ScenarioCalls.assertWholeCallTiming(pbx);
  }

  /** What Master.csv says was called: a redirect rewrites dst in every row. */
  static final Map<String, String> CALLED = Map.of("814", "xfer-same", "815", "xfer-same", "816", "816", "820", "820", "830", "park");

  /** A redirect rewrites dst in every row: the extension that ran Park() (park), the transfer target (xfer-same). */
  @Test
  void callers_answered_with_the_cdrs_called_number() throws Exception {
    List<String> wrong = new ArrayList<>();
    for (String uid : pbx.masterCsvCalls().keySet()) {
      String status = pbx.object(uid).orElseThrow().first("status");
      var c = pbx.storedCall(uid).orElseThrow();
      String flow = c.userfield().substring(3, 6);
      if (!"answered".equals(status)) wrong.add(flow + " " + uid + ": " + status);
      if (!CALLED.get(flow).equals(c.extension())) wrong.add(flow + " " + uid + ": called " + c.extension());
    }
    assertEquals(List.of(), wrong);
  }
}
