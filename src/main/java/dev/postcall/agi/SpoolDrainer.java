package dev.postcall.agi;

import dev.postcall.call.CallRecord;
import dev.postcall.queue.CallStore;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the spool small and makes sure every line in it reaches the database. Normally the
 * {@link CaptureWriter} has committed every line, and a drain step just empties the file. Lines
 * nobody confirmed — the database was down, a line was still unconfirmed a whole interval later,
 * or they are from before a restart — are re-inserted from the file; a file set aside by size is
 * deleted unread once the writer has confirmed all its lines. Idempotent: the store ignores
 * a uniqueid it has, so a line the writer did commit is stored once. A file is deleted only after
 * the commit.
 */
final class SpoolDrainer {
  private static final Logger log = LoggerFactory.getLogger(SpoolDrainer.class);
  private static final int CHUNK = 500;
  /**
   * Lines after which the active file is set aside even though the writer keeps up: under a steady
   * stream of hangups some line is always in flight, so the file is never found all confirmed.
   * (Re-reading it instead cost ~10 % of a core at 4,000 hangups/s, for calls already stored.)
   */
  static final int ROTATE_LINES = 10_000;

  private final Spool spool;
  private final CallStore store;
  private final CaptureWriter writer;
  private final int rotateLines;
  private volatile boolean failing;
  /** The active file as the previous step saw it. */
  private Spool.Progress last;

  SpoolDrainer(Spool spool, CallStore store, CaptureWriter writer) {
    this(spool, store, writer, ROTATE_LINES);
  }

  SpoolDrainer(Spool spool, CallStore store, CaptureWriter writer, int rotateLines) {
    this.spool = spool;
    this.store = store;
    this.writer = writer;
    this.rotateLines = rotateLines;
    this.last = spool.progress(); // lines from before this start count as unconfirmed since then
  }

  /**
   * One step; returns how many events were re-inserted from the file. With {@code now}, lines
   * still unconfirmed are re-inserted at once instead of after an interval (tests, shutdown).
   * Never throws: a loop calls this.
   */
  synchronized int drainOnce(boolean now) {
    int moved = 0;
    try {
      // In an outage, ask the database first: reading or renaming spool files while it is away
      // only competes with the sessions appending meanwhile.
      if (!writer.healthy()) store.insertAll(List.of());
      Path left = spool.leftover();
      if (left != null) {
        if (spool.drainingConfirmed()) spool.drained(left); // the writer confirmed every line: nothing to re-read
        else moved += drain(left);
      }
      Spool.Progress p = spool.progress();
      if (p.allCommitted()) {
        spool.retire(p.generation());
      } else if (now || !writer.healthy() || unconfirmedSinceLastStep(p)) {
        Path file = spool.takeForDrain();
        if (file != null) moved += drain(file);
      } else if (p.appended() >= rotateLines && spool.leftover() == null) {
        // Under a steady stream some line is always in flight, so the file is never found all
        // confirmed: set it aside and start a new one. Its lines are confirmed as the writer commits
        // them, and it is deleted unread; only lines still unconfirmed a step later are re-inserted.
        spool.takeForDrain();
      }
      last = spool.progress();
      writer.databaseAnswered();
      failing = false;
    } catch (Exception e) {
      last = spool.progress();
      if (!failing)
        log.warn("spool drain failed ({}) — {} events wait in the spool; retrying", Text.firstLine(e), spool.size());
      failing = true;
    }
    return moved;
  }

  /** Lines that were in the file a whole step ago are still not confirmed (the writer gave up on them). */
  private boolean unconfirmedSinceLastStep(Spool.Progress p) {
    return p.generation() == last.generation() && p.committed() < last.appended();
  }

  private int drain(Path file) throws Exception {
    List<CallRecord> calls = spool.read(file);
    int added = 0;
    for (int i = 0; i < calls.size(); i += CHUNK) {
      List<CallRecord> chunk = calls.subList(i, Math.min(calls.size(), i + CHUNK));
      try {
        for (boolean isNew : store.insertAll(chunk)) if (isNew) added++;
      } catch (Exception e) {
        if (DatabaseErrors.unreachable(e)) throw e;
        added += oneByOne(chunk); // one event the database refuses must not block the spool forever
      }
    }
    spool.drained(file);
    log.info("spool drained: {} hangup events, {} new, {} already stored", calls.size(), added, calls.size() - added);
    return calls.size();
  }

  private int oneByOne(List<CallRecord> chunk) throws Exception {
    int added = 0;
    for (CallRecord c : chunk) {
      try {
        if (store.insert(c)) added++;
      } catch (Exception e) {
        if (DatabaseErrors.unreachable(e)) throw e;
        spool.reject(c, Text.firstLine(e));
      }
    }
    return added;
  }
}
