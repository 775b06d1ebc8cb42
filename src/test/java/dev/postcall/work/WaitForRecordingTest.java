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
  static final Duration UNCLOSED = Duration.ofMinutes(10);

  @Test
  void absent_file_is_reported_at_once() throws Exception {
    var w = new WaitForRecording(OpenFileProbe.NONE, Duration.ofMillis(200), UNCLOSED, clock, sleeper);
    assertEquals(WaitForRecording.State.ABSENT, w.await(tmp.resolve("none.wav"), Duration.ofSeconds(5)).state());
  }

  @Test
  void closed_quiet_file_is_released_after_the_quiet_period() throws Exception {
    Path f = Files.write(tmp.resolve("a.wav"), new byte[1000]);
    var w = new WaitForRecording(OpenFileProbe.NONE, Duration.ofMillis(200), UNCLOSED, clock, sleeper);
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
    var w = new WaitForRecording(OpenFileProbe.NONE, Duration.ofMillis(200), UNCLOSED, clock, sleeper);
    Instant before = clock.instant();
    assertEquals(WaitForRecording.State.RELEASED, w.await(f, Duration.ofSeconds(5)).state());
    assertEquals(before, clock.instant(), "no waiting");
  }

  @Test
  void file_held_open_is_still_writing_after_the_wait() throws Exception {
    Path f = Files.write(tmp.resolve("b.wav"), new byte[1000]);
    var w = new WaitForRecording(file -> true, Duration.ofMillis(200), UNCLOSED, clock, sleeper);
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
    var w = new WaitForRecording(OpenFileProbe.NONE, Duration.ofMillis(200), UNCLOSED, clock, growing);
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
      var w = new WaitForRecording(probe, Duration.ofMillis(50), UNCLOSED, Clock.systemUTC(), WaitForRecording.Sleeper.REAL);
      assertEquals(WaitForRecording.State.STILL_WRITING, w.await(f, Duration.ofMillis(300)).state());
    }
    assertFalse(probe.isOpen(f));
  }

  /** A WAV as MixMonitor leaves it while writing: RIFF and data sizes 0, {@code audio} bytes after the header. */
  static byte[] openWav(int audio) {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(44 + audio).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes()).putInt(0).put("WAVEfmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) 1)
        .putInt(8000).putInt(16000).putShort((short) 2).putShort((short) 16).put("data".getBytes()).putInt(0);
    return b.array();
  }

  /** The same WAV once MixMonitor closed it: sizes filled in. */
  static byte[] closedWav(int audio) {
    byte[] w = openWav(audio);
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(w).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.putInt(4, 36 + audio).putInt(40, audio);
    return w;
  }

  @Test
  void quiet_wav_whose_header_sizes_are_unset_is_still_being_written() throws Exception {
    // MixMonitor buffers 32 KiB: after hangup the file stops growing while an h extension goes on
    Path f = Files.write(tmp.resolve("open.wav"), openWav(32768));
    var w = new WaitForRecording(OpenFileProbe.NONE, Duration.ofMillis(200), UNCLOSED, clock, sleeper);
    var o = w.await(f, Duration.ofSeconds(30));
    assertEquals(WaitForRecording.State.STILL_WRITING, o.state());
  }

  @Test
  void header_only_wav_with_unset_sizes_is_still_being_written_not_empty() throws Exception {
    Path f = Files.write(tmp.resolve("open44.wav"), openWav(0));
    var w = new WaitForRecording(OpenFileProbe.NONE, Duration.ofMillis(200), UNCLOSED, clock, sleeper);
    assertEquals(WaitForRecording.State.STILL_WRITING, w.await(f, Duration.ofSeconds(5)).state());
  }

  @Test
  void closed_wav_is_released_at_once_without_a_quiet_period() throws Exception {
    Path f = Files.write(tmp.resolve("closed.wav"), closedWav(16000));
    var w = new WaitForRecording(OpenFileProbe.NONE, Duration.ofMillis(200), UNCLOSED, clock, sleeper);
    Instant before = clock.instant();
    var o = w.await(f, Duration.ofSeconds(5));
    assertEquals(WaitForRecording.State.RELEASED, o.state());
    assertEquals(16044, o.size());
    assertEquals(before, clock.instant(), "no waiting");
  }

  @Test
  void closed_header_but_file_still_short_waits_for_the_last_buffer() throws Exception {
    byte[] full = closedWav(48000);
    Path f = Files.write(tmp.resolve("finishing.wav"), java.util.Arrays.copyOf(full, 32812));
    AtomicInteger polls = new AtomicInteger();
    WaitForRecording.Sleeper flushesLater = d -> {
      clock.advance(d);
      if (polls.incrementAndGet() == 4) {
        try {
          Files.write(f, full);
        } catch (java.io.IOException e) {
          throw new IllegalStateException(e);
        }
      }
    };
    var w = new WaitForRecording(OpenFileProbe.NONE, Duration.ofMillis(200), UNCLOSED, clock, flushesLater);
    var o = w.await(f, Duration.ofSeconds(5));
    assertEquals(WaitForRecording.State.RELEASED, o.state());
    assertEquals(48044, o.size());
  }

  @Test
  void wav_never_closed_and_unchanged_for_the_unclosed_wait_is_converted_as_it_is() throws Exception {
    Path f = Files.write(tmp.resolve("crashed.wav"), openWav(32768));
    Files.setLastModifiedTime(f, java.nio.file.attribute.FileTime.from(clock.instant().minus(UNCLOSED).minusSeconds(1)));
    var w = new WaitForRecording(OpenFileProbe.NONE, Duration.ofMillis(200), UNCLOSED, clock, sleeper);
    var o = w.await(f, Duration.ofSeconds(5));
    assertEquals(WaitForRecording.State.UNCLOSED, o.state());
    assertEquals(32812, o.size());
  }

  @Test
  void wav_never_closed_but_written_recently_keeps_waiting() throws Exception {
    Path f = Files.write(tmp.resolve("recent.wav"), openWav(32768));
    Files.setLastModifiedTime(f, java.nio.file.attribute.FileTime.from(clock.instant().minus(UNCLOSED).plusSeconds(30)));
    var w = new WaitForRecording(OpenFileProbe.NONE, Duration.ofMillis(200), UNCLOSED, clock, sleeper);
    assertEquals(WaitForRecording.State.STILL_WRITING, w.await(f, Duration.ofSeconds(20)).state());
    assertEquals(WaitForRecording.State.UNCLOSED, w.await(f, Duration.ofSeconds(20)).state());
  }
}
