package dev.postcall.agi;

import dev.postcall.DaemonThreads;
import dev.postcall.RunUntilStopped;
import dev.postcall.call.CallRecord;
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
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes hangup events durable without making Asterisk wait for the database. The capture's
 * committer appends the events of every session that just finished to the {@link Spool} (one
 * write, one fsync) and ends those sessions; writer threads then commit whatever has queued to the
 * database in one transaction (group commit: one commit for fifty hangups is what lets thousands
 * of sessions per second persist) and tell the spool which lines are in. The database's speed or
 * absence therefore never shows in a session's time: the same fsync is paid whether it is up,
 * slow or down.
 *
 * <p>When the database fails, the writers stop taking events until the {@link SpoolDrainer}
 * reaches it again; it re-inserts whatever the spool holds that nobody confirmed. Only if the
 * spool itself cannot be written (disk full, permissions) does a session wait — at most the
 * persist budget — for a direct commit.
 */
final class CaptureWriter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CaptureWriter.class);
  private static final int MAX_BATCH = 500;
  /**
   * How long the writer lets spooled events gather before committing them. Nobody waits for this
   * commit; one transaction per linger instead of one per call leaves the CPU to the sessions.
   * NOTE: kept short so the hangup's values reach the database before Master.csv's row for the
   * same call does, and before a worker starts on it.
   */
  private static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(25);

  enum Result { ACCEPTED, STORED, DUPLICATE, NOT_STORED }

  /** What happened to an event; {@code reason} says why it did not go the normal way. */
  record Outcome(Result result, String reason) {}

  private static final Outcome ACCEPTED = new Outcome(Result.ACCEPTED, null);

  /** An event for the database: spooled in {@code generation}, or (done != null) someone waits. */
  private record Pending(CallRecord call, long generation, CompletableFuture<Boolean> done) {}

  private final CallStore store;
  private final Spool spool;
  private final long budgetNanos;
  private final BlockingQueue<Pending> queue = new ArrayBlockingQueue<>(10_000);
  private final Thread[] threads;
  /** Per writer: when it took its batch's first event (System.nanoTime), 0 when idle. */
  private final AtomicLongArray inFlightSince;
  /** Per writer: when its commit now running started, 0 when none runs (gathering is not stalling). */
  private final AtomicLongArray commitSince;
  private volatile boolean running = true;
  private volatile boolean healthy = true;
  /** A session waits for the next commit: stop gathering. */
  private volatile boolean urgent;
  private volatile Runnable afterStored = () -> {};

  /**
   * With several {@code writers}, one batch is written while another waits for its commit; with one,
   * the next batch gathers meanwhile (bigger batches, fewer commits).
   */
  CaptureWriter(CallStore store, Spool spool, Duration budget, int writers) {
    this.store = store;
    this.spool = spool;
    this.budgetNanos = budget.toNanos();
    this.inFlightSince = new AtomicLongArray(writers);
    this.commitSince = new AtomicLongArray(writers);
    this.threads = new Thread[writers];
    for (int i = 0; i < writers; i++) {
      String name = "agi-db-writer-" + (i + 1);
      Writer w = new Writer(i);
      RunUntilStopped loop = new RunUntilStopped(name, () -> running, w::commitNext, w::failed)
          .drainingWhile(() -> !queue.isEmpty());
      threads[i] = DaemonThreads.create(name, () -> {
        loop.run();
        queue.forEach(p -> fail(p, new IllegalStateException("stopping")));
      });
    }
  }

  void start() {
    for (Thread t : threads) t.start();
  }

  /** Runs after each commit that stored new calls (the worker pool wakes up with it). */
  void afterStored(Runnable listener) {
    this.afterStored = listener;
  }

  /** True when every writer is stuck on a batch older than the budget (a hanging database). */
  boolean stalled() {
    long now = System.nanoTime();
    for (int i = 0; i < commitSince.length(); i++) {
      long since = commitSince.get(i);
      if (since == 0 || now - since <= budgetNanos) return false;
    }
    return true;
  }

  /**
   * Makes the events durable — in the spool (one write, one fsync), else in the database within
   * the budget (one wait for all of them). Never waits longer. Outcomes in the order of {@code calls}.
   */
  List<Outcome> captureAll(List<CallRecord> calls) {
    long generation;
    try {
      generation = spool.appendAll(calls, "hangup");
    } catch (IOException | RuntimeException e) {
      return storeDirectly(calls, "spool " + spool.dir() + " not writable: " + Text.firstLine(e));
    }
    // Full queue, database down or stopping: the lines stay unconfirmed and the drainer takes them.
    if (healthy && running) for (CallRecord call : calls) queue.offer(new Pending(call, generation, null));
    return java.util.Collections.nCopies(calls.size(), ACCEPTED);
  }

  private List<Outcome> storeDirectly(List<CallRecord> calls, String reason) {
    List<Pending> waiting = new ArrayList<>(calls.size());
    for (CallRecord call : calls) {
      Pending p = new Pending(call, -1, new CompletableFuture<>());
      if (healthy && running && queue.offer(p)) waiting.add(p);
      else waiting.add(null);
    }
    commitNow();
    long deadline = System.nanoTime() + budgetNanos;
    List<Outcome> out = new ArrayList<>(calls.size());
    for (int i = 0; i < calls.size(); i++) {
      Pending p = waiting.get(i);
      String why = reason;
      boolean late = false;
      if (p != null) {
        try {
          boolean isNew = p.done.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
          out.add(new Outcome(isNew ? Result.STORED : Result.DUPLICATE, reason));
          continue;
        } catch (TimeoutException e) {
          why += "; database slower than the budget";
          late = true;
        } catch (ExecutionException e) {
          why += "; database: " + Text.firstLine(e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          why += "; interrupted";
        }
      } else {
        why += "; database down";
      }
      out.add(lost(calls.get(i), why));
      if (late) laterOutcome(p, System.nanoTime());
    }
    return out;
  }

  /** Nowhere durable left: the log line carries the whole event so it can be replayed by hand. */
  static Outcome lost(CallRecord call, String why) {
    log.error("call {} LOST unless replayed from this line: {}; event {}", Text.printable(call.uniqueid()), why, call);
    return new Outcome(Result.NOT_STORED, why);
  }

  /**
   * The session of {@code p} ended before its commit did, and its event was logged as lost; the
   * commit may still succeed a moment later — say so, so nobody replays it for nothing.
   */
  private static void laterOutcome(Pending p, long gaveUpAt) {
    String uid = Text.printable(p.call.uniqueid());
    p.done.whenComplete((isNew, err) -> {
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - gaveUpAt);
      if (err == null) log.warn("call {} reached the database after all, {} ms after its session ended — no replay needed", uid, ms);
      else log.error("call {}: the late database write failed too ({}) — replay it from the LOST line", uid, Text.firstLine(err));
    });
  }

  /** Commits what is queued now, without lingering, and waits until it has been through a commit attempt (tests, shutdown). */
  boolean awaitIdle(Duration max) throws InterruptedException {
    commitNow();
    long deadline = System.nanoTime() + max.toNanos();
    while (System.nanoTime() < deadline) {
      if (queue.isEmpty() && idleWriters()) return true;
      Thread.sleep(1);
    }
    return false;
  }

  /** Ends the writers' gathering: what is queued is committed at once. */
  private void commitNow() {
    urgent = true;
    for (Thread t : threads) LockSupport.unpark(t);
  }

  private boolean idleWriters() {
    for (int i = 0; i < inFlightSince.length(); i++) if (inFlightSince.get(i) != 0) return false;
    return true;
  }

  boolean healthy() {
    return healthy;
  }

  /** The drainer reached the database: the writer takes spooled hangups again. */
  void databaseAnswered() {
    if (!healthy) log.info("database answers again — spooled hangups go to it as they come");
    healthy = true;
  }

  /** One writer thread: its slot in {@code inFlightSince}/{@code commitSince} and the batch it commits. */
  private final class Writer {
    private final int slot;
    private final List<Pending> batch = new ArrayList<>();

    Writer(int slot) {
      this.slot = slot;
    }

    /** Waits up to 100 ms for an event, lets more gather, commits them all. */
    void commitNext() throws InterruptedException {
      try {
        Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) return;
        inFlightSince.set(slot, System.nanoTime()); // before the queue looks empty to awaitIdle
        batch.add(first);
        if (first.done == null && running) gather(); // a waiting session (spool broken) goes at once
        queue.drainTo(batch, MAX_BATCH - batch.size());
        commit(slot, batch);
        batch.clear();
      } finally {
        inFlightSince.set(slot, 0);
        commitSince.set(slot, 0);
      }
    }

    void failed(Throwable e) {
      if (e instanceof Error err) throw err; // ends this writer; its spooled events wait for the drainer
      log.error("database writer: unexpected error — continuing", e);
      Exception cause = e instanceof Exception x ? x : new IllegalStateException(e);
      batch.forEach(p -> fail(p, cause));
      batch.clear();
    }
  }

  /**
   * Lets events gather for the linger time (they are taken after). The writer sleeps instead of
   * waiting on the queue, which woke it for every event — a context switch per hangup; a session
   * waiting for its commit (spool broken) wakes it at once.
   */
  private void gather() {
    long until = System.nanoTime() + LINGER_NANOS;
    long left;
    while (running && !urgent && queue.size() < MAX_BATCH && (left = until - System.nanoTime()) > 0)
      LockSupport.parkNanos(this, left);
    urgent = false;
  }

  private void commit(int slot, List<Pending> batch) {
    if (!healthy) {
      batch.forEach(p -> fail(p, new IllegalStateException("database down")));
      return;
    }
    List<CallRecord> calls = new ArrayList<>(batch.size());
    batch.forEach(p -> calls.add(p.call));
    long t0 = System.nanoTime();
    commitSince.set(slot, t0);
    try {
      List<Boolean> isNew = store.insertAll(calls);
      if (log.isDebugEnabled())
        log.debug("committed {} hangups in {} µs", calls.size(), (System.nanoTime() - t0) / 1000);
      for (int i = 0; i < batch.size(); i++) stored(batch.get(i), isNew.get(i));
      if (isNew.contains(true)) afterStored.run();
    } catch (Exception e) {
      if (DatabaseErrors.unreachable(e)) {
        healthy = false;
        log.warn("database write of {} hangups failed ({}) — they wait in the spool until it answers again",
            batch.size(), Text.firstLine(e));
        batch.forEach(p -> fail(p, e));
      } else {
        // a deadlock or one value the database refuses must not fail the others: one by one
        log.warn("database write of {} hangups failed ({}) — retrying them one by one", batch.size(), Text.firstLine(e));
        batch.forEach(this::commitAlone);
      }
    }
  }

  private void stored(Pending p, boolean isNew) {
    if (p.done != null) p.done.complete(isNew);
    else spool.committed(p.generation, 1);
    String uid = Text.printable(p.call.uniqueid());
    if (isNew) log.debug("call {} in the database", uid);
    else log.debug("call {} was already stored — nothing added", uid); // counted as outcome=duplicate
  }

  private static void fail(Pending p, Exception e) {
    if (p.done != null) p.done.completeExceptionally(e);
    // a spooled one stays unconfirmed: the drainer re-inserts it
  }

  private void commitAlone(Pending p) {
    try {
      boolean isNew = store.insertAll(List.of(p.call)).get(0);
      stored(p, isNew);
      if (isNew) afterStored.run();
    } catch (Exception e) {
      log.warn("call {}: database refused it ({}) — left in the spool", Text.printable(p.call.uniqueid()), Text.firstLine(e));
      fail(p, e);
    }
  }

  /** Commits what is queued, then stops (bounded: a hung database cannot hold shutdown). */
  @Override
  public void close() {
    running = false;
    for (Thread t : threads) LockSupport.unpark(t);
    long deadline = System.nanoTime() + budgetNanos + TimeUnit.SECONDS.toNanos(5);
    for (Thread t : threads) {
      try {
        t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (t.isAlive()) log.warn("{} still busy at shutdown; its events wait in the spool", t.getName());
    }
  }
}
