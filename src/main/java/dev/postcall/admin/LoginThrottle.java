package dev.postcall.admin;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Backoff for admin logins, per client address: the first {@link #FREE_FAILURES} wrong tokens
 * cost nothing, each one after that closes the door for {@link #FIRST_WAIT}, doubling up to
 * {@link #MAX_WAIT}; a right token opens it again. Attempts while the door is closed are refused
 * without looking at the token, so guessing runs at a few tries per hour instead of ~1,500 a
 * second. Failures are counted in {@code postcall_admin_login_failures_total} and logged as one
 * summary line per {@link #SUMMARY_EVERY}, not one line each.
 */
final class LoginThrottle {
  private static final Logger log = LoggerFactory.getLogger(LoginThrottle.class);
  static final int FREE_FAILURES = 5;
  static final Duration FIRST_WAIT = Duration.ofSeconds(1);
  static final Duration MAX_WAIT = Duration.ofMinutes(5);
  static final Duration SUMMARY_EVERY = Duration.ofMinutes(1);
  /** Addresses remembered at most; beyond it the oldest quiet ones go (a spoofed-source flood must not grow memory). */
  private static final int MAX_CLIENTS = 10_000;

  private record Client(int failures, Instant lockedUntil, Instant lastFailure) {}

  private final Clock clock;
  private final Map<String, Client> clients = new ConcurrentHashMap<>();
  private final Counter failures;
  private final Counter refused;
  private final AtomicLong failuresSinceSummary = new AtomicLong();
  private final AtomicLong refusedSinceSummary = new AtomicLong();
  private final Map<String, Boolean> addressesSinceSummary = new ConcurrentHashMap<>();
  private volatile Instant summaryDue;

  LoginThrottle(Clock clock, MeterRegistry registry) {
    this.clock = clock;
    this.failures = Counter.builder("postcall.admin.login.failures").description("Admin logins with a wrong token")
        .register(registry);
    this.refused = Counter.builder("postcall.admin.login.throttled")
        .description("Admin logins refused unchecked because the client is backing off").register(registry);
    this.summaryDue = clock.instant().plus(SUMMARY_EVERY);
  }

  /** How long this client must still wait; zero when it may try now. A refused try is counted. */
  Duration waitFor(String address) {
    summarizeIfDue();
    Client c = clients.get(address);
    Instant now = clock.instant();
    if (c == null || c.lockedUntil() == null || !now.isBefore(c.lockedUntil())) return Duration.ZERO;
    refused.increment();
    refusedSinceSummary.incrementAndGet();
    noteAddress(address);
    return Duration.between(now, c.lockedUntil());
  }

  void failed(String address) {
    failures.increment();
    failuresSinceSummary.incrementAndGet();
    noteAddress(address);
    Instant now = clock.instant();
    if (clients.size() >= MAX_CLIENTS && !clients.containsKey(address)) forgetQuiet(now);
    clients.compute(address, (a, c) -> {
      int n = c == null ? 1 : c.failures() + 1;
      Instant until = n <= FREE_FAILURES ? null : now.plus(backoff(n - FREE_FAILURES));
      return new Client(n, until, now);
    });
    summarizeIfDue();
  }

  /** The summary names at most 20 addresses. */
  private void noteAddress(String address) {
    if (addressesSinceSummary.size() < 20) addressesSinceSummary.put(address, Boolean.TRUE);
  }

  void succeeded(String address) {
    clients.remove(address);
  }

  /** 1 s after the first failure beyond the free ones, then 2 s, 4 s … at most {@link #MAX_WAIT}. */
  static Duration backoff(int over) {
    long ms = FIRST_WAIT.toMillis() << Math.min(over - 1, 30);
    return Duration.ofMillis(Math.min(ms, MAX_WAIT.toMillis()));
  }

  private void forgetQuiet(Instant now) {
    clients.entrySet().removeIf(e -> e.getValue().lastFailure().plus(MAX_WAIT.multipliedBy(2)).isBefore(now));
    if (clients.size() >= MAX_CLIENTS) clients.clear(); // still full: a flood from everywhere; start over
  }

  /** One WARN per interval with what happened in it, instead of a line per failed login. */
  void summarizeIfDue() {
    Instant now = clock.instant();
    if (now.isBefore(summaryDue)) return;
    synchronized (this) {
      if (now.isBefore(summaryDue)) return;
      summaryDue = now.plus(SUMMARY_EVERY);
      long f = failuresSinceSummary.getAndSet(0);
      long r = refusedSinceSummary.getAndSet(0);
      if (f == 0 && r == 0) return;
      String from = String.join(", ", addressesSinceSummary.keySet());
      addressesSinceSummary.clear();
      log.warn("admin web: {} failed login(s) and {} refused while backing off in the last {}, from {}", f, r,
          SUMMARY_EVERY.toMinutes() + " min", from);
    }
  }
}
