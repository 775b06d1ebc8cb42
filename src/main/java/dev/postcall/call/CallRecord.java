package dev.postcall.call;

import java.time.Instant;

/**
 * A finished call as postcall stores it. Times are instants (the CDR's local times already
 * converted); {@code answer} is null for unanswered calls, {@code end} may be null when Asterisk
 * runs with {@code endbeforehexten=no}; {@code dialStatus} is null when the call never ran Dial.
 * {@code agent} is who answered, as the dialplan can dial them again ({@code PJSIP/201}, a queue
 * member's interface), null when nobody did.
 */
public record CallRecord(
    String uniqueid,
    String linkedid,
    String channel,
    String dstChannel,
    String callerNumber,
    String callerName,
    String extension,
    String context,
    Instant start,
    Instant answer,
    Instant end,
    Integer duration,
    Integer billsec,
    String disposition,
    String dialStatus,
    String recording,
    String accountcode,
    String userfield,
    Source source,
    String agent) {

  public enum Source { AGI, CSV }

  /** A call nobody is known to have answered (no agent). */
  public CallRecord(String uniqueid, String linkedid, String channel, String dstChannel, String callerNumber,
      String callerName, String extension, String context, Instant start, Instant answer, Instant end, Integer duration,
      Integer billsec, String disposition, String dialStatus, String recording, String accountcode, String userfield,
      Source source) {
    this(uniqueid, linkedid, channel, dstChannel, callerNumber, callerName, extension, context, start, answer, end,
        duration, billsec, disposition, dialStatus, recording, accountcode, userfield, source, null);
  }

  public CallRecord {
    if (uniqueid == null || uniqueid.isBlank()) throw new IllegalArgumentException("uniqueid is required");
    if (source == null) throw new IllegalArgumentException("source is required");
  }

  /** The outcome the status mapping reads: DIALSTATUS when set, else the CDR disposition. */
  public String outcome() {
    return dialStatus != null && !dialStatus.isBlank() ? dialStatus : disposition;
  }
}
