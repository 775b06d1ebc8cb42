package dev.postcall.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.PostcallException;
import dev.postcall.sim.WavWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WavInfoTest {
  @TempDir Path dir;

  @Test
  void reads_asterisks_answered_recording() throws IOException {
    WavInfo w = WavInfo.read(resource("answered-101.wav"));
    assertEquals(1, w.format());
    assertEquals(8000, w.sampleRate());
    assertEquals(1, w.channels());
    assertEquals(16, w.bitsPerSample());
    assertEquals(44, w.dataOffset());
    assertEquals(47680, w.dataBytes());
    assertEquals(Duration.ofMillis(2980), w.duration());
    assertFalse(w.sizesUnset() || w.truncated() || w.headerOnly());
  }

  @Test
  void recognises_the_header_only_file_of_an_unanswered_call() throws IOException {
    WavInfo w = WavInfo.read(resource("busy-200-empty.wav"));
    assertTrue(w.headerOnly());
    assertEquals(44, w.fileBytes());
    assertEquals(Duration.ZERO, w.duration());
  }

  @Test
  void still_open_header_counts_the_bytes_present() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(WavWriter.header(8000, 1, -1));
    WavWriter.writeTone(b, 8000 * 5, 8000, 440);
    Path wav = Files.write(dir.resolve("open.wav"), b.toByteArray());

    WavInfo w = WavInfo.read(wav);
    assertTrue(w.sizesUnset());
    assertFalse(w.truncated());
    assertEquals(Duration.ofSeconds(5), w.duration());
  }

  @Test
  void skips_chunks_before_data_and_their_padding() throws IOException {
    byte[] h = WavWriter.header(8000, 1, 16000);
    ByteBuffer b = ByteBuffer.allocate(36 + 8 + 3 + 1 + 8 + 16000).order(ByteOrder.LITTLE_ENDIAN);
    b.put(h, 0, 36);                                     // RIFF + fmt
    b.put("LIST".getBytes()).putInt(3).put(new byte[] {1, 2, 3}).put((byte) 0); // odd-sized, padded
    b.put("data".getBytes()).putInt(16000).put(new byte[16000]);
    Path wav = Files.write(dir.resolve("list.wav"), b.array());

    WavInfo w = WavInfo.read(wav);
    assertEquals(36 + 12 + 8, w.dataOffset());
    assertEquals(Duration.ofSeconds(1), w.duration());
  }

  @Test
  void header_promising_more_than_the_file_holds_is_truncated() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(WavWriter.header(8000, 1, 32000));
    b.write(new byte[1000]);
    WavInfo w = WavInfo.read(Files.write(dir.resolve("cut.wav"), b.toByteArray()));
    assertTrue(w.truncated());
    assertEquals(1000, w.dataBytes());
  }

  @Test
  void rejects_riff_files_that_are_not_wave() throws IOException {
    byte[] h = WavWriter.header(8000, 1, 0);
    h[8] = 'A';
    h[9] = 'V';
    h[10] = 'I';
    h[11] = ' ';
    Path avi = Files.write(dir.resolve("x.wav"), h);
    PostcallException e = assertThrows(PostcallException.class, () -> WavInfo.read(avi));
    assertFalse(e.retryable());
    assertTrue(e.getMessage().contains("RIFF file but not WAVE"), e.getMessage());
  }

  @Test
  void rejects_impossible_formats() throws IOException {
    byte[] h = WavWriter.header(8000, 1, 0);
    h[22] = 0; // 0 channels
    Path wav = Files.write(dir.resolve("zero.wav"), h);
    PostcallException e = assertThrows(PostcallException.class, () -> WavInfo.read(wav));
    assertTrue(e.getMessage().contains("impossible format"), e.getMessage());
  }

  @Test
  void missing_file_is_retryable() {
    PostcallException e = assertThrows(PostcallException.class, () -> WavInfo.read(dir.resolve("nope.wav")));
    assertTrue(e.retryable());
  }

  private Path resource(String name) throws IOException {
    Path p = dir.resolve(name);
    try (InputStream in = getClass().getResourceAsStream("/audio/" + name)) {
      Files.copy(in, p);
    }
    return p;
  }
}
