package dev.postcall.admin;

import dev.postcall.call.CallRecord;
import java.time.Instant;
import java.util.List;

/** A call with its delivery job and every attempt, for {@code failed show} and the call's page. */
public record CallDetail(CallRecord call, Instant receivedAt, String state, String stage, String failedStage,
    int attempts, Instant nextAttemptAt, String mp3Path, String objectref, String lastError, String discardedBy,
    String discardReason, Instant createdAt, Instant updatedAt, Instant doneAt, RecordingFlags recordingFlags,
    List<Attempt> history) {

  /**
   * What the worker found wrong with the delivered recording: much shorter than the answered time,
   * or written by two MixMonitors on one file (its first part lost, a later part twice).
   */
  public record RecordingFlags(boolean shortOfCall, boolean overwritten) {
    /** One line for people, null when nothing is flagged. */
    public String describe() {
      if (!shortOfCall && !overwritten) return null;
      List<String> out = new java.util.ArrayList<>();
      if (overwritten) out.add("overwritten: two MixMonitors wrote one file, the call's first part is lost and a later part repeats");
      if (shortOfCall) out.add("short: the recording covers much less than the answered time");
      return String.join("; ", out);
    }
  }

  /** One row of {@code job_events}. */
  public record Attempt(Instant at, int attempt, String stage, String outcome, String message) {}
}
