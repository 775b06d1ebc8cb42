package dev.postcall.audio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * Measures an MP3 (MPEG audio layer III) by walking its frames: frames × samples per frame / rate.
 * Exact for the CBR files ffmpeg writes, costs no extra ffmpeg run, and a file whose frames do not
 * chain (a broken encode) reads short and fails the duration check.
 */
final class Mp3Frames {
  private static final int[] BITRATE_V1 = {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, -1};
  private static final int[] BITRATE_V2 = {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, -1};
  private static final int[][] RATES = {{11025, 12000, 8000}, null, {22050, 24000, 16000}, {44100, 48000, 32000}};

  private Mp3Frames() {}

  static Duration duration(Path mp3) throws IOException {
    try (FileChannel ch = FileChannel.open(mp3, StandardOpenOption.READ)) {
      // mapped, not read: a long recording's MP3 stays out of the heap
      ByteBuffer b = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
      return duration(b);
    }
  }

  static Duration duration(ByteBuffer b) {
    int pos = skipId3v2(b);
    long samples = 0;
    int rate = 0;
    boolean first = true;
    while (pos + 4 <= b.limit()) {
      int h = b.getInt(pos);
      int frameLength = frameLength(h);
      if (frameLength <= 0) {
        pos++; // lost sync (junk between frames): look for the next header
        continue;
      }
      int version = (h >>> 19) & 3;
      rate = RATES[version][(h >>> 10) & 3];
      int samplesPerFrame = version == 3 ? 1152 : 576;
      if (!(first && isInfoFrame(b, pos, h))) samples += samplesPerFrame;
      first = false;
      pos += frameLength;
    }
    return rate == 0 ? Duration.ZERO : Duration.ofNanos(Math.round(samples * 1e9 / rate));
  }

  /** The frame's length in bytes, or -1 when {@code h} is not a layer III frame header. */
  static int frameLength(int h) {
    if ((h >>> 21) != 0x7FF) return -1; // 11 sync bits
    int version = (h >>> 19) & 3;
    int layer = (h >>> 17) & 3;
    int bitrateIndex = (h >>> 12) & 15;
    int rateIndex = (h >>> 10) & 3;
    if (version == 1 || layer != 1 || bitrateIndex == 0 || bitrateIndex == 15 || rateIndex == 3) return -1;
    int bitrate = (version == 3 ? BITRATE_V1 : BITRATE_V2)[bitrateIndex] * 1000;
    int rate = RATES[version][rateIndex];
    int padding = (h >>> 9) & 1;
    return (version == 3 ? 144 : 72) * bitrate / rate + padding;
  }

  /** The Xing/Info frame encoders put first holds metadata, not audio. */
  private static boolean isInfoFrame(ByteBuffer b, int pos, int h) {
    int version = (h >>> 19) & 3;
    boolean mono = ((h >>> 6) & 3) == 3;
    int sideInfo = version == 3 ? (mono ? 17 : 32) : (mono ? 9 : 17);
    int at = pos + 4 + sideInfo;
    if (at + 4 > b.limit()) return false;
    int tag = b.getInt(at);
    return tag == 0x58696E67 /* Xing */ || tag == 0x496E666F /* Info */;
  }

  private static int skipId3v2(ByteBuffer b) {
    if (b.limit() < 10 || b.get(0) != 'I' || b.get(1) != 'D' || b.get(2) != '3') return 0;
    int size = ((b.get(6) & 0x7F) << 21) | ((b.get(7) & 0x7F) << 14) | ((b.get(8) & 0x7F) << 7) | (b.get(9) & 0x7F);
    boolean footer = (b.get(5) & 0x10) != 0;
    return 10 + size + (footer ? 10 : 0);
  }
}
