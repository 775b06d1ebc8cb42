package dev.postcall.queue;

/** The steps of a delivery job, in order. A job's {@code stage} is the next step to run. */
public enum Stage {
  /** Wait until Asterisk has closed the WAV. */
  WAIT,
  /** WAV → MP3. */
  CONVERT,
  /** Create the call object at the incident system (or find the one a lost response created). */
  CREATE,
  /** Attach the MP3 to the object. */
  ATTACH,
  /** Archive the MP3, delete the WAV. */
  CLEANUP,
  /**
   * Only after a create that went unanswered, due incident.reconcile-after past delivery: look the
   * call up once more and remove any second object the unanswered request made after all.
   */
  RECONCILE,
  DONE;

  public static Stage first() {
    return WAIT;
  }

  /**
   * Whether the incident system may have (or be about to get) the call's values, from its job's
   * stage and state: a job before CREATE that is not DONE, or at CREATE but not claimed yet, will
   * still read the call row before it creates the object (the worker re-reads it at CREATE).
   */
  static boolean uploadStarted(String stage, String state) {
    if (stage == null) return false;
    return switch (stage) {
      case "WAIT", "CONVERT" -> "DONE".equals(state);
      case "CREATE" -> !"PENDING".equals(state);
      default -> true;
    };
  }

  /** {@link #uploadStarted} negated, as SQL over a job aliased {@code j}. Keep the two in step. */
  static final String UPLOAD_NOT_STARTED_SQL =
      "((j.stage IN ('WAIT', 'CONVERT') AND j.state <> 'DONE') OR (j.stage = 'CREATE' AND j.state = 'PENDING'))";
}
