package dev.postcall.audio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The overwrite {@link OverwrittenRecording}'s exact rule cannot see: where both directions carried
 * audio, each MixMonitor mixed them a few samples apart, so the copies share no equal frame. One
 * direction still lines up sample for sample at the true lag, so the waveforms correlate there
 * (0.4–0.9 on the real PBX) while unrelated speech or noise stays near 0.
 *
 * <p>Candidate lags come from the 20 ms loudness envelope (cheap, and a few samples of misalignment
 * barely change it); each is then checked on the samples themselves, re-read from the file. What
 * the copies' geometry implies is checked too: they meet at max(lag, length − lag), and a shorter
 * second copy leaves a hole of zeros. Audio that repeats by itself (tones, a played loop) also
 * correlates before the copies meet or at another lag: such a lag is not taken.
 */
final class CorrelatedRepeat {
  /**
   * A copy correlates second by second at least this much on average, and every second at least
   * {@link #LEAST_EVERY_SECOND}; docs/recordings.md has the measured spread.
   */
  static final double LEAST_MEAN = 0.45;
  static final double LEAST_EVERY_SECOND = 0.35;
  /** The least repeat compared (frames): a second (shorter ones are left to the exact rule). */
  private static final int LEAST = 50;
  /** Only the file's last 5 s are compared: an overwrite's repeat always runs to the end. */
  private static final int CAP = 250;
  /** The offsets are searched on the last second first, then on each second of the compared part. */
  private static final int SEARCH = 50;
  /** The most the two directions were seen out of step, in frames (the kit: 22 samples). */
  private static final int SHIFT_FRAMES = 3;
  /** Envelope lags checked on the last second, and how many of those second by second. */
  private static final int CANDIDATES = 8;
  private static final int VERIFIED = 2;
  /**
   * How much longer the first MixMonitor ran before a hole is certain (frames): 2.5 s, which leaves
   * at least 0.45 s of zeros; a quarter second is asked for.
   */
  private static final int HOLE_AFTER = 125;
  private static final int HOLE = 12;
  /** A waveform this alike a few milliseconds on is a tone. */
  private static final double TONE = 0.9;
  /** How far from the lag audio is probed for repeating by itself (frames). */
  private static final int PROBE = 25;
  /** How much of the second before the copies meet is compared (frames). */
  private static final int BEFORE = 50;

  private final SeekableByteChannel ch;
  private final long dataOffset;
  private final int frame;
  private final int n;
  private final int shift;

  private CorrelatedRepeat(SeekableByteChannel ch, WavInfo info, int frameSamples, int frames) {
    this.ch = ch;
    this.dataOffset = info.dataOffset();
    this.frame = frameSamples;
    this.n = frames;
    this.shift = SHIFT_FRAMES * frameSamples;
  }

  /**
   * A repeat found on the samples: {@code lag} in samples, the copies meeting at frame {@code from};
   * the correlation of its seconds on average, the least of them, and the last one's.
   */
  record Repeat(long lag, int from, double correlation, double least, double last) {
    boolean copy() {
      return correlation >= LEAST_MEAN && least >= LEAST_EVERY_SECOND;
    }
  }

  /**
   * Whether the {@code count} samples before sample {@code end} are a steady tone: they correlate
   * with themselves at least {@link #TONE} at some shift of up to 40 ms (a dial tone's two
   * frequencies meet every 25 ms; speech and music change within a second).
   */
  static boolean steadyTone(SeekableByteChannel ch, WavInfo info, long end, int count) throws IOException {
    int most = info.sampleRate() / 25;
    if (count <= 2 * most) return false;
    CorrelatedRepeat r = new CorrelatedRepeat(ch, info, 1, (int) end);
    float[] x = r.read(end - count, count);
    float[] head = Arrays.copyOf(x, count - most);
    for (int k = info.sampleRate() / 1000; k <= most; k++) if (correlation(head, x, k, 1) >= TONE) return true;
    return false;
  }

