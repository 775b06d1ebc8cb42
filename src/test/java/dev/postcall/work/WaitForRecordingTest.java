package dev.postcall.work;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.MutableClock;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WaitForRecordingTest {
  @TempDir Path tmp;
  MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
  /** Sleeping moves the test clock instead of waiting. */
  WaitForRecording.Sleeper sleeper = d -> clock.advance(d);

  @Test
  void absent_file_is_reported_at_once() throws Exception {
    var w = new WaitForRecording(OpenFileProbe.NONE, Duration.ofMillis(200), clock, sleeper);
    assertEquals(WaitForRecording.State.ABSENT, w.await(tmp.resolve("none.wav"), Duration.ofSeconds(5)).state());
  }

  @Test
  void closed_quiet_file_is_released_after_the_quiet_period() throws Exception {
    Path f = Files.write(tmp.resolve("a.wav"), new byte[1000]);
    var w = new WaitForRecording(OpenFileProbe.NONE, Duration.ofMillis(200), clock, sleeper);
    Instant before = clock.instant();
    var o = w.await(f, Duration.ofSeconds(5));
    assertEquals(WaitForRecording.State.RELEASED, o.state());
    assertEquals(1000, o.size());
    assertTrue(Duration.between(before, clock.instant()).compareTo(Duration.ofMillis(200)) >= 0);
  }

  @Test
  void file_last_written_long_ago_is_released_without_a_quiet_period_of_its_own() throws Exception {
    Path f = Files.write(tmp.resolve("old.wav"), new byte[1000]);
    Files.setLastModifiedTime(f, java.nio.file.attribute.FileTime.from(clock.instant().minusSeconds(3600)));
    var w = new WaitForRecording(OpenFileProbe.NONE, Duration.ofMillis(200), clock, sleeper);
    Instant before = clock.instant();
    assertEquals(WaitForRecording.State.RELEASED, w.await(f, Duration.ofSeconds(5)).state());
    assertEquals(before, clock.instant(), "no waiting");
  }

  @Test
  void file_held_open_is_still_writing_after_the_wait() throws Exception {
    Path f = Files.write(tmp.resolve("b.wav"), new byte[1000]);
    var w = new WaitForRecording(file -> true, Duration.ofMillis(200), clock, sleeper);
    assertEquals(WaitForRecording.State.STILL_WRITING, w.await(f, Duration.ofSeconds(2)).state());
  }

  @Test
  void growing_file_is_released_only_once_it_stops_growing() throws Exception {
    Path f = Files.write(tmp.resolve("c.wav"), new byte[100]);
    AtomicInteger grows = new AtomicInteger(10);
    WaitForRecording.Sleeper growing = d -> {
      clock.advance(d);
      if (grows.getAndDecrement() > 0) {
        try {
          Files.write(f, new byte[100], StandardOpenOption.APPEND);
        } catch (java.io.IOException e) {
          throw new IllegalStateException(e);
        }
      }
    };
    var w = new WaitForRecording(OpenFileProbe.NONE, Duration.ofMillis(200), clock, growing);
    var o = w.await(f, Duration.ofSeconds(5));
    assertEquals(WaitForRecording.State.RELEASED, o.state());
    assertEquals(1100, o.size());
  }

  @Test
  void proc_probe_sees_a_file_this_process_holds_open() throws Exception {
    Path f = Files.write(tmp.resolve("d.wav"), new byte[10]);
    ProcOpenFiles probe = new ProcOpenFiles();
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.APPEND)) {
      assertTrue(probe.isOpen(f));
      var w = new WaitForRecording(probe, Duration.ofMillis(50), Clock.systemUTC(), WaitForRecording.Sleeper.REAL);
      assertEquals(WaitForRecording.State.STILL_WRITING, w.await(f, Duration.ofMillis(300)).state());
    }
    assertFalse(probe.isOpen(f));
  }
}
