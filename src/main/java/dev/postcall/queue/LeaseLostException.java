package dev.postcall.queue;

import dev.postcall.PostcallException;

/** Another worker owns the job now (our lease expired). Stop working on it; nothing is wrong. */
public final class LeaseLostException extends PostcallException {
  public LeaseLostException(String uniqueid) {
    super("lease lost for " + uniqueid + ": another worker took the job over", false);
  }
}