  /**
   * How well the first audible second from frame {@code from} (within 3 s) correlates with the
   * audio {@code lag} frames earlier (± the shift); NaN when it is all silent.
   */
  static double correlationAt(SeekableByteChannel ch, WavInfo info, int frameSamples, int frames, int lag, int from)
      throws IOException {
    CorrelatedRepeat r = new CorrelatedRepeat(ch, info, frameSamples, frames);
    for (int start = from; start + SEARCH <= frames && start < from + 3 * SEARCH; start += SEARCH) {
      double c = r.compare(start, start + SEARCH, lag);
      if (!Double.isNaN(c)) return c;
    }
    return Double.NaN;
  }

  /** Only 16-bit mono PCM is compared sample by sample (what MixMonitor writes to a .wav). */
  static boolean applies(WavInfo info) {
    return info.format() == 1 && info.bitsPerSample() == 16 && info.channels() == 1;
  }

  /**
   * The best-correlated repeat in the {@code envelope.length} frames of {@code frameSamples} samples
   * each; a {@link Repeat#copy()} is returned only when the audio does not repeat by itself.
   */
  static Optional<Repeat> find(SeekableByteChannel ch, WavInfo info, int frameSamples, float[] envelope, long[] hashes,
      int[] repeating) throws IOException {
    int n = envelope.length;
    // a steady tone at the end is let go as a copy anyway: no need to rank its lags
    if (n < 2 * LEAST || steadyTone(ch, info, (long) n * frameSamples, SEARCH * frameSamples)) return Optional.empty();
    return new CorrelatedRepeat(ch, info, frameSamples, n).find(candidates(envelope), envelope, hashes, repeating);
  }

  private Optional<Repeat> find(int[] lags, float[] envelope, long[] hashes, int[] repeating) throws IOException {
    // every candidate on the last second; the best two second by second
    Peak[] last = new Peak[lags.length];
    Integer[] order = new Integer[lags.length];
    for (int i = 0; i < lags.length; i++) {
      int search = lastFrames(Math.max(lags[i], n - lags[i]));
      last[i] = peak(tail(search), (long) (n - search - lags[i]) * frame);
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(last[b].correlation, last[a].correlation));
    Repeat best = null;
    for (int i = 0; i < Math.min(VERIFIED, order.length); i++) {
      Repeat r = verify(lags[order[i]], last[order[i]]);
      if (r != null && (best == null || r.correlation > best.correlation)) best = r;
    }
    if (best == null) return Optional.empty();
    // identical copies are the exact rule's to judge (it has, and let them go: tones, two halves)
    if (best.copy() && (identical(best, hashes) || noHole(best, envelope) || repeatsByItself(best, lags, repeating)))
      return Optional.empty();
    return Optional.of(best);
  }

  /**
   * A second MixMonitor that ran for less than the first leaves a hole of zeros between its part
   * and the first's: the first writes on at its own offset, less what it had buffered in whole
   * 32 KiB blocks (2.048 s of 8 kHz audio). Measured on the kit: 1.1–4.2 s of zeros wherever the
   * first ran 2 s longer or more (92 files). A pause between two plays of one menu holds the
   * caller's background instead.
   */
  private boolean noHole(Repeat r, float[] envelope) {
    int lag = (int) Math.round((double) r.lag / frame), between = 2 * lag - n;
    if (between < HOLE_AFTER) return false;
    int run = 0, longest = 0;
    for (int i = n - lag; i < lag; i++) longest = Math.max(longest, run = envelope[i] == 0 ? run + 1 : 0);
    return longest < HOLE;
  }

  /**
   * Whether most audible frames of the repeat equal, byte for byte, those the nearest whole-frame
   * lag earlier (a tone correlates about as well a few samples off).
   */
  private boolean identical(Repeat r, long[] hashes) {
    int lag = (int) Math.round((double) r.lag / frame), equal = 0, heard = 0;
    for (int i = r.from; i < n; i++) {
      if (hashes[i] == OverwrittenRecording.SILENT || hashes[i - lag] == OverwrittenRecording.SILENT) continue;
      heard++;
      if (hashes[i] == hashes[i - lag]) equal++;
    }
    return heard > 0 && equal * 2 >= heard;
  }

