package dev.postcall;

import dev.postcall.sim.WavWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Test sounds: 8 kHz, 16-bit mono, as MixMonitor records and the real-PBX phones play them. */
public final class TestSounds {
  private TestSounds() {}

  /** Speech-like noise (its loudness changes every 0.1 s) that never repeats itself; one sound per seed. */
  public static short[] speech(double seconds, long seed) {
    short[] out = new short[(int) (seconds * 8000)];
    Random r = new Random(seed);
    double y = 0, env = 0.5;
    for (int i = 0; i < out.length; i++) {
      if (i % 800 == 0) env = 0.1 + 0.9 * r.nextDouble();
      y = 0.8 * y + r.nextGaussian();
      out[i] = (short) Math.max(-32768, Math.min(32767, Math.round(y * 2000 * env)));
    }
    return out;
  }

  /** A WAV file's bytes. */
  public static byte[] wav(short[] samples) {
    ByteBuffer b = ByteBuffer.allocate(WavWriter.HEADER_BYTES + samples.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    b.put(WavWriter.header(8000, 1, samples.length * 2L));
    for (short v : samples) b.putShort(v);
    return b.array();
  }

  public static void write(Path file, short[] samples) {
    try {
      Files.createDirectories(file.getParent());
      Files.write(file, wav(samples));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
