package dev.postcall.route;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the {@code route} script answers from: per caller (normalised), the agent who last answered
 * them and when; and the VIP numbers. Kept in memory — filled from the database at start by the
 * {@link RouteLoader}, kept current by the capture path as calls end — so an answer is a map look-up
 * and never waits. Until the first load has succeeded it answers empty: a caller then goes to the
 * queue as if postcall were not there.
 */
public final class RouteIndex {
  /** The three values for the dialplan; all empty when the index is not ready. */
  public record Answer(String lastAgent, String vip, String priority) {
    public static final Answer EMPTY = new Answer("", "", "");
  }

  private record Last(String agent, Instant at) {}

  private final CallerNumbers numbers;
  private final Duration window;
  private final int vipPriority;
  private final int priority;
  private final Clock clock;
  private final Map<String, Last> last = new ConcurrentHashMap<>();
  private volatile Set<String> vip = Set.of();
  private volatile boolean ready;

  public RouteIndex(CallerNumbers numbers, Duration window, int vipPriority, int priority, Clock clock) {
    this.numbers = numbers;
    this.window = window;
    this.vipPriority = vipPriority;
    this.priority = priority;
    this.clock = clock;
  }

  /** The index {@code cfg} describes, not ready until a {@link RouteLoader} has loaded it. */
  public static RouteIndex from(dev.postcall.config.PostcallConfig.Route cfg, Clock clock) {
    return new RouteIndex(new CallerNumbers(cfg.stripPrefixes(), cfg.keepDigits()), cfg.stickyWindow(),
        cfg.vipPriority(), cfg.priority(), clock);
  }

  /** An index that never becomes ready: every answer is empty (no route configuration given). */
  public static RouteIndex disabled() {
    return new RouteIndex(CallerNumbers.AS_IS, Duration.ZERO, 0, 0, Clock.systemUTC());
  }

  public boolean ready() {
    return ready;
  }

  public CallerNumbers numbers() {
    return numbers;
  }

  /** The answer for a caller's number as the channel carries it. */
  public Answer answer(String callerNumber) {
    if (!ready) return Answer.EMPTY;
    String n = numbers.normalise(callerNumber);
    if (n.isEmpty()) return new Answer("", "0", Integer.toString(priority));
    Last l = last.get(n);
    String agent = l != null && l.at.isAfter(clock.instant().minus(window)) ? l.agent : "";
    boolean isVip = vip.contains(n);
    return new Answer(agent, isVip ? "1" : "0", Integer.toString(isVip ? vipPriority : priority));
  }

  /**
   * A call from {@code callerNumber} was answered by {@code agent} (as stored: {@link AgentName}) at
   * {@code at}; the latest answer wins.
   */
  public void answered(String callerNumber, String agent, Instant at) {
    if (at == null || agent == null || agent.isBlank()) return;
    String n = numbers.normalise(callerNumber);
    if (n.isEmpty()) return;
    last.merge(n, new Last(agent, at), (old, now) -> now.at.isAfter(old.at) ? now : old);
  }

  /** Replaces the VIP list (numbers as stored: already normalised). */
  public void vip(Set<String> normalised) {
    this.vip = Set.copyOf(normalised);
  }

  /** The first load is in: answers are real from now on. */
  void markReady() {
    ready = true;
  }

  /** Forgets answers older than the sticky window; returns how many are kept. */
  int prune() {
    Instant oldest = clock.instant().minus(window);
    last.values().removeIf(l -> !l.at.isAfter(oldest));
    return last.size();
  }

  Duration window() {
    return window;
  }
}
