package dev.postcall.admin;

import dev.postcall.incident.DialStatusMapping;
import dev.postcall.call.CallRecord;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The configured status map (DIALSTATUS, else disposition → status) and its default: the status a
 * call is delivered with, and the statuses the calls page can search by.
 */
public final class CallStatuses implements Function<CallRecord, String> {
  private final Map<String, String> map;
  private final String dflt;
  private final DialStatusMapping mapping;

  public CallStatuses(Map<String, String> map, String dflt) {
    this.map = Map.copyOf(map);
    this.dflt = dflt;
    this.mapping = new DialStatusMapping(map, dflt);
  }

  @Override
  public String apply(CallRecord call) {
    return mapping.statusOf(call);
  }

  Map<String, String> map() {
    return map;
  }

  String dflt() {
    return dflt;
  }

  /** Every status a call can be delivered with, sorted. */
  TreeSet<String> names() {
    TreeSet<String> out = new TreeSet<>(map.values());
    out.add(dflt);
    return out;
  }
}
