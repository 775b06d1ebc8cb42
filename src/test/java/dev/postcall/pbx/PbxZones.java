package dev.postcall.pbx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

/** The calls of the time-zone classes: a few scenarios with one and several CDR parts. */
final class PbxZones {
  static final List<String> KIT = List.of("101", "200", "300", "600");
  static final List<String> LEGS = List.of("720");

  private PbxZones() {}

  static void placeAndSettle(RealPbx pbx) {
    ScenarioCalls.placeAndSettle(pbx, KIT, LEGS);
  }

  /** Exactly these notices (by what they start with), each once in the readiness detail. */
  static void assertNotices(RealPbx pbx, List<String> prefixes) {
    List<String> all = pbx.service().cdrNotices().all();
    assertEquals(prefixes.size(), all.size(), "notices: " + all);
    for (String p : prefixes) assertTrue(all.stream().anyMatch(n -> n.startsWith(p)), p + " in " + all);
    if (!prefixes.isEmpty()) assertTrue(pbx.service().cdrNotices().detail().startsWith("WARNING: "));
  }
}
