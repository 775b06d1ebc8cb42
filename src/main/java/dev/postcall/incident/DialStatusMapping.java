package dev.postcall.incident;

import dev.postcall.queue.CallRecord;
import java.util.Map;

/** PLACEHOLDER until the incident/audio branch lands (same API). */
public class DialStatusMapping {
  public DialStatusMapping(Map<String, String> map, String dflt) {}

  public String statusFor(CallRecord call) {
    throw new UnsupportedOperationException("placeholder");
  }
}
