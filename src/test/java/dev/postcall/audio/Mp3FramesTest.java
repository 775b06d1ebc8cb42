package dev.postcall.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class Mp3FramesTest {
  /** MPEG 2.5 layer III, no CRC, 32 kbit/s, 8000 Hz, mono: 288-byte frames of 576 samples (72 ms). */
  private static final int HEADER = 0x7FF << 21 | 1 << 17 | 1 << 16 | 4 << 12 | 2 << 10 | 3 << 6;

  @Test
  void telephony_frame_is_288_bytes() {
    assertEquals(288, Mp3Frames.frameLength(HEADER));
    assertEquals(289, Mp3Frames.frameLength(HEADER | 1 << 9)); // padded
  }

  @Test
  void rejects_what_is_not_a_layer_iii_header() {
    assertEquals(-1, Mp3Frames.frameLength(0x12345678));
    assertEquals(-1, Mp3Frames.frameLength(HEADER & ~(0xF << 12))); // free bitrate
    assertEquals(-1, Mp3Frames.frameLength(HEADER | 3 << 10));      // reserved sample rate
  }

  @Test
  void counts_audio_frames_after_the_id3_tag_and_skips_the_info_frame() {
    ByteBuffer b = ByteBuffer.allocate(10 + 20 + 11 * 288);
    b.put(new byte[] {'I', 'D', '3', 4, 0, 0, 0, 0, 0, 20}).put(new byte[20]);
    for (int i = 0; i < 11; i++) {
      int at = b.position();
      b.putInt(HEADER);
      if (i == 0) b.position(at + 4 + 9).put(new byte[] {'I', 'n', 'f', 'o'});
      b.position(at + 288);
    }
    b.flip();
    assertEquals(Duration.ofMillis(720), Mp3Frames.duration(b));
  }

  @Test
  void junk_between_frames_is_skipped() {
    ByteBuffer b = ByteBuffer.allocate(3 * 288 + 5);
    b.putInt(HEADER).position(288).put(new byte[] {1, 2, 3, 4, 5}).putInt(HEADER).position(288 + 5 + 288).putInt(HEADER);
    b.position(b.capacity()).flip();
    assertEquals(Duration.ofMillis(216), Mp3Frames.duration(b));
  }

  @Test
  void empty_input_lasts_zero() {
    assertEquals(Duration.ZERO, Mp3Frames.duration(ByteBuffer.allocate(0)));
  }
}
