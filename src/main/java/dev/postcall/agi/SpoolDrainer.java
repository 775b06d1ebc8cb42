package dev.postcall.agi;

import dev.postcall.queue.CallRecord;
import dev.postcall.queue.CallStore;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves spooled hangup events into the database once it answers. Idempotent: the store ignores a
 * uniqueid it has, so an event that was committed late and also spooled is stored once. The
 * spool file is deleted only after the commit.
 */
final class SpoolDrainer {
  private static final Logger log = LoggerFactory.getLogger(SpoolDrainer.class);
  private static final int CHUNK = 500;

  private final Spool spool;
  private final CallStore store;
  private final CaptureWriter writer;
  private volatile boolean failing;

  SpoolDrainer(Spool spool, CallStore store, CaptureWriter writer) {
    this.spool = spool;
    this.store = store;
    this.writer = writer;
  }

  /** One attempt; returns how many spooled events were moved. Never throws: a loop calls this. */
  synchronized int drainOnce() {
    int moved = 0;
    try {
      // the file left by an earlier attempt first, then what was appended meanwhile
      for (int round = 0; round < 4; round++) {
        Path file = spool.takeForDrain();
        if (file == null) break;
        moved += drain(file);
      }
      if (moved == 0 && !writer.healthy()) store.insertAll(List.of()); // nothing spooled: is it back?
      writer.databaseAnswered();
      failing = false;
    } catch (Exception e) {
      if (!failing)
        log.warn("spool drain failed ({}) — {} events wait in the spool; retrying", Text.firstLine(e), spool.size());
      failing = true;
    }
    return moved;
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
    spool.drained(file, calls.size());
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