  /**
   * The lag's best sample offset on the last second, and the correlation of the compared part
   * second by second. The copies' alignment wanders by a frame now and then (music on hold, long
   * calls on the kit: 0.96 on the last second, 0.58 over five at one offset), so each second is
   * lined up on its own. Silent seconds are skipped.
   */
  private Repeat verify(int candidate, Peak p) throws IOException {
    int search = lastFrames(Math.max(candidate, n - candidate));
    long lag = (long) candidate * frame - p.offset;
    int lagFrames = (int) Math.round((double) lag / frame);
    int meet = Math.max(lagFrames, n - lagFrames), from = Math.max(meet, n - CAP);
    if (n - from < LEAST / 2) return null;
    List<Double> seconds = new ArrayList<>(List.of(p.correlation));
    for (int end = n - search; end - from >= LEAST / 2; end -= SEARCH) seconds.add(compare(Math.max(from, end - SEARCH), end, candidate));
    // and the first audible second where the copies meet, when that lies further back: a copy
    // starts there; the same menu or announcement played again after a pause (an IVR) does not
    for (int start = meet; start + SEARCH <= from && start < meet + 3 * SEARCH; start += SEARCH) {
      double c = compare(start, start + SEARCH, candidate);
      if (Double.isNaN(c)) continue;
      seconds.add(c);
      break;
    }
    // silent seconds (a muted phone and a silent far end) have nothing to compare
    double[] audible = seconds.stream().mapToDouble(Double::doubleValue).filter(c -> !Double.isNaN(c)).toArray();
    return new Repeat(lag, meet, Arrays.stream(audible).average().orElse(0), Arrays.stream(audible).min().orElse(0), p.correlation);
  }

  /** The best correlation of frames [start, end) around the candidate lag; NaN when they are silent. */
  private double compare(int start, int end, int candidate) throws IOException {
    float[] x = read((long) start * frame, (end - start) * frame);
    return silent(x) ? Double.NaN : peak(x, (long) (start - candidate) * frame).correlation;
  }

  /** Frames of the last second compared where copies meet at frame {@code meet} (fewer when later). */
  private int lastFrames(int meet) {
    return Math.min(SEARCH, n - Math.max(meet, n - CAP));
  }

  /** The file's last {@code frames} frames. */
  private float[] tail(int frames) throws IOException {
    return read((long) (n - frames) * frame, frames * frame);
  }

  /**
   * Audio that repeats by itself correlates where an overwrite's copies do not: in the second
   * before they meet, and at other lags over the same part.
   */
  private boolean repeatsByItself(Repeat r, int[] lags, int[] repeating) throws IOException {
    double limit = r.last / 2;
    long lagFrames = Math.round((double) r.lag / frame);
    int before = (int) Math.min(BEFORE, r.from - lagFrames - SHIFT_FRAMES);
    if (before >= LEAST / 2) {
      float[] x = read((long) (r.from - before) * frame, before * frame);
      Peak p = peak(x, (r.from - before) * (long) frame - r.lag);
      if (p.correlation >= limit) return true;
    }
    int search = lastFrames(r.from);
    float[] x = tail(search);
    // the envelope's other lags, the lags frames repeat at byte for byte (a loop's period), and half
    // a second either side (a tone's period fits any window: it correlates everywhere)
    int[] others = Arrays.copyOf(lags, lags.length + repeating.length + 3);
    System.arraycopy(repeating, 0, others, lags.length, repeating.length);
    others[others.length - 3] = (int) lagFrames - PROBE;
    others[others.length - 2] = (int) lagFrames + PROBE;
    others[others.length - 1] = (int) lagFrames / 2;
    for (int other : others) {
      // a probe whose window reaches the lag itself would find the copy again
      if (other < SHIFT_FRAMES || Math.abs(other - lagFrames) <= 2 * SHIFT_FRAMES + 1 || n - search - other < SHIFT_FRAMES)
        continue;
      if (peak(x, (long) (n - search - other) * frame).correlation >= limit) return true;
    }
    return false;
  }

  private record Peak(int offset, double correlation) {}

