package dev.postcall.admin;

import java.time.Instant;

/** One line of the failed-upload queue; {@code pbxId}: the PBX of the call. */
public record FailedRow(String uniqueid, String callerNumber, String calledNumber, Instant start, String stage,
    int attempts, String lastError, Instant failedAt, String pbxId) {
  /** How admins name this call (uniqueid@pbx). */
  public dev.postcall.call.CallRef ref() {
    return new dev.postcall.call.CallRef(pbxId, uniqueid);
  }
}
