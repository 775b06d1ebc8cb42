package dev.postcall.incident;

import dev.postcall.SafeText;
import dev.postcall.call.CallRecord;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps a call's outcome to the incident system's status value. DIALSTATUS is the reliable outcome
 * (inside {@code h} the CDR disposition often reads FAILED or NO ANSWER); the disposition is used
 * only when DIALSTATUS is unset, e.g. for calls that came from Master.csv. Never throws: an unknown
 * outcome maps to the configured default with a warning (once per value), because a typo in a table must not stop
 * a call from being delivered.
 */
public final class DialStatusMapping {
  private static final Logger log = LoggerFactory.getLogger(DialStatusMapping.class);

  /** Bounds the memory of values already warned about: the outcome comes from outside. */
  private static final int MAX_WARNED = 1000;

  private final Map<String, String> map;
  private final String dflt;
  private final Set<String> warned = ConcurrentHashMap.newKeySet();

  public DialStatusMapping(Map<String, String> map, String dflt) {
    if (dflt == null || dflt.isBlank()) throw new IllegalArgumentException("default status must not be blank");
    Map<String, String> normalised = new HashMap<>();
    map.forEach((k, v) -> normalised.put(normalise(k), v));
    this.map = Map.copyOf(normalised);
    this.dflt = dflt;
  }

  /** The status to upload; an outcome without a mapping gets the default and a warning. */
  public String statusFor(CallRecord call) {
    String outcome = normalise(call.outcome());
    String status = mapped(outcome);
    if (status != null) return status;
    // Once per value: every call with that outcome would repeat it (thousands a day on a busy PBX).
    if (warned.size() < MAX_WARNED && warned.add(outcome)) {
      log.warn("outcome '{}' has no status mapping (dialstatus={}, disposition={}); using default '{}' for it"
          + " (warned once per value)", printable(outcome), printable(call.dialStatus()), printable(call.disposition()), dflt);
    } else {
      log.debug("outcome '{}' has no status mapping; using default '{}'", printable(outcome), dflt);
    }
    return dflt;
  }

  /** The status the upload sends, without the warning: for showing a call (the upload warned already). */
  public String statusOf(CallRecord call) {
    String status = mapped(normalise(call.outcome()));
    return status != null ? status : dflt;
  }

  private String mapped(String outcome) {
    return outcome.isEmpty() ? null : map.get(outcome);
  }

  /** The values come from the PBX or Master.csv: no control character or 100 kB value reaches the log. */
  static String printable(String s) {
    return s == null ? null : SafeText.printable(s);
  }

  /** "no answer", " NO ANSWER ", "No_Answer" → NO_ANSWER: the form the config keys use. */
  static String normalise(String outcome) {
    if (outcome == null) return "";
    return outcome.trim().toUpperCase(Locale.ROOT).replaceAll("[\\s_-]+", "_");
  }
}
