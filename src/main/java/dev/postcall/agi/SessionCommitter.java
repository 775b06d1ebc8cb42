package dev.postcall.agi;

import dev.postcall.call.CallRecord;
import dev.postcall.route.RouteIndex;
import dev.postcall.DaemonThreads;
import dev.postcall.RunUntilStopped;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends finished sessions once their calls are safe: builds each call, has the {@link CaptureWriter}
 * make the whole batch durable (one spool write and one fsync for every session that finished
 * meanwhile — group commit), then closes the sockets, which hands Asterisk its channel back and
 * lets it close the recording. On its own thread so the {@link CaptureLoop} never waits for the
 * disk: while one batch is forced, the loop is already serving the next sessions.
 */
final class SessionCommitter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SessionCommitter.class);
  private static final int MAX_BATCH = 1_000;

  /** A session whose call is ready to be made durable, with the socket to close after. */
  record Finished(HangupSession session, SocketChannel channel) {}

  private final HangupCallBuilder builder;
  private final CaptureWriter writer;
  /** Learns who answered each caller, for the route script. */
  private final RouteIndex route;
  private final Consumer<Finished> closed;
  private final BlockingQueue<Finished> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean running = true;
  /** The batch being made durable (committer thread only). */
  private final List<Finished> batch = new ArrayList<>();
  /** When the batch being made durable now was taken (System.nanoTime), 0 when idle. */
  private volatile long busySince;

  /** {@code closed} is told of every session whose socket this is about to close (outcome set). */
  SessionCommitter(HangupCallBuilder builder, CaptureWriter writer, Consumer<Finished> closed, RouteIndex route) {
    this.route = route;
    this.builder = builder;
    this.writer = writer;
    this.closed = closed;
    this.thread = DaemonThreads.start("agi-commit",
        new RunUntilStopped("agi-commit", () -> running, this::commitNext, this::failed).drainingWhile(() -> !queue.isEmpty()));
  }

  /** Queues finished sessions (called by the loop's thread). */
  void commit(List<Finished> sessions) {
    queue.addAll(sessions);
  }

  /** Waits up to 100 ms for finished sessions, then makes all that queued durable. */
  private void commitNext() throws InterruptedException {
    try {
      Finished first = queue.poll(100, TimeUnit.MILLISECONDS);
      if (first == null) return;
      busySince = System.nanoTime() | 1; // never 0, which means idle
      batch.add(first);
      queue.drainTo(batch, MAX_BATCH - 1);
      commitBatch(batch);
      batch.clear();
    } finally {
      busySince = 0;
    }
  }

  private void failed(Throwable e) {
    // a bug must not stop every later hangup from ending: the batch's sockets close unacknowledged
    log.error("agi-commit: unexpected error with {} sessions — closing them, continuing", batch.size(), e);
    for (Finished f : batch) {
      if (!f.channel().isOpen()) continue; // ended and counted before the error
      f.session().outcome(SessionOutcome.NOT_STORED);
      closed.accept(f); // counted, or the open-connection count would never come down
      CaptureLoop.closeQuietly(f.channel());
    }
    batch.clear();
  }

  private void commitBatch(List<Finished> batch) {
    long t0 = System.nanoTime();
    List<CallRecord> calls = new ArrayList<>(batch.size());
    for (java.util.Iterator<Finished> it = batch.iterator(); it.hasNext(); ) {
      Finished f = it.next();
      HangupCallBuilder.Built built = builder.build(f.session().env(), f.session().values());
      if (built.leg()) {
        // a callee leg (queue member, ring-group Local channel) ran postcall's dialplan: its caller's call has it
        it.remove();
        f.session().outcome(SessionOutcome.LEG);
        closed.accept(f);
        CaptureLoop.closeQuietly(f.channel());
        log.info("call {} ({}) is a callee leg of call {}: not a call of its own, not stored",
            Text.printable(built.call().uniqueid()), Text.printable(built.call().channel()), Text.printable(built.call().linkedid()));
        continue;
      }
      for (String w : built.warnings()) log.warn("call {}: {} (stored anyway)", Text.printable(built.call().uniqueid()), w);
      calls.add(built.call());
      CallRecord call = built.call();
      route.answered(call.callerNumber(), call.agent(), call.answer());
    }
    if (batch.isEmpty()) return;
    List<CaptureWriter.Outcome> outcomes;
    try {
      outcomes = writer.captureAll(calls);
    } catch (RuntimeException e) {
      // not expected (the writer reports failures as outcomes), but the sockets must still close
      String why = "capture failed: " + Text.firstLine(e);
      log.error("capturing {} hangups failed unexpectedly", calls.size(), e);
      outcomes = new ArrayList<>();
      for (CallRecord c : calls) outcomes.add(CaptureWriter.lost(c, why));
    }
    long durableMicros = (System.nanoTime() - t0) / 1000;
    for (int i = 0; i < batch.size(); i++) {
      Finished f = batch.get(i);
      CaptureWriter.Outcome o = outcomes.get(i);
      f.session().outcome(switch (o.result()) {
        case ACCEPTED -> SessionOutcome.ACCEPTED;
        case STORED -> SessionOutcome.STORED;
        case DUPLICATE -> SessionOutcome.DUPLICATE;
        case NOT_STORED -> SessionOutcome.NOT_STORED;
      });
      closed.accept(f); // counted before the close: whoever sees the session end sees it counted
      // the usual line after the close (Asterisk need not wait for it), an unusual one before it
      boolean usual = o.result() == CaptureWriter.Result.ACCEPTED;
      if (!usual) logCall(f, calls.get(i), o, durableMicros, batch.size());
      CaptureLoop.closeQuietly(f.channel());
      if (usual) logCall(f, calls.get(i), o, durableMicros, batch.size());
    }
  }

  private static void logCall(Finished f, CallRecord call, CaptureWriter.Outcome o, long durableMicros, int batchSize) {
    log.info("call {} {} ({}, DIALSTATUS {}) in {} µs ({} µs to disk with {} others)", Text.printable(call.uniqueid()),
        switch (o.result()) {
          case ACCEPTED -> "received";
          case STORED -> "stored directly (" + o.reason() + ")";
          case DUPLICATE -> "already stored — nothing added (" + o.reason() + ")";
          case NOT_STORED -> "NOT stored: " + o.reason();
        }, Text.printable(call.channel()), Text.printable(call.dialStatus()),
        (System.nanoTime() - f.session().acceptedNanos()) / 1000, durableMicros, batchSize - 1);
  }

  /**
   * Why sessions cannot end now, or null: the thread stopped, or one batch has been on its way to
   * disk for longer than {@code stuckNanos} at {@code now} (a hung disk) — Asterisk's sessions wait.
   */
  String problem(long now, long stuckNanos) {
    if (running && !thread.isAlive()) return "the agi-commit thread stopped";
    long since = busySince;
    if (since != 0 && now - since > stuckNanos)
      return "a spool write has taken " + TimeUnit.NANOSECONDS.toMillis(now - since) + " ms (" + queue.size() + " sessions waiting)";
    return null;
  }

  /** Commits what is queued, then stops. */
  @Override
  public void close() {
    running = false;
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) log.warn("agi-commit still busy at shutdown");
  }
}
