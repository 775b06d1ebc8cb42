package dev.postcall.agi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postcall.queue.CallRecord;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local append-only file hangup events go to when the database does not answer within the
 * budget: {@code spool.jsonl}, one JSON line per event, forced to disk before the AGI session
 * ends — so an event Asterisk saw acknowledged survives a crash. The drainer first renames the
 * file to {@code spool.draining.jsonl} (new events start a fresh file), inserts its events and
 * deletes it only after the commit; a crash in between leaves it to be drained at the next start.
 * Lines that do not parse go to {@code spool.rejected} with a log line — kept, never dropped.
 */
final class Spool implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Spool.class);
  static final String ACTIVE = "spool.jsonl";
  static final String DRAINING = "spool.draining.jsonl";
  static final String REJECTED = "spool.rejected";

  private final Path dir;
  private final Clock clock;
  private final ObjectMapper json = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  private final AtomicLong events = new AtomicLong();
  /** Held while forcing; taken before {@code this} when both are needed (rotation). */
  private final Object syncLock = new Object();
  private FileChannel active;
  private long written; // appends so far (guarded by this)
  private long synced; // appends known to be on disk (guarded by syncLock)

  Spool(Path dir, Clock clock) throws IOException {
    this.dir = dir;
    this.clock = clock;
    Files.createDirectories(dir);
    // Jackson builds its serializer on first use (~100 ms); do it now, not in the first outage.
    json.writeValueAsString(SpoolEntry.of(new CallRecord("warm-up", null, null, null, null, null, null, null,
        null, null, null, null, null, null, null, null, null, null, CallRecord.Source.AGI), clock.instant(), ""));
    json.readValue("{\"v\":1,\"uniqueid\":\"warm-up\"}", SpoolEntry.class);
    long n = countLines(dir.resolve(ACTIVE)) + countLines(dir.resolve(DRAINING));
    events.set(n);
    if (n > 0) log.info("spool {} holds {} hangup events from before — they go to the database when it answers", dir, n);
  }

  /** Events waiting in the spool. */
  long size() {
    return events.get();
  }

  Path dir() {
    return dir;
  }

  /**
   * Appends the event and returns once it is on disk. Forcing is shared: when many sessions spool
   * at once (the database just went away under a burst), one force covers every line written
   * before it, instead of each session queueing for its own.
   */
  void append(CallRecord call, String reason) throws IOException {
    byte[] line = (json.writeValueAsString(SpoolEntry.of(call, clock.instant(), reason)) + "\n")
        .getBytes(StandardCharsets.UTF_8);
    long mine;
    synchronized (this) {
      FileChannel ch = active();
      ByteBuffer buf = ByteBuffer.wrap(line);
      while (buf.hasRemaining()) ch.write(buf);
      mine = ++written;
    }
    events.incrementAndGet();
    synchronized (syncLock) {
      if (synced >= mine) return;
      FileChannel ch;
      long upTo;
      synchronized (this) {
        ch = active;
        upTo = written;
      }
      ch.force(false);
      synced = upTo;
    }
  }

  private FileChannel active() throws IOException {
    if (active == null) {
      Path p = dir.resolve(ACTIVE);
      active = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
      // A crash mid-append leaves a torn last line; end it so the next event is not glued to it.
      long size = active.size();
      if (size > 0) {
        ByteBuffer last = ByteBuffer.allocate(1);
        try (FileChannel r = FileChannel.open(p, StandardOpenOption.READ)) {
          r.read(last, size - 1);
        }
        if (last.get(0) != '\n') active.write(ByteBuffer.wrap(new byte[] {'\n'}));
      }
    }
    return active;
  }

  /**
   * The file to drain: the one left from an earlier drain, else the active file renamed (null when
   * there is nothing to drain).
   */
  Path takeForDrain() throws IOException {
    synchronized (syncLock) {
      synchronized (this) {
        Path draining = dir.resolve(DRAINING);
        if (Files.exists(draining)) return draining;
        Path act = dir.resolve(ACTIVE);
        if (!Files.exists(act) || Files.size(act) == 0) return null;
        if (active != null) {
          active.force(false);
          synced = written;
          active.close();
          active = null;
        }
        Files.move(act, draining, StandardCopyOption.ATOMIC_MOVE);
        syncDir();
        return draining;
      }
    }
  }

  /**
   * Reads the events of a file taken for draining. Lines that are not valid events are appended to
   * {@code spool.rejected} and removed from the file, so they are reported once.
   */
  synchronized List<CallRecord> read(Path file) throws IOException {
    List<CallRecord> calls = new ArrayList<>();
    List<String> good = new ArrayList<>();
    List<String> bad = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8))) {
      String line;
      int no = 0;
      while ((line = r.readLine()) != null) {
        no++;
        if (line.isBlank()) continue;
        try {
          calls.add(json.readValue(line, SpoolEntry.class).call());
          good.add(line);
        } catch (JsonProcessingException | IllegalArgumentException e) {
          bad.add(line);
          log.error("spool {} line {} is not a hangup event ({}) — moved to {} for a human to look at",
              file, no, Text.printable(e.getMessage()), REJECTED);
        }
      }
    }
    if (!bad.isEmpty()) {
      appendRejected(bad);
      Path tmp = dir.resolve(DRAINING + ".tmp");
      Files.write(tmp, good, StandardCharsets.UTF_8);
      try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        c.force(false);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      events.addAndGet(-bad.size());
    }
    return calls;
  }

  /** An event the database refuses for good: kept in {@code spool.rejected} with the reason. */
  synchronized void reject(CallRecord call, String reason) throws IOException {
    log.error("call {}: the database refuses the spooled event ({}) — moved to {} for a human to look at",
        Text.printable(call.uniqueid()), reason, REJECTED);
    appendRejected(List.of(json.writeValueAsString(SpoolEntry.of(call, clock.instant(), "rejected: " + reason))));
  }

  private void appendRejected(List<String> lines) throws IOException {
    try (FileChannel rej = FileChannel.open(dir.resolve(REJECTED), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      rej.write(ByteBuffer.wrap((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8)));
      rej.force(false);
    }
  }

  /** The file's events are committed: remove it. */
  synchronized void drained(Path file, int count) throws IOException {
    Files.deleteIfExists(file);
    syncDir();
    events.addAndGet(-count);
  }

  private void syncDir() {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // not every file system lets a directory be synced; the rename itself is still atomic
    }
  }

  private static long countLines(Path p) throws IOException {
    if (!Files.exists(p)) return 0;
    // bytes, not a UTF-8 reader: a damaged file must still open (its bad lines are rejected later)
    long n = 0;
    boolean content = false;
    try (InputStream in = new BufferedInputStream(Files.newInputStream(p))) {
      int b;
      while ((b = in.read()) >= 0) {
        if (b == '\n') {
          if (content) n++;
          content = false;
        } else if (b != ' ' && b != '\r' && b != '\t') {
          content = true;
        }
      }
    }
    return content ? n + 1 : n;
  }

  @Override
  public void close() throws IOException {
    synchronized (syncLock) {
      synchronized (this) {
        if (active != null) {
          active.force(false);
          active.close();
          active = null;
        }
      }
    }
  }
}
