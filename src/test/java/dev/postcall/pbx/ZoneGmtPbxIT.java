package dev.postcall.pbx;

import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Asterisk in Europe/Berlin with usegmtime=yes (as Asterisk's sample cdr.conf ships it) and
 * cdr.timezone=Europe/Berlin, csv.usegmtime left unset: CDR(start) over AGI is still Berlin time
 * (no notice), Master.csv is UTC — read as Berlin it is an hour off, noticed and corrected.
 */
class ZoneGmtPbxIT {
  @RegisterExtension static final RealPbx pbx = RealPbx.with("pbx/postcall-test.conf")
      .tz("Europe/Berlin").usegmtime(true);

  @BeforeAll
  static void placeCalls() {
    PbxZones.placeAndSettle(pbx);
  }

  @Test
  void right_times_with_usegmtime() throws Exception {
    ScenarioCalls.assertWholeCallTiming(pbx);
    ScenarioCalls.assertOneObjectPerCallAndNoLeg(pbx);
  }

  @Test
  void only_master_csv_is_off_and_that_is_reported_once() {
    PbxZones.assertNotices(pbx, List.of("Master.csv times are -1h off"));
  }
}
