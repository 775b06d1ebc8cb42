package dev.postcall.agi;

import dev.postcall.SafeText;
import dev.postcall.agi.HangupQuery.Field;
import dev.postcall.cdr.CdrNotices;
import dev.postcall.call.CallRecord;
import dev.postcall.queue.Uniqueids;
import dev.postcall.route.AgentName;
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

  /** {@code leg}: the channel is a callee leg of someone else's call ({@link Uniqueids#isLeg}), not a call. */
  record Built(CallRecord call, List<String> warnings, boolean leg) {
    Built(CallRecord call, List<String> warnings) {
      this(call, warnings, false);
    }
  }

  private final ZoneId zone;
  private final CdrNotices notices;
  private final String pbxId;

  HangupCallBuilder(ZoneId zone) {
    this(zone, new CdrNotices());
  }

  HangupCallBuilder(ZoneId zone, CdrNotices notices) {
    this(zone, notices, dev.postcall.config.PostcallConfig.Pbx.defaultId());
  }

  /** {@code pbxId}: the PBX whose hangups this node captures (pbx.id), stored with every call. */
  HangupCallBuilder(ZoneId zone, CdrNotices notices, String pbxId) {
    this.zone = zone;
    this.notices = notices;
    this.pbxId = pbxId;
  }

  Built build(Env env, Map<Field, String> v) {
    List<String> w = new ArrayList<>();
    String dst = v.get(Field.DST);
    // Inside h, the environment's extension is "h" (and "s" in a pushed hangup handler): the
    // dialled extension is the one the dialplan kept at the call's start (a transfer rewrites dst),
    // else the CDR's dst — except with endbeforehexten=no, where dst is "h" too.
    String dialled = v.get(Field.DIALLED);
    checkDialledCopy(dialled, v.get(Field.CALL_START));
    String extension = usable(dialled) ? dialled : usable(dst) ? dst : usable(env.extension()) ? env.extension() : null;
    String context = v.getOrDefault(Field.DCONTEXT, env.context());
    String recording = env.recordingArg() != null ? env.recordingArg() : v.get(Field.RECORDING);
    checkRecording(recording, w);
    // a picker's h runs on a channel a pickup renamed: its own uniqueid is the one it started with
    String first = v.get(Field.FIRST_UNIQUEID);
    boolean pickedUp = first != null && !first.equals(env.uniqueid()) && Uniqueids.created(first) != null
        && Uniqueids.created(env.uniqueid()) != null && !Text.hasControl(first) && first.length() <= 150;
    String uniqueid = pickedUp ? first : env.uniqueid();
    Timing t = timing(uniqueid, pickedUp, v, w);
    CallRecord call = new CallRecord(
        text("uniqueid", uniqueid, 150, w),
        text("linkedid", v.get(Field.LINKEDID), 150, w),
        text("channel", env.channel(), 255, w),
        text("dstchannel", v.get(Field.DSTCHANNEL), 255, w),
        text("caller number", env.callerNumber(), 80, w),
        text("caller name", env.callerName(), 255, w),
        text("extension", extension, 80, w),
        text("context", context, 80, w),
        t.start(), t.answer(), t.end(), t.duration(), t.billsec(),
        text("disposition", v.get(Field.DISPOSITION), 32, w),
        text("DIALSTATUS", pickedUp ? "ANSWER" : outcome(v), 32, w),
        recording,
        text("accountcode", env.accountcode(), 80, w),
        text("userfield", v.get(Field.USERFIELD), 255, w),
        CallRecord.Source.AGI,
        text("agent", agent(v), 255, w),
        pbxId);
    // postcall-dialled runs where calls enter from outside: such a channel is a person's call even
    // when a bridge (a retrieved park, a pickup) gave it another call's linkedid
    boolean caller = usable(dialled) || pickedUp;
    return new Built(call, List.copyOf(w), !caller && Uniqueids.isLeg(call.uniqueid(), call.linkedid(), call.channel()));
  }

  private record Timing(Instant start, Instant answer, Instant end, Integer duration, Integer billsec) {}

  /**
   * The whole call's timing. Inside {@code h} (and the hangup handler) {@code CDR()} is the call's
   * last CDR part: after a Dial that returned and a dialplan that went on, it starts when Dial
   * returned. The shipped dialplan's postcall-dialled keeps the first part's start (POSTCALL_START):
   * the call starts there. When the last part starts in a later second, the call lasts from that
   * start's second to the last part's end's (whole seconds, as Master.csv's rows of several parts
   * give it); in the same second, the last part's own duration is the call's. Without that value
   * (an older copy of the dialplan) the start is guessed from the second the uniqueid names. The
   * times are read as epochs ({@code CDR(x,u)}), so no zone applies; local times are the fallback
   * for an Asterisk that does not answer those.
   */
  private Timing timing(String uniqueid, boolean pickedUp, Map<Field, String> v, List<String> w) {
    Instant partStart = epoch(v.get(Field.START_EPOCH));
    if (partStart != null) checkZone(v.get(Field.START), partStart);
    else partStart = time("CDR(start)", v.get(Field.START), w);
    Instant answer = epoch(v.get(Field.ANSWER_EPOCH));
    if (answer == null) answer = time("CDR(answer)", v.get(Field.ANSWER), w);
    Instant end = epoch(v.get(Field.END_EPOCH));
    if (end == null) end = time("CDR(end)", v.get(Field.END), w);
    Integer duration = number("CDR(duration)", v.get(Field.DURATION), w);
    Integer billsec = number("CDR(billsec)", v.get(Field.BILLSEC), w);
    // a queue's last part is the last member rung (NO ANSWER, billsec 0): the bridge's talk time is the call's
    Integer talked = answeredTime(v);
    if (talked != null && (billsec == null || billsec < talked)) billsec = talked;
    // the part Hangup() opened after Dial returned has no end inside h yet: it ends as it starts
    // (with endbeforehexten=no, dst reads h and the CDR is not final at all: no end is made up then)
    if (end == null && partStart != null && duration != null && v.get(Field.START_EPOCH) != null
        && v.get(Field.DST) != null && !v.get(Field.DST).equals("h"))
      end = partStart.plusSeconds(duration);
    // the channel hung up well after its last CDR part ended (a retriever after ParkedCall's bridge,
    // whose talk Asterisk writes into the parked caller's CDR): the call lasted until the hangup
    Instant now = epoch(v.get(Field.NOW));
    if (end != null && now != null && now.getEpochSecond() - end.getEpochSecond() >= 2
        && now.isBefore(end.plus(MAX_CALL))) {
      if (answer != null && billsec != null) billsec = Math.max(billsec, (int) (now.getEpochSecond() - answer.getEpochSecond()));
      end = now;
      if (partStart != null) duration = (int) (now.getEpochSecond() - partStart.getEpochSecond());
    }
    Instant created = Uniqueids.created(uniqueid);
    // a picker's CDR() is the picked-up leg's, begun before the picker was: its own start bounds nothing
    Instant bound = !pickedUp ? partStart : end != null ? end : now;
    Instant first = firstPartStart(v.get(Field.CALL_START), created, bound, pickedUp ? "call's end" : "last CDR part's start", w);
    if (first != null) {
      if (partStart != null && first.getEpochSecond() == partStart.getEpochSecond() && !partStart.isBefore(first))
        return new Timing(first, answer, end, duration, billsec);
      Integer whole = end == null ? duration : Integer.valueOf((int) (end.getEpochSecond() - first.getEpochSecond()));
      return new Timing(first, answer, end, whole, billsec);
    }
    if (created == null || partStart == null || created.isAfter(partStart.plusSeconds(1))
        || partStart.isAfter(created.plus(MAX_CALL))) return new Timing(partStart, answer, end, duration, billsec);
    // without POSTCALL_START: the CDR engine stamps its start milliseconds after the uniqueid was
    // named, sometimes across a second; a Dial that failed at once and the part after it start later
    // than that (CI: 200 ms) — a guess that a Dial failing within it, or a start stamped later, defeats
    if (partStart.isBefore(created.plusSeconds(1).plus(CDR_START_SLIP))) return new Timing(partStart, answer, end, duration, billsec);
    Integer whole = end == null ? duration : Integer.valueOf((int) (end.getEpochSecond() - created.getEpochSecond()));
    return new Timing(created, answer, end, whole, billsec);
  }

  /**
   * postcall-dialled ran but kept no POSTCALL_START: the PBX has a copy of it from before that line,
   * and every call whose Dial fails near a second boundary gets a start a second off. Said once (log
   * and /ready), cleared when the line arrives.
   */
  private void checkDialledCopy(String dialled, String callStart) {
    if (dialled == null || dialled.isEmpty()) return;
    if (callStart != null) {
      notices.clear(OLD_DIALLED, "postcall-dialled now keeps POSTCALL_START: call starts are exact again");
      return;
    }
    notices.notice(OLD_DIALLED, "the PBX's [postcall-dialled] keeps no POSTCALL_START (a copy from before that line):"
        + " call starts are guessed from the uniqueid and can be a second off — add its third line from"
        + " conf/asterisk/extensions_postcall.conf and run 'dialplan reload'");
  }

  private static final String OLD_DIALLED = "agi-old-dialled";

  /**
   * POSTCALL_START when it can be this call's first part's start: not after {@code bound} (the last
   * part's start; a picker's end), not before the second the uniqueid names (less a second's
   * leeway), not more than MAX_CALL before the bound. Else null (and a warning when it was set): the
   * uniqueid's second is the guess.
   */
  private static Instant firstPartStart(String value, Instant created, Instant bound, String boundName, List<String> w) {
    // 0.000000: CDR(start,u) of a channel whose CDR was disabled at its entry — nothing to check
    if (value == null || value.isBlank() || value.trim().matches("0*(\\.0*)?")) return null;
    Instant first = epoch(value);
    String why = first == null ? "is not an epoch time"
        : bound == null ? null
        : first.isAfter(bound) ? "is after the " + boundName + " " + bound
        : created != null && first.isBefore(created.minus(START_LEEWAY)) ? "is before the channel was created (" + created + ")"
        : first.isBefore(bound.minus(MAX_CALL)) ? "is more than " + MAX_CALL.toDays() + " days before the " + boundName
        : "";
    if (why == null) return null; // nothing to check it against: the local-time fallback's guess stands
    if (why.isEmpty()) return first;
    w.add("POSTCALL_START '" + Text.printable(value) + "' " + why + " — start guessed from the uniqueid");
    return null;
  }

  /**
   * The call's outcome. DIALSTATUS is the last Dial's; Queue() sets none, and a call that talked and
   * then went on to a Dial that failed was still answered. ANSWEREDTIME (set by Dial and Queue when
   * the caller was bridged to an answering party) says a part was answered; QUEUESTATUS why a queue
   * gave up. Without any of them the mapping falls back to the CDR disposition.
   */
  static String outcome(Map<Field, String> v) {
    String dial = v.get(Field.DIALSTATUS);
    Integer talked = answeredTime(v);
    if (talked != null && talked > 0) return "ANSWER";
    if (dial != null && !dial.isBlank()) return dial;
    String queue = v.get(Field.QUEUESTATUS);
    if (queue == null || queue.isBlank()) return dial;
    return switch (queue.trim().toUpperCase(java.util.Locale.ROOT)) {
      case "FULL", "JOINEMPTY", "JOINUNAVAIL", "LEAVEEMPTY", "LEAVEUNAVAIL" -> "CHANUNAVAIL";
      default -> "NOANSWER"; // TIMEOUT, WITHDRAW, CONTINUE: nobody answered
    };
  }

  /**
   * Who answered, as an interface without the channel's sequence number: the queue member when
   * app_queue connected one, else the peer that answered Dial (DIALEDPEERNAME: with several parties
   * rung, CDR() in h is the last one's row), else the CDR's dstchannel of a call that was answered;
   * null when nobody answered.
   */
  static String agent(Map<Field, String> v) {
    String member = AgentName.ofMember(v.get(Field.MEMBERINTERFACE));
    if (member != null) return member;
    String peer = AgentName.of(v.get(Field.DIALEDPEERNAME));
    if (peer != null) return peer;
    return "ANSWER".equals(outcome(v)) ? AgentName.of(v.get(Field.DSTCHANNEL)) : null;
  }

  private static Integer answeredTime(Map<Field, String> v) {
    String s = v.get(Field.ANSWEREDTIME);
    if (s == null || s.isBlank()) return null;
    try {
      int n = Integer.parseInt(s.trim());
      return n >= 0 ? n : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static final java.time.Duration MAX_CALL = java.time.Duration.ofDays(2);
  private static final java.time.Duration CDR_START_SLIP = java.time.Duration.ofMillis(100);
  /** The CDR engine stamps a channel's first part after the channel is named; a second's leeway for a stepped clock. */
  private static final java.time.Duration START_LEEWAY = java.time.Duration.ofSeconds(1);

  /**
   * {@code CDR(start)} is the PBX's local wall clock whatever usegmtime says (that only changes
   * Master.csv): compared with the same moment as an epoch it tells the PBX's real UTC offset.
   */
  private void checkZone(String local, Instant epoch) {
    if (local == null || local.isBlank()) return;
    LocalDateTime wall;
    try {
      wall = LocalDateTime.parse(local.trim(), CDR_TIME);
    } catch (DateTimeParseException e) {
      return;
    }
    long pbx = wall.toEpochSecond(java.time.ZoneOffset.UTC) - epoch.getEpochSecond();
    long configured = zone.getRules().getOffset(epoch).getTotalSeconds();
    if (Math.abs(pbx - configured) <= 1) return;
    long rounded = Math.round(pbx / 900.0) * 900;
    notices.notice("agi-zone", "the PBX's CDR times are UTC" + offset(rounded)
        + " but cdr.timezone=" + zone.getId() + " is UTC" + offset(configured)
        + " now: set cdr.timezone to the PBX's zone (CDR(start) over AGI is the PBX's local time whatever"
        + " usegmtime says). Times read over AGI are epochs and stay right");
  }

  private static String offset(long seconds) {
    if (seconds == 0) return "+00:00";
    return Math.abs(seconds) <= 18 * 3600 ? java.time.ZoneOffset.ofTotalSeconds((int) seconds).getId() : seconds + " s";
  }

  /** {@code 1796585202.476188}; Asterisk answers {@code 0.000000} for an unset time. */
  private static Instant epoch(String s) {
    if (s == null || s.isBlank()) return null;
    try {
      java.math.BigDecimal d = new java.math.BigDecimal(s.trim());
      if (d.signum() <= 0) return null;
      long sec = d.longValue();
      long micros = d.subtract(java.math.BigDecimal.valueOf(sec)).movePointRight(6).longValue();
      return Instant.ofEpochSecond(sec, micros * 1000);
    } catch (NumberFormatException | ArithmeticException e) {
      return null;
    }
  }

  /** {@code h} and {@code s} are where Asterisk runs dialplan, never a number anyone dialled. */
  private static boolean usable(String ext) {
    return ext != null && !ext.isBlank() && !ext.equals("h") && !ext.equals("s");
  }

  /** Control characters would break log lines and the SOAP XML: replaced; length is noted. */
  private static String text(String what, String s, int max, List<String> w) {
    if (s == null || s.isEmpty()) return null;
    if (Text.hasControl(s)) {
      w.add(what + " contains control characters (replaced by U+FFFD)");
      // C1 too (0x9B is a one-byte CSI): the same cleaning as Master.csv's, so both sources agree on the uniqueid
      s = SafeText.clean(s);
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
