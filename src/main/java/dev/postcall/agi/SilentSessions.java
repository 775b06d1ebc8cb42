package dev.postcall.agi;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The read timeout of running sessions: one thread looks at every session a few times per timeout
 * and closes the socket of one that has waited longer than {@code agi.read-timeout} for its next
 * line (a half-open socket, a client that stopped talking); the blocked read then fails and the
 * session ends. A socket timeout would do the same, but on the channels our gate accepts it costs
 * every read two {@code fcntl} calls and a {@code poll} — a tenth of a session thread's CPU.
 */
final class SilentSessions implements AutoCloseable {
  private final Set<AgiConnection> running = ConcurrentHashMap.newKeySet();
  private final long timeoutNanos;
  private final Thread thread;
  private volatile boolean open = true;

  SilentSessions(int readTimeoutMillis) {
    this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(readTimeoutMillis);
    long tick = Math.max(10, Math.min(100, readTimeoutMillis / 10));
    this.thread = new Thread(() -> {
      while (open) {
        try {
          Thread.sleep(tick);
        } catch (InterruptedException e) {
          return;
        }
        checkOnce(System.nanoTime());
      }
    }, "agi-read-timeout");
    thread.setDaemon(true);
    thread.start();
  }

  void watch(AgiConnection c) {
    running.add(c);
  }

  void forget(AgiConnection c) {
    running.remove(c);
  }

  /** Closes every session whose current read started more than the timeout before {@code now}. */
  void checkOnce(long now) {
    for (AgiConnection c : running) {
      if (c.silentFor(now) > timeoutNanos) c.closeSilent(TimeUnit.NANOSECONDS.toMillis(timeoutNanos));
    }
  }

  @Override
  public void close() {
    open = false;
    thread.interrupt();
  }
}
