package dev.postcall.sim;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

/**
 * Writes a recording the way MixMonitor does: 8 kHz mono 16-bit PCM WAV, created at call start with
 * its RIFF and data sizes left at 0, growing while the call lasts, and only finished (sizes filled
 * in, file closed) after hangup — for an unanswered call it stays a 44-byte header.
 */
public final class GrowingRecording implements AutoCloseable {
  public static final int RATE = 8000;
  private static final int HEADER = 44;

  private final FileChannel ch;
  private final Random random;
  private final double hz;
  private long samples;
  private double phase;

  public GrowingRecording(Path file, long seed) throws IOException {
    this(file, seed, 440);
  }

  /** A recording whose tone is {@code hz}: a harness tells calls' recordings apart by it. */
  public GrowingRecording(Path file, long seed, double hz) throws IOException {
    this.hz = hz;
    this.ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
    this.random = new Random(seed);
    ch.write(header(0, false));
  }

  /** Appends {@code seconds} of audio: the tone (440 Hz unless given) with a little noise, like a ringback and a voice. */
  public void append(double seconds) throws IOException {
    int n = (int) Math.round(seconds * RATE);
    ByteBuffer buf = ByteBuffer.allocate(n * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      phase += 2 * Math.PI * hz / RATE;
      double v = 0.3 * Math.sin(phase) + 0.05 * (random.nextDouble() - 0.5);
      buf.putShort((short) (v * Short.MAX_VALUE));
    }
    buf.flip();
    while (buf.hasRemaining()) ch.write(buf);
    samples += n;
  }

  public double seconds() {
    return samples / (double) RATE;
  }

  /** Hangup: fill in the sizes and close, as Asterisk does a few ms after the AGI socket closed. */
  @Override
  public void close() throws IOException {
    ch.write(header(samples * 2, true), 0);
    ch.close();
  }

  static ByteBuffer header(long dataBytes, boolean finished) {
    ByteBuffer h = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
    h.put("RIFF".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    h.putInt(finished ? (int) (36 + dataBytes) : 0); // 0 while recording, as Asterisk leaves it
    h.put("WAVEfmt ".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    h.putInt(16).putShort((short) 1).putShort((short) 1).putInt(RATE).putInt(RATE * 2).putShort((short) 2).putShort((short) 16);
    h.put("data".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    h.putInt(finished ? (int) dataBytes : 0);
    h.flip();
    return h;
  }
}
