package dev.postcall.queue;

/** A {@code job_events} row's {@code outcome}: how an attempt, or an admin's action on the job, ended. */
public enum JobEventOutcome {
  /** Delivered; the job is DONE. */
  DONE,
  /** Delivered after a create that went unanswered: the job waits at RECONCILE. */
  DELIVERED,
  /** A transient error: due again after the backoff. */
  RETRY,
  /** Not ready yet (the recording is still written) or stopping: due again, no attempt used. */
  POSTPONED,
  /** Into the failed-upload queue. */
  FAILED,
  /** An admin sent a failed or discarded job back to the queue. */
  RETRY_BY_ADMIN,
  /** An admin closed a failed job for good. */
  DISCARDED
}
