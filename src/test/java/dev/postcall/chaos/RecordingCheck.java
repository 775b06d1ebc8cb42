package dev.postcall.chaos;

import dev.postcall.audio.Mp3Length;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Whether an MP3 the incident simulator received is the recording of the call it was attached to:
 * its length (from the frame headers) against the audio the simulator wrote, and its tone — the
 * strongest of the candidate tones in its first seconds, decoded by ffmpeg — against the call's.
 */
final class RecordingCheck {
  private final Path ffmpeg;
  private final List<Double> candidates;

  RecordingCheck(Path ffmpeg, List<Double> candidates) {
    this.ffmpeg = ffmpeg;
    this.candidates = candidates;
  }

  /** Null when the file is the call's recording, else what differs. */
  String mismatch(Path mp3, double expectedHz, double expectedSeconds) throws IOException, InterruptedException {
    double seconds = Mp3Length.of(mp3).toMillis() / 1000.0;
    // the encoder pads up to a frame (72 ms at 8 kHz) at each end
    if (Math.abs(seconds - expectedSeconds) > 0.25)
      return String.format(java.util.Locale.ROOT, "length %.2f s, the call's audio %.2f s", seconds, expectedSeconds);
    double hz = strongestTone(mp3);
    // seen once in 1,201: a 0.2 s MP3 that ffmpeg's format probe refused ("Invalid data") unless told it is MP3 —
    // every candidate then had power 0 and the first (300 Hz) won; a decode with no samples is now said as such
    if (Double.isNaN(hz)) return "no audio decoded from " + mp3.getFileName() + " (ffmpeg gave no samples)";
    if (Math.abs(hz - expectedHz) > 1) return String.format(java.util.Locale.ROOT, "tone %.0f Hz, the call's %.0f Hz", hz, expectedHz);
    return null;
  }

  /** The candidate frequency with the most energy in the first 3 s (Goertzel); NaN when ffmpeg gave (almost) no samples. */
  double strongestTone(Path mp3) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(ffmpeg.toString(), "-v", "error", "-t", "3", "-f", "mp3", "-i", mp3.toString(), "-f", "s16le", "-ac", "1",
        "-ar", "8000", "-").redirectError(ProcessBuilder.Redirect.DISCARD).start();
    ByteArrayOutputStream pcm = new ByteArrayOutputStream();
    try (InputStream in = p.getInputStream()) {
      in.transferTo(pcm);
    }
    if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
    ByteBuffer b = ByteBuffer.wrap(pcm.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
    int n = b.remaining() / 2;
    if (n < 800) return Double.NaN; // under 0.1 s of audio: nothing to tell a tone by
    double[] x = new double[n];
    for (int i = 0; i < n; i++) x[i] = b.getShort();
    double best = -1;
    double bestHz = 0;
    for (double hz : candidates) {
      double w = 2 * Math.PI * hz / 8000;
      double coeff = 2 * Math.cos(w);
      double s1 = 0;
      double s2 = 0;
      for (double v : x) {
        double s = v + coeff * s1 - s2;
        s2 = s1;
        s1 = s;
      }
      double power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
      if (power > best) {
        best = power;
        bestHz = hz;
      }
    }
    return bestHz;
  }
}
