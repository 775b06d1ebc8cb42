package dev.postcall.agi;

import dev.postcall.agi.HangupQuery.Field;
import dev.postcall.queue.CallRecord;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns a hangup session's values into a {@link CallRecord}, normalising and noting (never
 * refusing) anything odd: the call is always kept; each oddity becomes a warning for the log.
 */
final class HangupCallBuilder {
  private static final DateTimeFormatter CDR_TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss[.SSSSSS]");

  /** What the {@code agi_*} environment and {@code KEY=value} arguments said. */
  record Env(String uniqueid, String channel, String callerNumber, String callerName, String extension,
      String context, String accountcode, String recordingArg) {}

  record Built(CallRecord call, List<String> warnings) {}

  private final ZoneId zone;

  HangupCallBuilder(ZoneId zone) {
    this.zone = zone;
  }

  Built build(Env env, Map<Field, String> v) {
    List<String> w = new ArrayList<>();
    String dst = v.get(Field.DST);
    // Inside h, the environment's extension is "h" (and "s" in a pushed hangup handler): the
    // dialled extension is the CDR's dst — except with endbeforehexten=no, where dst is "h" too.
    String extension = usable(dst) ? dst : usable(env.extension()) ? env.extension() : null;
    String context = v.getOrDefault(Field.DCONTEXT, env.context());
    String recording = env.recordingArg() != null ? env.recordingArg() : v.get(Field.RECORDING);
    checkRecording(recording, w);
    CallRecord call = new CallRecord(
        text("uniqueid", env.uniqueid(), 150, w),
        text("linkedid", v.get(Field.LINKEDID), 150, w),
        text("channel", env.channel(), 255, w),
        text("dstchannel", v.get(Field.DSTCHANNEL), 255, w),
        text("caller number", env.callerNumber(), 80, w),
        text("caller name", env.callerName(), 255, w),
        text("extension", extension, 80, w),
        text("context", context, 80, w),
        time("CDR(start)", v.get(Field.START), w),
        time("CDR(answer)", v.get(Field.ANSWER), w),
        time("CDR(end)", v.get(Field.END), w),
        number("CDR(duration)", v.get(Field.DURATION), w),
        number("CDR(billsec)", v.get(Field.BILLSEC), w),
        text("disposition", v.get(Field.DISPOSITION), 32, w),
        text("DIALSTATUS", v.get(Field.DIALSTATUS), 32, w),
        recording,
        text("accountcode", env.accountcode(), 80, w),
        text("userfield", v.get(Field.USERFIELD), 255, w),
        CallRecord.Source.AGI);
    return new Built(call, List.copyOf(w));
  }

  private static boolean usable(String ext) {
    return ext != null && !ext.isBlank() && !ext.equals("h");
  }

  /** Control characters would break log lines and the SOAP XML: replaced; length is noted. */
  private static String text(String what, String s, int max, List<String> w) {
    if (s == null || s.isEmpty()) return null;
    if (Text.hasControl(s)) {
      w.add(what + " contains control characters (replaced by U+FFFD)");
      s = s.replaceAll("\\p{Cntrl}", "\uFFFD");
    }
    if (s.length() > max) w.add(what + " is " + s.length() + " characters, stored cut to " + max);
    return s;
  }

  /**
   * The recording name comes from the dialplan; it is stored as given (the worker resolves it
   * inside the recordings root and refuses anything outside with a visible reason), but an
   * obviously hostile one is worth a warning now.
   */
  private static void checkRecording(String r, List<String> w) {
    if (r == null) return;
    if (Text.hasControl(r)) w.add("recording name contains control characters: " + Text.printable(r));
    if (r.equals("..") || r.startsWith("../") || r.contains("/../") || r.endsWith("/.."))
      w.add("recording name '" + Text.printable(r) + "' climbs out with '..' — the worker will refuse it");
    if (r.length() > 1024) w.add("recording name is " + r.length() + " characters, stored cut to 1024");
  }

  private Instant time(String what, String s, List<String> w) {
    if (s == null || s.isBlank()) return null; // unanswered: no answer time; endbeforehexten=no: no end
    try {
      // CDR times are the PBX's local wall clock (unless usegmtime=yes, then configure UTC).
      return LocalDateTime.parse(s.trim(), CDR_TIME).atZone(zone).toInstant();
    } catch (DateTimeParseException e) {
      w.add(what + " '" + Text.printable(s) + "' is not a time — stored empty");
      return null;
    }
  }

  private static Integer number(String what, String s, List<String> w) {
    if (s == null || s.isBlank()) return null;
    try {
      int n = Integer.parseInt(s.trim());
      if (n >= 0) return n;
    } catch (NumberFormatException e) {
      // reported below
    }
    w.add(what + " '" + Text.printable(s) + "' is not a number of seconds — stored empty");
    return null;
  }
}
