package dev.postcall.admin;

import dev.postcall.call.CallRecord;
import java.time.Instant;
import java.util.List;

/** A call with its delivery job and every attempt, for {@code failed show} and the call's page. */
public record CallDetail(CallRecord call, Instant receivedAt, String state, String stage, String failedStage,
    int attempts, Instant nextAttemptAt, String mp3Path, String objectref, String lastError, String discardedBy,
    String discardReason, Instant createdAt, Instant updatedAt, Instant doneAt, List<Attempt> history) {

  /** One row of {@code job_events}. */
  public record Attempt(Instant at, int attempt, String stage, String outcome, String message) {}
}
