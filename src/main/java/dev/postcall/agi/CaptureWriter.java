package dev.postcall.agi;

import dev.postcall.queue.CallRecord;
import dev.postcall.queue.CallStore;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLongArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a hangup event durable without making Asterisk wait. AGI threads hand their call to a
 * few writer threads; a writer commits whatever has queued in one transaction (group commit: one
 * commit for fifty hangups is what lets thousands of sessions per second persist). An AGI thread waits at
 * most the persist budget for its batch; on a timeout or a database error it appends the event to
 * the {@link Spool} instead. A commit that lands after the timeout is harmless: the store is
 * idempotent on uniqueid, so the later spool replay adds nothing.
 *
 * <p>Once the database failed, or while every writer's batch has been in flight longer than the budget, new
 * events go straight to the spool — a database that is down must not cost every hangup the whole
 * budget. The {@link SpoolDrainer} reports when the database answers again.
 */
final class CaptureWriter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CaptureWriter.class);
  private static final int MAX_BATCH = 500;

  enum Result { STORED, DUPLICATE, SPOOLED, SPOOL_FAILED }

  /** What happened to an event, and why it was spooled (null when it went to the database). */
  record Outcome(Result result, String reason) {}

  private static final Outcome STORED = new Outcome(Result.STORED, null);
  private static final Outcome DUPLICATE = new Outcome(Result.DUPLICATE, null);

  private record Pending(CallRecord call, CompletableFuture<Boolean> done) {}

  private final CallStore store;
  private final Spool spool;
  private final long budgetNanos;
  private final BlockingQueue<Pending> queue = new ArrayBlockingQueue<>(10_000);
  private final Thread[] threads;
  /** Per writer: when its batch in flight started (System.nanoTime), 0 when idle. */
  private final AtomicLongArray inFlightSince;
  private volatile boolean running = true;
  private volatile boolean healthy = true;

  /**
   * {@code writers} threads take turns: while one batch waits for its commit (an fsync), the next
   * batch is already being written, and InnoDB flushes both commits with one fsync.
   */
  CaptureWriter(CallStore store, Spool spool, Duration budget, int writers) {
    this.store = store;
    this.spool = spool;
    this.budgetNanos = budget.toNanos();
    this.inFlightSince = new AtomicLongArray(writers);
    this.threads = new Thread[writers];
    for (int i = 0; i < writers; i++) {
      int slot = i;
      threads[i] = new Thread(() -> run(slot), "agi-db-writer-" + (i + 1));
      threads[i].setDaemon(true);
    }
  }

  void start() {
    for (Thread t : threads) t.start();
  }

  /** True when every writer is stuck on a batch older than the budget. */
  private boolean stalled() {
    long now = System.nanoTime();
    for (int i = 0; i < inFlightSince.length(); i++) {
      long since = inFlightSince.get(i);
      if (since == 0 || now - since <= budgetNanos) return false;
    }
    return true;
  }

  /** Stores the call in the database within the budget, else in the spool. Never waits longer. */
  Outcome capture(CallRecord call) {
    if (!healthy) return spool(call, "database down");
    if (stalled()) return spool(call, "database slower than the budget");
    Pending p = new Pending(call, new CompletableFuture<>());
    if (!running || !queue.offer(p)) return spool(call, "writer queue full or stopping");
    try {
      return p.done.get(budgetNanos, TimeUnit.NANOSECONDS) ? STORED : DUPLICATE;
    } catch (TimeoutException e) {
      return spool(call, "database slower than the budget");
    } catch (ExecutionException e) {
      return spool(call, "database error: " + Text.firstLine(e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return spool(call, "interrupted while waiting for the database");
    }
  }

  private Outcome spool(CallRecord call, String reason) {
    try {
      spool.append(call, reason);
      return new Outcome(Result.SPOOLED, reason);
    } catch (IOException | RuntimeException e) {
      // Nowhere durable left: the log line carries the whole event so it can be replayed by hand.
      log.error("call {} LOST unless replayed from this line: spool {} failed ({}); event {}", call.uniqueid(),
          spool.dir(), Text.firstLine(e), call);
      return new Outcome(Result.SPOOL_FAILED, reason + "; spool: " + Text.firstLine(e));
    }
  }

  boolean healthy() {
    return healthy;
  }

  /** The drainer reached the database: AGI threads may wait for it again. */
  void databaseAnswered() {
    if (!healthy) log.info("database answers again — hangups go to it directly");
    healthy = true;
  }

  private void run(int slot) {
    List<Pending> batch = new ArrayList<>();
    while (running || !queue.isEmpty()) {
      try {
        Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) continue;
        batch.add(first);
        queue.drainTo(batch, MAX_BATCH - 1);
        commit(slot, batch);
      } catch (InterruptedException e) {
        if (!running) break;
        log.warn("database writer interrupted unexpectedly — continuing");
      } catch (RuntimeException e) {
        log.error("database writer: unexpected error — continuing", e);
        batch.forEach(p -> p.done.completeExceptionally(e));
      } finally {
        batch.clear();
      }
    }
    queue.forEach(p -> p.done.completeExceptionally(new IllegalStateException("stopping")));
  }

  private void commit(int slot, List<Pending> batch) {
    if (!healthy) {
      batch.forEach(p -> p.done.completeExceptionally(new IllegalStateException("database down")));
      return;
    }
    List<CallRecord> calls = new ArrayList<>(batch.size());
    batch.forEach(p -> calls.add(p.call));
    long t0 = System.nanoTime();
    inFlightSince.set(slot, t0);
    try {
      List<Boolean> isNew = store.insertAll(calls);
      if (log.isDebugEnabled())
        log.debug("committed {} hangups in {} µs", calls.size(), (System.nanoTime() - t0) / 1000);
      for (int i = 0; i < batch.size(); i++) batch.get(i).done.complete(isNew.get(i));
    } catch (Exception e) {
      if (DatabaseErrors.unreachable(e)) {
        healthy = false;
        log.warn("database write of {} hangups failed ({}) — spooling until it answers again", batch.size(), Text.firstLine(e));
        batch.forEach(p -> p.done.completeExceptionally(e));
      } else {
        // a deadlock or one value the database refuses must not fail the others: one by one
        log.warn("database write of {} hangups failed ({}) — retrying them one by one", batch.size(), Text.firstLine(e));
        batch.forEach(this::commitAlone);
      }
    } finally {
      inFlightSince.set(slot, 0);
    }
  }

  private void commitAlone(Pending p) {
    try {
      p.done.complete(store.insertAll(List.of(p.call)).get(0));
    } catch (Exception e) {
      log.warn("call {}: database refused it ({}) — spooled", Text.printable(p.call.uniqueid()), Text.firstLine(e));
      p.done.completeExceptionally(e);
    }
  }

  /** Commits what is queued, then stops (bounded: a hung database cannot hold shutdown). */
  @Override
  public void close() {
    running = false;
    long deadline = System.nanoTime() + budgetNanos + TimeUnit.SECONDS.toNanos(5);
    for (Thread t : threads) {
      try {
        t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (t.isAlive()) log.warn("{} still busy at shutdown; its callers have spooled their events", t.getName());
    }
  }
}
