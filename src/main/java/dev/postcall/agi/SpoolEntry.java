package dev.postcall.agi;

import dev.postcall.call.CallRecord;
import java.time.Instant;

/**
 * One spooled hangup event, one JSON line. Times as ISO-8601 strings (no extra Jackson module);
 * {@code v} versions the line format; {@code reason} says why it was spooled. {@code pbxId} is the
 * PBX the hangup came from; a line written before it was part of the format has none, and is this
 * node's PBX's (the spool is this node's).
 */
record SpoolEntry(int v, String spooledAt, String reason, String uniqueid, String linkedid, String channel,
    String dstChannel, String callerNumber, String callerName, String extension, String context,
    String start, String answer, String end, Integer duration, Integer billsec, String disposition,
    String dialStatus, String recording, String accountcode, String userfield, String agent, String pbxId) {

  static SpoolEntry of(CallRecord c, Instant at, String reason) {
    return new SpoolEntry(1, at.toString(), reason, c.uniqueid(), c.linkedid(), c.channel(), c.dstChannel(),
        c.callerNumber(), c.callerName(), c.extension(), c.context(), str(c.start()), str(c.answer()),
        str(c.end()), c.duration(), c.billsec(), c.disposition(), c.dialStatus(), c.recording(),
        c.accountcode(), c.userfield(), c.agent(), c.pbxId());
  }

  /**
   * The call again, of PBX {@code thisPbx} when the line names none; throws IllegalArgumentException
   * on a line that is not a valid event.
   */
  CallRecord call(String thisPbx) {
    if (v != 1) throw new IllegalArgumentException("unknown spool line version " + v);
    return new CallRecord(uniqueid, linkedid, channel, dstChannel, callerNumber, callerName, extension,
        context, instant(start), instant(answer), instant(end), duration, billsec, disposition, dialStatus,
        recording, accountcode, userfield, CallRecord.Source.AGI, agent, pbxId == null ? thisPbx : pbxId);
  }

  private static String str(Instant t) {
    return t == null ? null : t.toString();
  }

  private static Instant instant(String s) {
    try {
      return s == null ? null : Instant.parse(s);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("bad time '" + s + "'", e);
    }
  }
}
