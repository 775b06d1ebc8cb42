package dev.postcall.admin;

import java.time.Instant;

/** One line of the failed-upload queue. */
public record FailedRow(String uniqueid, String callerNumber, String calledNumber, Instant start, String stage,
    int attempts, String lastError, Instant failedAt) {}
