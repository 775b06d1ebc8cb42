package dev.postcall.work;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ShortRecordingTest {
  @Test
  void three_seconds_of_an_eight_second_talk_is_short() {
    assertTrue(ShortRecording.isShort(Duration.ofSeconds(3), 8));
  }

  @Test
  void a_recording_that_starts_a_moment_late_is_not() {
    assertFalse(ShortRecording.isShort(Duration.ofMillis(5_200), 6));
    assertFalse(ShortRecording.isShort(Duration.ofMillis(57_500), 60), "2.5 s of 60: less than a fifth");
  }

  @Test
  void audio_well_past_the_calls_end_means_its_timing_ended_early() {
    // FlowsMorePbxIT: the h-form picker delivered with 1 s (h ran at the pickup), its MP3 3020 ms
    assertTrue(ShortRecording.outlastsCall(Duration.ofMillis(3_020), 1));
    // duration is whole seconds, cut: up to a second more audio is the call's own
    assertFalse(ShortRecording.outlastsCall(Duration.ofMillis(3_100), 2));
    assertFalse(ShortRecording.outlastsCall(Duration.ofMillis(3_020), 3));
    assertFalse(ShortRecording.outlastsCall(Duration.ofSeconds(3), null));
  }

  @Test
  void nothing_to_compare_without_talk_time() {
    assertFalse(ShortRecording.isShort(Duration.ofSeconds(1), 0));
    assertFalse(ShortRecording.isShort(Duration.ofSeconds(1), null));
    assertFalse(ShortRecording.isShort(null, 8));
  }

  @Test
  void several_recordings_cover_the_union_of_their_spans() {
    java.time.Instant t = java.time.Instant.parse("2026-12-06T22:00:00Z");
    // a whole-call file (8 s) and a destination's file over its last 3 s: 8 s, not 11
    assertEquals(Duration.ofSeconds(8), ShortRecording.covered(java.util.List.of(
        new dev.postcall.queue.CallRecording(1, "a.wav", t, 8000L, null),
        new dev.postcall.queue.CallRecording(2, "b.wav", t.plusSeconds(5), 3000L, null))));
    // one after the other (the caller's MixMonitor stopped at the transfer): 4 + 3 s
    assertEquals(Duration.ofSeconds(7), ShortRecording.covered(java.util.List.of(
        new dev.postcall.queue.CallRecording(1, "a.wav", t, 4000L, null),
        new dev.postcall.queue.CallRecording(2, "b.wav", t.plusSeconds(5), 3000L, null))));
    assertTrue(ShortRecording.isShort(Duration.ofSeconds(7), 12), "7 of 12 s covered");
    // start unknown: at least the longest file
    assertEquals(Duration.ofSeconds(5), ShortRecording.covered(java.util.List.of(
        new dev.postcall.queue.CallRecording(1, "a.wav", null, 5000L, null),
        new dev.postcall.queue.CallRecording(2, "b.wav", t, 3000L, null))));
  }
}
