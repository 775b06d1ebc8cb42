package dev.postcall.work;

import java.time.Duration;

/**
 * Whether a recording is much shorter than the call's answered time. MixMonitor writes only while
 * audio flows and a call's first seconds may pass before it starts, so a little is normal; a
 * recording that misses more than both {@link #SLACK} and a fifth of the talk time is not the
 * whole conversation (a destination that records to a file of its own, a MixMonitor stopped early).
 */
final class ShortRecording {
  static final Duration SLACK = Duration.ofSeconds(2);

  private ShortRecording() {}

  static boolean isShort(Duration recording, Integer billsec) {
    if (recording == null || billsec == null || billsec <= 0) return false;
    long talkMs = billsec * 1000L;
    long missing = talkMs - recording.toMillis();
    return missing > SLACK.toMillis() && missing * 5 > talkMs;
  }
}
