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

  /**
   * How much of the call several recordings cover together: the union of their spans where each
   * one's start is known (recordings of one call overlap when a destination records too), and at
   * least the longest single file.
   */
  static Duration covered(java.util.List<dev.postcall.queue.CallRecording> recordings) {
    long longest = 0;
    java.util.List<long[]> spans = new java.util.ArrayList<>();
    for (var r : recordings) {
      if (r.audioMs() == null) continue;
      longest = Math.max(longest, r.audioMs());
      if (r.startedAt() != null) spans.add(new long[] {r.startedAt().toEpochMilli(), r.startedAt().toEpochMilli() + r.audioMs()});
    }
    spans.sort(java.util.Comparator.comparingLong(a -> a[0]));
    long union = 0, from = Long.MIN_VALUE, to = Long.MIN_VALUE;
    for (long[] s : spans) {
      if (s[0] > to) {
        if (to > from) union += to - from;
        from = s[0];
        to = s[1];
      } else {
        to = Math.max(to, s[1]);
      }
    }
    if (to > from) union += to - from;
    return Duration.ofMillis(Math.max(longest, union));
  }

  /**
   * A channel's MixMonitor cannot record past the channel's end, and the call's duration (whole
   * seconds, cut) runs to that end: audio more than {@link #PAST_END} longer than the call means
   * the call's timing ended before its talk did (with the h form, a picker's h runs at the pickup).
   */
  static final Duration PAST_END = Duration.ofMillis(1500);

  static boolean outlastsCall(Duration recording, Integer duration) {
    if (recording == null || duration == null || duration < 0) return false;
    return recording.toMillis() - duration * 1000L > PAST_END.toMillis();
  }

  static boolean isShort(Duration recording, Integer billsec) {
    if (recording == null || billsec == null || billsec <= 0) return false;
    long talkMs = billsec * 1000L;
    long missing = talkMs - recording.toMillis();
    return missing > SLACK.toMillis() && missing * 5 > talkMs;
  }
}
