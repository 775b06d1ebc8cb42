package dev.postcall.agi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postcall.FileModes;
import dev.postcall.call.CallRecord;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local append-only file every hangup event is written to before its AGI session ends:
 * {@code spool.jsonl}, one JSON line per event, forced to disk first — so an event Asterisk saw
 * acknowledged survives a crash, and no session ever waits for the database (an fsync here takes
 * a fraction of a millisecond; a database commit, several). The {@link CaptureWriter} then puts
 * the events into the database and reports them {@link #committed}; once every line of the file
 * is committed the file is emptied. Lines nobody confirmed (the database was down, the process
 * crashed) are re-inserted by the {@link SpoolDrainer}: it renames the file to
 * {@code spool.draining.jsonl} (new events start a fresh file), inserts its events — idempotent on
 * uniqueid, so a line that did reach the database adds nothing — and deletes it after the commit.
 * Lines that do not parse go to {@code spool.rejected} with a log line — kept, never dropped.
 */
final class Spool implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Spool.class);
  static final String ACTIVE = "spool.jsonl";
  static final String DRAINING = "spool.draining.jsonl";
  static final String REJECTED = "spool.rejected";
  static final String LOCK = "spool.lock";

  private final Path dir;
  private final Clock clock;
  private final ObjectMapper json = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  /** Events in {@code spool.draining.jsonl} not known to be in the database. */
  private final AtomicLong draining = new AtomicLong();
  /** The generation the draining file held while it was active; -1 when unknown (from before a start). */
  private long drainingGeneration = -1; // guarded by this
  /** Held while forcing; taken before {@code this} when both are needed (rotation). */
  private final Object syncLock = new Object();
  private FileChannel active;
  /** Held for the spool's life: a second process on this folder would truncate or rename lines we have not confirmed. */
  private final FileChannel lockFile;
  private final FileLock lock;
  private final String pbxId;
  private long written; // appends so far (guarded by this)
  private long synced; // appends known to be on disk (guarded by syncLock)
  // The active file's lines: a generation starts each time the file is emptied or renamed, so a
  // commit reported for lines of an earlier generation is not counted against the new file.
  private long generation; // guarded by this
  private long appended; // lines in the active file (guarded by this)
  private long committed; // of which known to be in the database (guarded by this)

  /** The active file's state: {@code committed == appended} means nothing in it needs draining. */
  record Progress(long generation, long appended, long committed) {
    boolean allCommitted() {
      return committed >= appended;
    }
  }

  Spool(Path dir, Clock clock) throws IOException {
    this(dir, clock, dev.postcall.config.PostcallConfig.Pbx.defaultId());
  }

  /** {@code pbxId}: this node's PBX, the PBX of a line written before lines named theirs. */
  Spool(Path dir, Clock clock, String pbxId) throws IOException {
    this.pbxId = pbxId;
    this.dir = dir;
    this.clock = clock;
    // call data: not for every local account (0750 folder, 0640 files)
    FileModes.createDirectories(dir);
    FileModes.restrict(dir);
    lockFile = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock held;
    try {
      held = lockFile.tryLock();
    } catch (OverlappingFileLockException e) {
      held = null; // this process already holds it (a second service in one JVM)
    }
    if (held == null) {
      lockFile.close();
      throw new InUseException(dir);
    }
    lock = held;
    // Jackson builds its serializer on first use (~100 ms); do it now, not in the first outage.
    json.writeValueAsString(SpoolEntry.of(new CallRecord("warm-up", null, null, null, null, null, null, null,
        null, null, null, null, null, null, null, null, null, null, CallRecord.Source.AGI, pbxId), clock.instant(), ""));
    json.readValue("{\"v\":1,\"uniqueid\":\"warm-up\"}", SpoolEntry.class);
    draining.set(countLines(dir.resolve(DRAINING)));
    appended = countLines(dir.resolve(ACTIVE)); // from before this start: none known committed
    long n = appended + draining.get();
    if (n > 0) log.info("spool {} holds {} hangup events from before — they go to the database when it answers", dir, n);
  }

  /** Events in the spool not known to be in the database. */
  long size() {
    synchronized (this) {
      return draining.get() + appended - committed;
    }
  }

  synchronized Progress progress() {
    return new Progress(generation, appended, committed);
  }

  /** {@code count} lines appended in {@code generation} are committed to the database. */
  synchronized void committed(long generation, int count) {
    if (generation == this.generation) committed += count;
    else if (generation == drainingGeneration) draining.addAndGet(-count);
  }

  /**
   * The draining file was taken from this process's active file and the writer has since confirmed
   * every one of its lines: it can be deleted without reading it back.
   */
  synchronized boolean drainingConfirmed() {
    return drainingGeneration >= 0 && draining.get() <= 0 && leftover() != null;
  }

  Path dir() {
    return dir;
  }

  /**
   * Appends the event and returns once it is on disk, with the generation its line belongs to.
   * Forcing is shared: when many threads append at once, one force covers every line written
   * before it, instead of each queueing for its own.
   */
  long append(CallRecord call, String reason) throws IOException {
    return appendAll(List.of(call), reason);
  }

  /**
   * Appends the events (one write) and returns once they are on disk, with the generation their
   * lines belong to: the capture's committer hands over every session that finished while the
   * previous batch was being forced, so one fsync covers them all.
   */
  long appendAll(List<CallRecord> calls, String reason) throws IOException {
    StringBuilder lines = new StringBuilder(calls.size() * 700);
    Instant now = clock.instant();
    for (CallRecord call : calls) lines.append(json.writeValueAsString(SpoolEntry.of(call, now, reason))).append('\n');
    byte[] bytes = lines.toString().getBytes(StandardCharsets.UTF_8);
    long mine;
    long gen;
    synchronized (this) {
      FileChannel ch = active();
      ByteBuffer buf = ByteBuffer.wrap(bytes);
      while (buf.hasRemaining()) ch.write(buf);
      mine = ++written;
      appended += calls.size();
      gen = generation;
    }
    synchronized (syncLock) {
      if (synced >= mine) return gen;
      FileChannel ch;
      long upTo;
      synchronized (this) {
        ch = active;
        upTo = written;
      }
      ch.force(false);
      synced = upTo;
    }
    return gen;
  }

  private FileChannel active() throws IOException {
    if (active == null) {
      Path p = dir.resolve(ACTIVE);
      boolean fresh = Files.notExists(p);
      active = FileChannel.open(p, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND),
          FileModes.newFile());
      if (fresh) syncDir(); // a new file's name must survive a crash too, not just its lines
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

  /** The file an earlier drain left (a crash, the database down again), or null. */
  Path leftover() {
    Path d = dir.resolve(DRAINING);
    return Files.exists(d) ? d : null;
  }

  /**
   * Empties the active file if every line of {@code generation} is committed (the normal case: the
   * writer stored them all) — nothing to read back. False if lines arrived or the file changed.
   */
  boolean retire(long generation) throws IOException {
    synchronized (syncLock) {
      synchronized (this) {
        if (generation != this.generation || committed < appended || appended == 0) return false;
        // Truncated, not deleted: no new file name to sync. A crash before the truncation reaches
        // the disk leaves committed lines, which a restart re-inserts to no effect. (Lines are only
        // committed after this process appended them, so the file is open unless the spool closed.)
        if (active != null) active.truncate(0);
        nextGeneration();
        return true;
      }
    }
  }

  /**
   * Renames the active file for draining (null when it is empty); new events start a fresh file.
   * Call only when {@link #leftover()} is null.
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
        this.draining.set(appended - committed);
        drainingGeneration = generation;
        nextGeneration();
        return draining;
      }
    }
  }

  private void nextGeneration() {
    generation++;
    appended = 0;
    committed = 0;
  }

  /**
   * Reads the events of a file taken for draining. Lines that are not valid events are appended to
   * {@code spool.rejected} and removed from the file, so they are reported once. Not under the
   * spool's lock: nobody appends to a file taken for draining, and only the drainer reads, rewrites
   * or deletes it — sessions appending meanwhile must not wait for a read of thousands of lines.
   */
  List<CallRecord> read(Path file) throws IOException {
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
          calls.add(json.readValue(line, SpoolEntry.class).call(pbxId));
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
      Files.deleteIfExists(tmp);
      Files.createFile(tmp, FileModes.newFile());
      Files.write(tmp, good, StandardCharsets.UTF_8);
      try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        c.force(false);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      draining.addAndGet(-bad.size());
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
    try (FileChannel rej = FileChannel.open(dir.resolve(REJECTED), java.util.Set.of(StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.APPEND), FileModes.newFile())) {
      rej.write(ByteBuffer.wrap((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8)));
      rej.force(false);
    }
  }

  /** The draining file's events are committed: remove it. */
  synchronized void drained(Path file) throws IOException {
    Files.deleteIfExists(file);
    syncDir();
    draining.set(0);
    drainingGeneration = -1;
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

  /**
   * At stop: drops the lines the database has confirmed, so that the count logged now and the one
   * the next start finds agree (and the next start re-inserts nothing already stored).
   */
  void forgetConfirmed() throws IOException {
    Progress p = progress();
    if (p.allCommitted()) retire(p.generation());
    Path left = leftover();
    if (left != null && drainingConfirmed()) drained(left);
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
        if (lockFile.isOpen()) {
          lock.release();
          lockFile.close();
        }
      }
    }
  }

  /** Another process (or another spool in this one) holds the folder's lock. */
  static final class InUseException extends IOException {
    InUseException(Path dir) {
      super(dir.toAbsolutePath() + " is in use by another postcall process (" + LOCK + " is locked)");
    }
  }
}
