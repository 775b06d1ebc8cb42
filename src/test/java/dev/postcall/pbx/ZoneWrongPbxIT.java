package dev.postcall.pbx;

import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Asterisk in Europe/Berlin with usegmtime=no, postcall told cdr.timezone=UTC: both the AGI path
 * and Master.csv notice the zone by the uniqueids' clock, say so once, and store the right times.
 */
class ZoneWrongPbxIT {
  @RegisterExtension static final RealPbx pbx = RealPbx.with("pbx/postcall-test.conf")
      .tz("Europe/Berlin").setting("cdr.timezone", "UTC");

  @BeforeAll
  static void placeCalls() {
    PbxZones.placeAndSettle(pbx);
  }

  @Test
  void right_times_whatever_the_configured_zone() throws Exception {
    ScenarioCalls.assertWholeCallTiming(pbx);
    ScenarioCalls.assertOneObjectPerCallAndNoLeg(pbx);
  }

  @Test
  void the_wrong_zone_is_reported_once_for_each_source() {
    PbxZones.assertNotices(pbx, List.of("the PBX's CDR times are UTC+01:00 but cdr.timezone=UTC", "Master.csv times are +1h off"));
  }
}
