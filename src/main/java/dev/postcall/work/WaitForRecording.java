package dev.postcall.work;

import dev.postcall.PostcallException;
import dev.postcall.audio.WavInfo;
import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Waits until Asterisk has finished a recording. The WAV header decides, because it works for
 * every user and host: MixMonitor leaves the RIFF and data sizes at 0 while it writes and fills
 * them in only when it closes the file (checked on Asterisk 22: the file also stops growing for
 * as long as an {@code h} extension goes on after the AGI line, with up to 32 KiB of audio still
 * in Asterisk's buffer). A closed header whose sizes match the file is finished; sizes still 0 are
 * still being written, unless the file has not changed for {@code unclosedWait} (Asterisk died
 * without closing it: what is there is converted). A file that is no WAV falls back to the quiet
 * period. Where the {@link OpenFileProbe} can see Asterisk's descriptors, it must agree too.
 */
public final class WaitForRecording {
  /** What the worker found at the recording's path. */
  public enum State {
    ABSENT,
    RELEASED,
    STILL_WRITING,
    /** Header sizes never filled in and the file unchanged for the unclosed wait: convert what is there. */
    UNCLOSED
  }

  public record Outcome(State state, long size) {}

  static final Duration POLL = Duration.ofMillis(25);

  private final OpenFileProbe probe;
  private final Duration quietPeriod;
  private final Duration unclosedWait;
  private final Clock clock;
  private final Sleeper sleeper;

  /** Sleeping is injectable so tests of the logic run without waiting. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;

    Sleeper REAL = d -> Thread.sleep(d.toMillis());
  }

  public WaitForRecording(OpenFileProbe probe, Duration quietPeriod, Duration unclosedWait, Clock clock, Sleeper sleeper) {
    this.probe = probe;
    this.quietPeriod = quietPeriod;
    this.unclosedWait = unclosedWait;
    this.clock = clock;
    this.sleeper = sleeper;
  }

  /** Polls until the file is finished, absent, or {@code maxWait} has passed (then STILL_WRITING). */
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
        Instant modified = now.modified();
        stableSince = last == null && modified.isBefore(seen) ? modified : seen;
        last = now;
      }
      Instant t = clock.instant();
      Header h = Header.of(file);
      boolean done = switch (h) {
        case CLOSED -> true;
        case NOT_WAV -> !t.isBefore(stableSince.plus(quietPeriod));
        case OPEN, FINISHING -> false;
      };
      if (done && !probe.isOpen(file)) return new Outcome(State.RELEASED, now.size());
      if (!done && !t.isBefore(stableSince.plus(unclosedWait)))
        return new Outcome(h == Header.OPEN ? State.UNCLOSED : State.RELEASED, now.size());
      if (!t.isBefore(deadline)) return new Outcome(State.STILL_WRITING, now.size());
      sleeper.sleep(POLL);
    }
  }

  /** What the header says about the writer. */
  enum Header {
    /** Sizes filled in and the file holds all they promise. */
    CLOSED,
    /** Sizes still 0 (or the streaming 0xFFFFFFFF), or not even a whole header yet. */
    OPEN,
    /** Sizes filled in but the file is shorter: the writer's last buffer is on its way, or a copy was cut short. */
    FINISHING,
    /** Not a WAV: the header cannot tell. */
    NOT_WAV;

    static Header of(Path file) throws IOException {
      try (SeekableByteChannel ch = Files.newByteChannel(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
        if (ch.size() < 44) return OPEN; // MixMonitor creates the file before it writes the header
        WavInfo w = WavInfo.read(file, ch);
        if (w.closed()) return CLOSED;
        return w.sizesUnset() ? OPEN : FINISHING;
      } catch (NoSuchFileException e) {
        return OPEN; // gone between the two looks: the next look reports it absent
      } catch (PostcallException e) {
        return NOT_WAV;
      } catch (IOException e) {
        // a symlink (refused by NOFOLLOW) or unreadable: the conversion will say why
        return NOT_WAV;
      }
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

    Instant modified() {
      return Instant.EPOCH.plusNanos(mtimeNanos);
    }
  }
}
