package dev.postcall.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Writes a Master.csv the way a real Asterisk does (NOTES.md): per call the Local {@code ;1} half,
 * the callee leg in {@code rig-callee}, the caller's Dial row and its Hangup row (same uniqueid) —
 * four lines per call in context {@code rig}; or, with {@code callsOnly}, just one Dial row per
 * call (every line a new call, for measuring the store).
 */
public final class MasterCsvGenerator {
  private static final DateTimeFormatter T = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
  private static final String[] DISPOSITIONS = {"ANSWERED", "BUSY", "NO ANSWER", "CONGESTION", "FAILED"};

  private MasterCsvGenerator() {}

  /** Writes {@code lines} lines; returns the number of calls in them. */
  public static long write(Path file, long lines, boolean callsOnly) throws IOException {
    LocalDateTime t0 = LocalDateTime.of(2026, 11, 1, 8, 0);
    long calls = 0;
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      long written = 0;
      for (long i = 0; written < lines; i++) {
        LocalDateTime start = t0.plusSeconds(i / 4);
        String s = T.format(start);
        String e = T.format(start.plusSeconds(i % 60));
        String disp = DISPOSITIONS[(int) (i % DISPOSITIONS.length)];
        String ext = String.valueOf(100 + i % 900);
        String uid = (1795000000L + i / 4) + "." + i;
        String local = String.format("%08x", i);
        String answer = disp.equals("ANSWERED") ? "\"" + s + "\"" : "";
        int duration = (int) (i % 60);
        int billsec = disp.equals("ANSWERED") ? duration : 0;
        String dial = "\"\",\"555" + ext + "\",\"" + ext + "\",\"rig\",\"\"\"Caller " + i + "\"\" <555" + ext + ">\",\"Local/"
            + ext + "@rig-" + local + ";2\",\"Local/ring@rig-callee-" + local + ";1\",\"Dial\",\"Local/ring@rig-callee,20\",\""
            + s + "\"," + answer + ",\"" + e + "\"," + duration + "," + billsec + ",\"" + disp + "\",\"DOCUMENTATION\",\"" + uid
            + "\",\"rig-" + ext + "-" + uid + "\"\n";
        if (callsOnly) {
          w.write(dial);
          written++;
          calls++;
          continue;
        }
        String[] group = {
            "\"\",\"\",\"" + ext + "\",\"rig\",\"\"\"\"\" <>\",\"Local/" + ext + "@rig-" + local + ";1\",\"\",\"AppDial2\",\"(Outgoing Line)\",\""
                + s + "\"," + answer + ",\"" + e + "\"," + duration + "," + billsec + ",\"NO ANSWER\",\"DOCUMENTATION\",\"" + uid + "0\",\"\"\n",
            "\"\",\"555" + ext + "\",\"ring\",\"rig-callee\",\"\"\"Caller " + i + "\"\" <555" + ext + ">\",\"Local/ring@rig-callee-" + local
                + ";2\",\"\",\"Wait\",\"60\",\"" + s + "\"," + answer + ",\"" + e + "\"," + duration + "," + billsec + ",\"" + disp
                + "\",\"DOCUMENTATION\",\"" + uid + "1\",\"\"\n",
            dial,
            "\"\",\"555" + ext + "\",\"" + ext + "\",\"rig\",\"\"\"Caller " + i + "\"\" <555" + ext + ">\",\"Local/" + ext + "@rig-" + local
                + ";2\",\"\",\"Hangup\",\"\",\"" + e + "\",,\"" + e + "\",0,0,\"FAILED\",\"DOCUMENTATION\",\"" + uid + "\",\"rig-" + ext
                + "-" + uid + "\"\n"};
        for (String g : group) {
          if (written == lines) break;
          w.write(g);
          written++;
        }
        calls++;
      }
    }
    return calls;
  }
}