  /**
   * The best correlation of {@code x} with the audio at {@code at} ± the shift, and its offset:
   * every other offset on every other sample first (a quarter of the work), then the best one's
   * neighbours on all samples.
   */
  private Peak peak(float[] x, long at) throws IOException {
    float[] y = read(at - shift, x.length + 2 * shift + 1);
    int coarse = 0;
    double top = -2;
    for (int k = 0; k <= 2 * shift; k += 2) {
      double c = correlation(x, y, k, 2);
      if (c > top) {
        top = c;
        coarse = k;
      }
    }
    Peak best = null;
    for (int k = Math.max(0, coarse - 1); k <= Math.min(2 * shift, coarse + 1); k++) {
      double c = correlation(x, y, k, 1);
      if (best == null || c > best.correlation) best = new Peak(k - shift, c);
    }
    return best;
  }

  private static double correlation(float[] x, float[] y, int from, int step) {
    double xy = 0, xx = 0, yy = 0;
    for (int i = 0; i < x.length; i += step) {
      double a = x[i], b = y[from + i];
      xy += a * b;
      xx += a * a;
      yy += b * b;
    }
    return xx == 0 || yy == 0 ? 0 : xy / Math.sqrt(xx * yy);
  }

  private static boolean silent(float[] x) {
    for (float v : x) if (v != 0) return false;
    return true;
  }

  /** {@code count} samples from sample {@code at}; zeros outside the audio. */
  private float[] read(long at, int count) throws IOException {
    float[] out = new float[count];
    long first = Math.max(0, at), last = Math.min((long) n * frame, at + count);
    if (last <= first) return out;
    ByteBuffer b = ByteBuffer.allocate((int) (last - first) * 2).order(ByteOrder.LITTLE_ENDIAN);
    ch.position(dataOffset + first * 2);
    while (b.hasRemaining()) if (ch.read(b) < 0) break;
    b.flip();
    for (int i = (int) (first - at); b.remaining() >= 2; i++) out[i] = b.getShort();
    return out;
  }

  /**
   * The lags whose loudness envelope from where an overwrite's copies would meet (at most the last
   * {@link #CAP} frames) best matches the envelope that far earlier, best first; neighbouring lags
   * count once.
   */
  static int[] candidates(float[] e) {
    int n = e.length;
    // prefix sums: per lag only the cross products are summed; every other lag (the samples'
    // search reaches +-3 frames around it)
    double[] s1 = new double[n + 1], s2 = new double[n + 1];
    for (int i = 0; i < n; i++) {
      s1[i + 1] = s1[i] + e[i];
      s2[i + 1] = s2[i] + (double) e[i] * e[i];
    }
    float[] score = new float[n];
    for (int lag = LEAST; lag <= n - LEAST; lag += 2) {
      int from = Math.max(Math.max(lag, n - lag), n - CAP), len = n - from;
      if (len < LEAST) continue;
      double sab = 0;
      for (int i = from; i < n; i++) sab += (double) e[i] * e[i - lag];
      double sa = s1[n] - s1[from], sb = s1[n - lag] - s1[from - lag];
      double va = s2[n] - s2[from] - sa * sa / len, vb = s2[n - lag] - s2[from - lag] - sb * sb / len;
      double r = va <= 1e-9 || vb <= 1e-9 ? 0 : (sab - sa * sb / len) / Math.sqrt(va * vb);
      score[lag] = (float) (r * Math.sqrt(len));
    }
    // the best lags one at a time (a few passes over one float per frame: no sorted list of them all)
    int[] out = new int[CANDIDATES];
    int k = 0;
    while (k < CANDIDATES) {
      int best = -1;
      for (int lag = LEAST; lag <= n - LEAST; lag++) if (score[lag] > 0 && (best < 0 || score[lag] > score[best])) best = lag;
      if (best < 0) break;
      out[k++] = best;
      for (int lag = Math.max(0, best - 2); lag <= Math.min(n - 1, best + 2); lag++) score[lag] = 0;
    }
    return Arrays.copyOf(out, k);
  }
}
