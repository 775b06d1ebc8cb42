package dev.postcall.work;

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
  void nothing_to_compare_without_talk_time() {
    assertFalse(ShortRecording.isShort(Duration.ofSeconds(1), 0));
    assertFalse(ShortRecording.isShort(Duration.ofSeconds(1), null));
    assertFalse(ShortRecording.isShort(null, 8));
  }
}
