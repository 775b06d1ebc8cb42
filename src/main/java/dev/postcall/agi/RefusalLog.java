package dev.postcall.agi;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;

/**
 * Warnings about connections turned away or cut short (not in {@code agi.allow}, over
 * {@code agi.max-sessions}, evicted, past the session deadline, without {@code agi.secret}), at most
 * one line per interval: the first after a quiet interval is logged as it happens, the rest are
 * counted and summed up in one line naming a few peers when the interval is over. A flood of
 * refused connections wrote one line each (thousands per second) from the thread that also serves
 * the real hangups. Used by the capture loop's thread only.
 */
final class RefusalLog {
  static final int PEERS_NAMED = 5;

  private final Logger log;
  private final long intervalNanos;
  private final Map<SessionOutcome, Integer> counts = new EnumMap<>(SessionOutcome.class);
  private final List<String> peers = new ArrayList<>();
  private int pending;
  private boolean loggedOnce;
  /** Until when a new event is only counted (System.nanoTime); meaningful once something was logged. */
  private long quietUntil;

  RefusalLog(Logger log, long intervalNanos) {
    this.log = log;
    this.intervalNanos = intervalNanos;
  }

  /** A connection turned away or cut short for {@code why}; {@code line} is its own warning, made only if logged. */
  void note(SessionOutcome why, String peer, Supplier<String> line, long now) {
    if (!loggedOnce || now - quietUntil >= 0) {
      flush(now);
      if (pending == 0) {
        log.warn(line.get());
        loggedOnce = true;
        quietUntil = now + intervalNanos;
        return;
      }
    }
    counts.merge(why, 1, Integer::sum);
    if (peers.size() < PEERS_NAMED && !peers.contains(peer)) peers.add(peer);
    pending++;
  }

  /** Logs the summary of what was counted, if the interval is over (the loop calls this on every tick). */
  void flush(long now) {
    if (pending == 0 || now - quietUntil < 0) return;
    String byReason = counts.entrySet().stream().map(e -> e.getValue() + " " + e.getKey().tag() + reason(e.getKey()))
        .collect(Collectors.joining(", "));
    int more = pending - peers.size();
    log.warn("FastAGI: {} more connections refused or closed in the last {} s — {}; from {}{}", pending,
        Math.max(1, intervalNanos / 1_000_000_000L), byReason, String.join(", ", peers),
        more > 0 ? " and others" : "");
    counts.clear();
    peers.clear();
    pending = 0;
    quietUntil = now + intervalNanos;
  }

  private static String reason(SessionOutcome o) {
    return switch (o) {
      case REFUSED -> " (not in agi.allow)";
      case OVER_LIMIT -> " (agi.max-sessions open, none to make room from)";
      case EVICTED -> " (closed to make room: no environment yet)";
      case DEADLINE -> " (agi.session-deadline passed)";
      case NO_SECRET -> " (without agi.secret)";
      default -> "";
    };
  }
}
