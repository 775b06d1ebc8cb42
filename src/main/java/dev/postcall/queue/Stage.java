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
  DONE;

  public static Stage first() {
    return WAIT;
  }
}
