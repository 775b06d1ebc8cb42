package dev.postcall.agi;

import java.util.Locale;

/**
 * How a FastAGI connection ended, as counted in {@code postcall.agi.sessions} (tag {@code outcome},
 * the lower-case name). The first four say where a finished session's call went; the others why a
 * connection ended without reaching that point, or was cut short.
 */
enum SessionOutcome {
  /** On disk in the spool, on its way to the database. */
  ACCEPTED,
  /** The spool was not writable; the database took the call in time. */
  STORED,
  /** The spool was not writable; the database already had the call. */
  DUPLICATE,
  /** Neither the spool nor the database took the call (logged whole, to replay). */
  NOT_STORED,
  /** A callee leg of someone else's call (queue member, ring-group Local channel): no call of its own. */
  LEG,
  /** A {@code route} session answered (the three variables set; nothing to store). */
  ROUTED,
  NO_UNIQUEID,
  UNKNOWN_SCRIPT,
  NO_SCRIPT,
  /** {@code agi.secret} is set and the session did not carry it. */
  NO_SECRET,
  /** Nothing heard for {@code agi.read-timeout}. */
  TIMEOUT,
  /** Still talking at {@code agi.session-deadline}. */
  DEADLINE,
  /** Closed to make room at {@code agi.max-sessions}: the connection that had made least progress. */
  EVICTED,
  IO_ERROR,
  NO_REQUEST,
  /** Not in {@code agi.allow}. */
  REFUSED,
  /** {@code agi.max-sessions} open and none could be made room for. */
  OVER_LIMIT,
  TOO_MUCH_DATA;

  private final String tag = name().toLowerCase(Locale.ROOT);

  /** The metric tag. */
  String tag() {
    return tag;
  }
}
