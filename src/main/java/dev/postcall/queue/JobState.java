package dev.postcall.queue;

/** A job's {@code state} column: where it is in the queue (its {@link Stage} says what it does next). */
public enum JobState {
  /** Waiting for a worker, due at next_attempt_at. */
  PENDING,
  /** A worker holds it until lease_until. */
  CLAIMED,
  DONE,
  /** In the failed-upload queue, waiting for an admin. */
  FAILED,
  /** Closed for good by an admin. */
  DISCARDED
}
