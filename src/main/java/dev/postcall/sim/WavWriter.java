package dev.postcall.sim;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Writes recordings like Asterisk's MixMonitor does: RIFF/WAVE, PCM 16-bit. Used by tests, the
 * benchmarks and the simulators. {@link #header} with {@code dataBytes < 0} gives the header a
 * recording has while Asterisk still writes it (both size fields 0).
 */
public final class WavWriter {
  public static final int HEADER_BYTES = 44;

  private WavWriter() {}

  /** A closed WAV holding a sine tone of {@code length} (8 kHz mono in Asterisk's case). */
  public static Path tone(Path file, Duration length, int sampleRate, double hz) throws IOException {
    long frames = length.toNanos() * sampleRate / 1_000_000_000L;
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 64 * 1024)) {
      out.write(header(sampleRate, 1, frames * 2));
      writeTone(out, frames, sampleRate, hz);
    }
    return file;
  }

  /** A 44-byte PCM 16-bit header; {@code dataBytes < 0} writes 0 in both size fields (still recording). */
  public static byte[] header(int sampleRate, int channels, long dataBytes) {
    ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    boolean open = dataBytes < 0;
    b.put("RIFF".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(open ? 0 : (int) (36 + dataBytes));
    b.put("WAVEfmt ".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(16);
    b.putShort((short) 1).putShort((short) channels).putInt(sampleRate)
        .putInt(sampleRate * channels * 2).putShort((short) (channels * 2)).putShort((short) 16);
    b.put("data".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(open ? 0 : (int) dataBytes);
    return b.array();
  }

  /** {@code frames} mono 16-bit samples of a sine at {@code hz}, for appending to a growing file too. */
  public static void writeTone(OutputStream out, long frames, int sampleRate, double hz) throws IOException {
    byte[] buf = new byte[8192];
    int at = 0;
    for (long i = 0; i < frames; i++) {
      short s = (short) (8000 * Math.sin(2 * Math.PI * hz * i / sampleRate));
      buf[at++] = (byte) s;
      buf[at++] = (byte) (s >> 8);
      if (at == buf.length) {
        out.write(buf);
        at = 0;
      }
    }
    out.write(buf, 0, at);
  }
}
