package dev.postcall.queue;

import dev.postcall.call.CallRecord;

import java.time.Instant;

/**
 * A claimed delivery job with its call. {@code version} is the row version this worker holds: every
 * update it makes requires it, so a worker whose lease expired and was taken over cannot overwrite
 * the new owner's progress. {@code createInDoubtAt}: when a create of this job was last sent
 * without an answer (null if never) — the incident system may carry it out later. Stored on the
 * database's clock; here on this node's (now minus how long ago it was on the database's).
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
    CallRecord call,
    Instant createInDoubtAt) {

  /** A job whose create was never in doubt. */
  public Job(long id, long callId, Stage stage, int attempts, long version, String mp3Path, String objectref,
      Instant attachedAt, Instant createdAt, CallRecord call) {
    this(id, callId, stage, attempts, version, mp3Path, objectref, attachedAt, createdAt, call, null);
  }

  public String uniqueid() {
    return call.uniqueid();
  }

  Job advanced(Stage next, String mp3, String ref, Instant attached) {
    return new Job(id, callId, next, attempts, version + 1, mp3, ref, attached, createdAt, call, createInDoubtAt);
  }
}
