package dev.postcall.work;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Waits until Asterisk has released a recording: no process holds it open and its size and mtime
 * have not changed for the quiet period. Asterisk closes the WAV a few milliseconds after the AGI
 * socket closes (NOTES.md), so in the normal case this returns within one quiet period.
 */
public final class WaitForRecording {
  /** What the worker found at the recording's path. */
  public enum State { ABSENT, RELEASED, STILL_WRITING }

  public record Outcome(State state, long size) {}

  static final Duration POLL = Duration.ofMillis(25);

  private final OpenFileProbe probe;
  private final Duration quietPeriod;
  private final Clock clock;
  private final Sleeper sleeper;

  /** Sleeping is injectable so tests of the logic run without waiting. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;

    Sleeper REAL = d -> Thread.sleep(d.toMillis());
  }

  public WaitForRecording(OpenFileProbe probe, Duration quietPeriod, Clock clock, Sleeper sleeper) {
    this.probe = probe;
    this.quietPeriod = quietPeriod;
    this.clock = clock;
    this.sleeper = sleeper;
  }

  /** Polls until the file is released, absent, or {@code maxWait} has passed (then STILL_WRITING). */
  public Outcome await(Path file, Duration maxWait) throws IOException, InterruptedException {
    Instant deadline = clock.instant().plus(maxWait);
    Snapshot last = null;
    Instant stableSince = null;
    while (true) {
      Snapshot now = Snapshot.of(file);
      if (now == null) return new Outcome(State.ABSENT, 0);
      if (!now.equals(last)) {
        // The first look trusts the file's own mtime: a recording last written minutes ago (a
        // backlog after an outage) is quiet already and need not wait a quiet period of its own.
        Instant seen = clock.instant();
        Instant modified = Instant.EPOCH.plusNanos(now.mtimeNanos());
        stableSince = last == null && modified.isBefore(seen) ? modified : seen;
        last = now;
      }
      boolean quiet = !clock.instant().isBefore(stableSince.plus(quietPeriod));
      if (quiet && !probe.isOpen(file)) return new Outcome(State.RELEASED, now.size());
      if (!clock.instant().isBefore(deadline)) return new Outcome(State.STILL_WRITING, now.size());
      sleeper.sleep(POLL);
    }
  }

  private record Snapshot(long size, long mtimeNanos) {
    static Snapshot of(Path f) throws IOException {
      try {
        BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
        return new Snapshot(a.size(), a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS));
      } catch (NoSuchFileException e) {
        return null;
      }
    }
  }
}
