package dev.postcall.admin;

import dev.postcall.queue.Stage;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Locale;

/**
 * The failed-queue filter as typed (web form or CLI options), turned into a {@link FailedFilter}.
 * Dates are UTC: {@code 2026-11-23} (a whole day: as "until" it includes that day),
 * {@code 2026-11-23T10:00} or an ISO instant.
 */
public record FailedForm(String since, String until, String stage, String number, String reason) {

  public FailedFilter toFilter() {
    Stage st = null;
    if (stage != null && !stage.isBlank()) {
      try {
        st = Stage.valueOf(stage.strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("unknown stage '" + stage + "' (known: WAIT, CONVERT, CREATE, ATTACH, CLEANUP)");
      }
    }
    return new FailedFilter(date("since", since, false), date("until", until, true), st, number, reason);
  }

  static Instant date(String what, String s, boolean endOfDay) {
    if (s == null || s.isBlank()) return null;
    try {
      return CallSearch.utc(s.strip(), endOfDay);
    } catch (DateTimeException e) {
      throw new IllegalArgumentException(what + ": '" + s + "' is not a date (use 2026-11-23 or 2026-11-23T10:00)");
    }
  }
}
