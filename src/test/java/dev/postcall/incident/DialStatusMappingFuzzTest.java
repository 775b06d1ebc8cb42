package dev.postcall.incident;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.config.PostcallConfig;
import dev.postcall.config.Settings;
import dev.postcall.fuzz.Fuzz;
import dev.postcall.fuzz.Inputs;
import dev.postcall.call.CallRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Fuzz target: the status mapping. Arbitrary DIALSTATUS and disposition strings (case,
 * whitespace, separators, unicode, null) never make it throw; the answer is always a configured
 * status value or the default; and a known outcome written in any spelling the config keys allow
 * still maps to its own status.
 */
class DialStatusMappingFuzzTest {
  private static final PostcallConfig CONFIG = PostcallConfig.from(Settings.of(Map.of()));
  private static final List<String> KNOWN = List.of("ANSWER", "BUSY", "NOANSWER", "CANCEL", "CONGESTION",
      "CHANUNAVAIL", "DONTCALL", "TORTURE", "INVALIDARGS", "ANSWERED", "NO ANSWER", "FAILED");

  private AutoCloseable quiet;
  private final ch.qos.logback.classic.Logger logger =
      (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(DialStatusMapping.class);
  /** The warnings, checked to be one short log line each, whatever the PBX sent. */
  private final ch.qos.logback.core.AppenderBase<ch.qos.logback.classic.spi.ILoggingEvent> oneLine =
      new ch.qos.logback.core.AppenderBase<>() {
        @Override
        protected void append(ch.qos.logback.classic.spi.ILoggingEvent e) {
          String m = e.getFormattedMessage();
          if (m.chars().anyMatch(c -> Character.isISOControl(c)) || m.length() > 2_000) badLines.add(m);
        }
      };
  private final List<String> badLines = new ArrayList<>();

  @BeforeEach
  void quiet() {
    quiet = Fuzz.quiet("dev.postcall.incident");
    oneLine.start();
    logger.addAppender(oneLine);
  }

  @AfterEach
  void loud() throws Exception {
    logger.detachAppender(oneLine);
    quiet.close();
  }

  @Test
  void any_outcome_maps_to_a_configured_status_or_the_default() {
    DialStatusMapping mapping = new DialStatusMapping(CONFIG.statusMap(), CONFIG.statusDefault());
    Set<String> allowed = new HashSet<>(CONFIG.statusMap().values());
    allowed.add(CONFIG.statusDefault());
    Fuzz fuzz = Fuzz.start("status-mapping", 20_000);
    for (int i = 0; i < fuzz.inputs(); i++) {
      if (!fuzz.runs(i)) continue;
      Random r = fuzz.random(i);
      // the key each value respells, or null for null/blank/arbitrary text
      String[] keys = new String[2];
      String dial = outcome(r, keys, 0);
      String disposition = outcome(r, keys, 1);
      fuzz.check(i, dial + " / " + disposition, () -> {
        String status = mapping.statusFor(call(dial, disposition));
        assertNotNull(status);
        assertTrue(allowed.contains(status), "'" + status + "' is not a configured status");
        boolean dialSet = dial != null && !dial.isBlank();
        String key = dialSet ? keys[0] : keys[1];
        if (key != null) assertEquals(CONFIG.statusMap().get(key.replace(' ', '_')), status, "respelled " + key);
        if (status.equals(CONFIG.statusDefault())) fuzz.rejected(); // unknown outcome: the default
        assertTrue(badLines.isEmpty(), "the warning is not one short log line: " + Inputs.show(badLines));
        if (!dialSet && (disposition == null || disposition.isBlank()))
          assertEquals(CONFIG.statusDefault(), status, "no outcome at all");
      });
      fuzz.ran();
    }
    fuzz.finish();
  }

  @Test
  void generated_mapping_tables_never_throw_and_answer_from_the_table() {
    Fuzz fuzz = Fuzz.start("status-mapping-tables", 5_000);
    for (int i = 0; i < fuzz.inputs(); i++) {
      if (!fuzz.runs(i)) continue;
      Random r = fuzz.random(i);
      Map<String, String> table = new java.util.HashMap<>();
      int n = r.nextInt(6);
      for (int k = 0; k < n; k++) table.put(r.nextBoolean() ? Inputs.pick(r, KNOWN) : Inputs.text(r, 12), "s" + k);
      String dflt = "default-" + i;
      List<String> outcomes = new ArrayList<>(table.keySet());
      String dial = r.nextBoolean() && !outcomes.isEmpty() ? respell(r, Inputs.pick(r, outcomes)) : outcome(r);
      fuzz.check(i, table + " <- " + dial, () -> {
        DialStatusMapping m = new DialStatusMapping(table, dflt);
        String status = m.statusFor(call(dial, null));
        assertTrue(status.equals(dflt) || table.containsValue(status), status);
        if (status.equals(dflt)) fuzz.rejected();
      });
      fuzz.ran();
    }
    fuzz.finish();
  }

  /** A known key in another spelling (noted in {@code keys[k]}), null, blank, or arbitrary text. */
  private static String outcome(Random r, String[] keys, int k) {
    switch (r.nextInt(6)) {
      case 0: return null;
      case 1: return Inputs.pick(r, "", " ", "\t", "\n");
      case 2: case 3:
        keys[k] = Inputs.pick(r, KNOWN);
        return respell(r, keys[k]);
      case 4: return r.nextInt(20) == 0 ? Inputs.huge(r, 100_000) : Inputs.text(r, 30);
      default: return Inputs.pick(r, KNOWN).toLowerCase(Locale.ROOT) + Inputs.text(r, 3);
    }
  }

  private static String outcome(Random r) {
    return outcome(r, new String[1], 0);
  }

  /** Case, surrounding whitespace, and space written as runs of space, tab, _ or -. */
  static String respell(Random r, String key) {
    StringBuilder b = new StringBuilder(Inputs.pick(r, "", " ", "  ", "\t", "\r\n"));
    for (char c : key.toCharArray()) {
      if (c == ' ' || c == '_' || c == '-') {
        int n = 1 + r.nextInt(3);
        for (int k = 0; k < n; k++) b.append(Inputs.pick(r, " ", "_", "-", "\t"));
      } else {
        b.append(r.nextBoolean() ? Character.toLowerCase(c) : Character.toUpperCase(c));
      }
    }
    return b.append(Inputs.pick(r, "", " ", "\n")).toString();
  }

  static CallRecord call(String dialStatus, String disposition) {
    return new CallRecord("1795386559.69", null, "Local/101@rig-00000001;2", null, "2001", null, "101",
        "rig", Instant.parse("2026-11-23T10:00:00Z"), null, null, 0, 0, disposition, dialStatus, null,
        null, null, CallRecord.Source.AGI, dev.postcall.config.PostcallConfig.Pbx.defaultId());
  }
}
