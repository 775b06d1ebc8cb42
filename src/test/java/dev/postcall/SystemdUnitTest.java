package dev.postcall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The shipped systemd unit, as {@code systemd-analyze security} rates it (offline: no running
 * systemd needed; scripts/test installs the tool). Below 4 is "OK".
 */
class SystemdUnitTest {
  static final Path UNIT = Path.of("scripts/postcall.service");
  static final Pattern OVERALL = Pattern.compile("Overall exposure level for postcall\\.service: (\\d+\\.\\d)");

  static String analyze() throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder("systemd-analyze", "security", "--offline=true", "--no-pager", UNIT.toString())
          .redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new AssertionError("systemd-analyze is missing: run scripts/test --setup (Debian package systemd)", e);
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "systemd-analyze did not finish");
    return out;
  }

  @Test
  void the_unit_rates_below_4() throws Exception {
    String out = analyze();
    Matcher m = OVERALL.matcher(out);
    assertTrue(m.find(), out);
    double score = Double.parseDouble(m.group(1));
    assertTrue(score < 4.0, "exposure " + score + ":\n" + out);
  }

  @Test
  void the_unit_keeps_what_the_jvm_and_the_recordings_need() throws Exception {
    List<String> lines = Files.readAllLines(UNIT).stream().map(String::strip).filter(l -> !l.startsWith("#")).toList();
    // the JIT writes code; Asterisk's recordings belong to another user; /proc/net tells the embedded server's port owner
    for (String off : List.of("MemoryDenyWriteExecute=", "ProtectProc=invisible", "PrivateUsers=", "ProcSubset=pid"))
      assertFalse(lines.stream().anyMatch(l -> l.startsWith(off) && !l.endsWith("=false") && !l.endsWith("=no")), off);
    assertTrue(lines.contains("UMask=0027"));
    assertTrue(lines.contains("ProtectSystem=strict"));
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("ReadWritePaths=") && l.contains("/var/lib/postcall")
        && l.contains("/var/spool/asterisk/monitor")));
    assertEquals(1, lines.stream().filter(l -> l.equals("CapabilityBoundingSet=")).count());
  }
}
