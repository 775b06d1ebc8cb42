package dev.postcall.admin;

import dev.postcall.queue.Stage;
import java.time.Instant;

/**
 * What an admin narrows the failed-upload queue by. Every field is optional (null = any). {@code
 * since}/{@code until} bound the call's start time (what a caller's complaint names), {@code number}
 * matches part of the caller's or the called number, {@code reason} part of the last error.
 */
public record FailedFilter(Instant since, Instant until, Stage stage, String number, String reason) {
  public static final FailedFilter ALL = new FailedFilter(null, null, null, null, null);

  public FailedFilter {
    number = blankToNull(number);
    reason = blankToNull(reason);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}
