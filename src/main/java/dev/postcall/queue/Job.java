package dev.postcall.queue;

import java.time.Instant;

/**
 * A claimed delivery job with its call. {@code version} is the row version this worker holds: every
 * update it makes requires it, so a worker whose lease expired and was taken over cannot overwrite
 * the new owner's progress.
 */
public record Job(
    long id,
    long callId,
    Stage stage,
    int attempts,
    long version,
    String mp3Path,
    String objectref,
    Instant attachedAt,
    Instant createdAt,
    CallRecord call) {

  public String uniqueid() {
    return call.uniqueid();
  }

  Job advanced(Stage next, String mp3, String ref, Instant attached) {
    return new Job(id, callId, next, attempts, version + 1, mp3, ref, attached, createdAt, call);
  }
}
