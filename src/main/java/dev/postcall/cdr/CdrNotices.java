package dev.postcall.cdr;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Problems with the PBX's CDR set-up that postcall noticed by itself (a wrong time zone, a
 * Master.csv that stopped growing): each is logged once at WARN and then shown by {@code /ready}
 * as a detail (the service keeps working: times are corrected, calls still come over AGI).
 */
public final class CdrNotices {
  private static final Logger log = LoggerFactory.getLogger(CdrNotices.class);
  private final Map<String, String> notices = new ConcurrentHashMap<>();

  /** Logs {@code message} once per {@code key}; later calls with the same key only replace the detail. */
  public void notice(String key, String message) {
    if (notices.put(key, message) == null) log.warn("{}", message);
  }

  /** Clears a notice that no longer holds (e.g. Master.csv grows again). */
  public void clear(String key, String why) {
    if (notices.remove(key) != null) log.info("{}", why);
  }

  public List<String> all() {
    return notices.entrySet().stream().sorted(Map.Entry.comparingByKey()).map(Map.Entry::getValue).toList();
  }

  /** The /ready detail: "ok" or the notices. */
  public String detail() {
    List<String> all = all();
    return all.isEmpty() ? "ok" : "WARNING: " + String.join("; ", all);
  }
}
