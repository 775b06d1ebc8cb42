package dev.postcall;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Named daemon threads: a name says in a thread dump what the thread is for, and daemon threads
 * never keep the JVM up after the service's own shutdown has run.
 */
public final class DaemonThreads {
  private DaemonThreads() {}

  /** A started daemon thread called {@code name}. */
  public static Thread start(String name, Runnable body) {
    Thread t = create(name, body);
    t.start();
    return t;
  }

  /** A daemon thread called {@code name}, not started. */
  public static Thread create(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    return t;
  }

  /** For executors: threads called {@code prefix-1}, {@code prefix-2}, … */
  public static ThreadFactory factory(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> create(prefix + "-" + n.incrementAndGet(), r);
  }
}
