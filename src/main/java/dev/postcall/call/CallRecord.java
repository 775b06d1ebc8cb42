package dev.postcall.call;

import java.time.Instant;

/**
 * A finished call as postcall stores it. Times are instants (the CDR's local times already
 * converted); {@code answer} is null for unanswered calls, {@code end} may be null when Asterisk
 * runs with {@code endbeforehexten=no}; {@code dialStatus} is null when the call never ran Dial.
 * {@code agent} is who answered, as the dialplan can dial them again ({@code PJSIP/201}, a queue
 * member's interface), null when nobody did.
 * {@code pbxId} is the PBX that saw the call (pbx.id of the node that captured or tailed it): a
 * uniqueid is only unique per PBX, so a call is named by both ({@link #key()}). {@code ""} is a
 * call stored before calls carried their PBX, not yet adopted by one.
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
    String agent,
    String pbxId) {

  public enum Source { AGI, CSV }

  /** A call nobody is known to have answered (no agent), of PBX {@code pbxId}. */
  public CallRecord(String uniqueid, String linkedid, String channel, String dstChannel, String callerNumber,
      String callerName, String extension, String context, Instant start, Instant answer, Instant end, Integer duration,
      Integer billsec, String disposition, String dialStatus, String recording, String accountcode, String userfield,
      Source source, String pbxId) {
    this(uniqueid, linkedid, channel, dstChannel, callerNumber, callerName, extension, context, start, answer, end,
        duration, billsec, disposition, dialStatus, recording, accountcode, userfield, source, null, pbxId);
  }

  public CallRecord {
    if (uniqueid == null || uniqueid.isBlank()) throw new IllegalArgumentException("uniqueid is required");
    if (source == null) throw new IllegalArgumentException("source is required");
    if (pbxId == null) throw new IllegalArgumentException("pbxId is required");
  }

  /** What names a call: its PBX and its uniqueid there. */
  public record Key(String pbxId, String uniqueid) {
    @Override
    public String toString() {
      return pbxId.isEmpty() ? uniqueid : pbxId + "/" + uniqueid;
    }
  }

  public Key key() {
    return new Key(pbxId, uniqueid);
  }

  /** The outcome the status mapping reads: DIALSTATUS when set, else the CDR disposition. */
  public String outcome() {
    return dialStatus != null && !dialStatus.isBlank() ? dialStatus : disposition;
  }
}
