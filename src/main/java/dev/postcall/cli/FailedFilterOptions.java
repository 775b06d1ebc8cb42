package dev.postcall.cli;

import dev.postcall.admin.FailedFilter;
import dev.postcall.admin.FailedForm;
import picocli.CommandLine.Option;

/** The failed-queue filters shared by {@code failed list} and {@code failed retry --all}. */
final class FailedFilterOptions {
  @Option(names = "--since", paramLabel = "DATE", description = "Calls that started on/after (UTC): 2026-11-23 or 2026-11-23T10:00.")
  String since;

  @Option(names = "--until", paramLabel = "DATE", description = "Calls that started before the end of this day/time (UTC).")
  String until;

  @Option(names = "--stage", description = "The stage it failed in: WAIT, CONVERT, CREATE, ATTACH, CLEANUP.")
  String stage;

  @Option(names = "--number", paramLabel = "DIGITS", description = "Part of the caller's or called number.")
  String number;

  @Option(names = "--reason", paramLabel = "TEXT", description = "Part of the last error.")
  String reason;

  FailedFilter filter() {
    return new FailedForm(since, until, stage, number, reason).toFilter();
  }
}
