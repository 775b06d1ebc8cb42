package dev.postcall.audio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a WAV was written by two MixMonitors on one file: Asterisk truncates the file when the
 * second opens it, and both write on at their own offsets. The second one's audio then stands at
 * the file's start and the first one's at its end, so the file's last part repeats, frame for
 * frame, the part exactly {@code lag} (when the second began) earlier: either the part right before
 * it (second longer than first) or the file's start (second shorter, a run of zeros between).
 *
 * <p>The file is read once, 20 ms frame by frame, keeping one hash per frame (8 bytes per 20 ms)
 * and, for 16-bit audio, its loudness (4 bytes). Frames both MixMonitors mixed from one direction
 * are byte-identical; where both directions carried audio they differ (each MixMonitor lines the
 * directions up a few samples apart), so the repeat is a run of equal frames with gaps — or has no
 * equal frame at all, and {@link CorrelatedRepeat} compares the waveforms instead. Frames of one
 * repeated byte (silence) prove nothing and are skipped. Audio that repeats by itself (a tone,
 * music on hold) also repeats at its own period: a lag is only taken when the repeat spans exactly
 * the overwritten part — it neither reaches further back nor is matched as far by a shorter lag.
 */
public final class OverwrittenRecording {
  /** The least repeated audio (equal, non-silent frames) that counts. */
  static final Duration LEAST = Duration.ofMillis(500);
  /** How far back from the end candidate lags are voted for. */
  static final Duration TAIL = Duration.ofSeconds(10);
  /** A repeat ends after this much audio without one equal frame. */
  static final Duration GAP = Duration.ofSeconds(2);
  /** How far before the point where an overwrite's copies meet the repeat may reach. */
  static final Duration SLACK = Duration.ofMillis(300);
  private static final int FRAME_MS = 20;
  private static final int CANDIDATES = 16;
  /** The hash of a frame of one repeated byte (silence). */
  static final long SILENT = 0;

  /**
   * An overwritten recording: its last {@code repeated} repeat the audio {@code lag} earlier (the
   * second MixMonitor started {@code lag} after the first); {@code zeros} is the longest run of
   * all-zero audio in the file.
   */
  public record Finding(Duration lag, Duration repeated, Duration zeros, Match match, double score) {
    /** How the repeat showed, for a log line. */
    public String evidence() {
      return match == Match.FRAMES
          ? Math.round(score * 100) + "% of the compared frames identical"
          : String.format(java.util.Locale.ROOT, "the copies differ frame by frame, waveform correlation %.2f", score);
    }
  }

  /**
   * How the repeat showed: {@code FRAMES} — 20 ms frames byte-identical to those {@code lag}
   * earlier, {@code score} their share of the compared frames; {@code WAVEFORM} — not identical
   * (both directions carried audio) but the samples correlate, {@code score} the correlation.
   */
  public enum Match { FRAMES, WAVEFORM }

  private OverwrittenRecording() {}

  /**
   * Reads the audio of {@code info}'s file through {@code ch}; empty when it shows no overwrite, or
   * when its format has no whole 20 ms frames (compressed audio, whose bytes are not comparable).
   */
  public static Optional<Finding> check(SeekableByteChannel ch, WavInfo info) throws IOException {
    if (info.byteRate() % (1000 / FRAME_MS) != 0 || !(info.format() == 1 || info.format() == 6 || info.format() == 7))
      return Optional.empty();
    int frameBytes = info.byteRate() / (1000 / FRAME_MS);
    boolean samples = CorrelatedRepeat.applies(info);
    Frames f = Frames.read(ch, info.dataOffset(), info.dataBytes(), frameBytes, info.format() == 1, samples);
    int n = f.hashes.length, frameSamples = frameBytes / 2;
    // lags at which frames repeat byte for byte: the exact rule's candidates, and to the waveform
    // rule audio repeating itself (a loop, a tone)
    List<Integer> lags = candidates(f.hashes, n, frames(LEAST));
    Optional<Finding> exact = find(f.hashes, lags, f.longestZeroRun, n);
    if (!samples) return exact;
    if (exact.isPresent()) {
      Finding e = exact.get();
      // a steady tone played twice (a 2 s call of a 1 s cadence) is what a copy looks like, and
      // nothing else shows it repeats by itself: its waveform does, within a few milliseconds
      long repeated = Math.min(info.sampleRate(), e.repeated().toMillis() * info.sampleRate() / 1000);
      if (CorrelatedRepeat.steadyTone(ch, info, (long) n * frameSamples, (int) repeated)) return Optional.empty();
      // equal frames beginning well after the copies meet: a copy correlates from where they meet,
      // the same announcement played again after other audio (a queue's) does not
      int lag = frames(e.lag()), meet = Math.max(lag, n - lag), start = n - frames(e.repeated());
      if (start - meet >= frames(Duration.ofSeconds(1))
          && CorrelatedRepeat.correlationAt(ch, info, frameSamples, n, lag, meet) < CorrelatedRepeat.LEAST_EVERY_SECOND)
        return Optional.empty();
      return exact;
    }
    int[] repeating = lags.stream().mapToInt(Integer::intValue).toArray();
    return CorrelatedRepeat.find(ch, info, frameSamples, f.envelope, f.hashes, repeating)
        .filter(CorrelatedRepeat.Repeat::copy).map(r -> new Finding(
        Duration.ofNanos(Math.round(r.lag() * 1e9 / info.sampleRate())), millis(n - r.from()),
        millis(f.longestZeroRun), Match.WAVEFORM, r.correlation()));
  }

  private static Optional<Finding> find(long[] h, List<Integer> lags, int zeroRun, int n) {
    int least = frames(LEAST), gap = frames(GAP), slack = frames(SLACK);
    if (n < 2 * least) return Optional.empty();
    // every candidate's repeat (frames from its start to the end), shortest lag first
    List<int[]> runs = new ArrayList<>();
    for (int lag : lags) {
      int[] r = run(h, n, lag, gap);
      if (r != null) runs.add(new int[] {lag, r[0], r[1], r[2]});
    }
    runs.sort((a, b) -> Integer.compare(a[0], b[0]));
    for (int[] r : runs) {
      int lag = r[0], start = r[1], hits = r[2], misses = r[3];
      if (hits < least) continue;
      // two equal halves, frame for frame, of audio that also repeats within itself: tones whose
      // common period is half the file (an overwrite's halves mostly differ somewhere, and speech
      // never repeats at a shorter lag)
      if (Math.abs(lag - (n - lag)) <= slack && hits * 10 >= (hits + misses) * 9 && repeatsWithin(runs, lag, least)) continue;
      // an overwrite's repeat reaches back to where the copies meet (max(lag, n - lag)), never
      // further; its first equal frame may come later (both directions carried audio there)
      if (start < Math.max(lag, n - lag) - slack) continue;
      boolean periodic = false;
      for (int[] o : runs) if (o[0] < lag && o[1] <= start + slack && o[2] * 2 >= hits) periodic = true;
      if (periodic) continue;
      return Optional.of(new Finding(millis(lag), millis(n - start), millis(zeroRun), Match.FRAMES, (double) hits / (hits + misses)));
    }
    return Optional.empty();
  }

  /** Whether a shorter lag than {@code lag} also repeats at least {@code least} frames. */
  private static boolean repeatsWithin(List<int[]> runs, int lag, int least) {
    for (int[] o : runs) if (o[0] < lag && o[2] >= least) return true;
    return false;
  }

  /** Lags at which frames of the last {@link #TAIL} occur earlier, most frequent first. */
  private static List<Integer> candidates(long[] h, int n, int least) {
    int from = Math.max(0, n - frames(TAIL));
    Map<Long, List<Integer>> tail = new HashMap<>();
    for (int i = from; i < n; i++) if (h[i] != SILENT) tail.computeIfAbsent(h[i], k -> new ArrayList<>()).add(i);
    int[] votes = new int[n];
    for (int j = 0; j < n - 1; j++) {
      if (h[j] == SILENT) continue;
      List<Integer> at = tail.get(h[j]);
      if (at == null) continue;
      for (int i : at) if (i - j >= least) votes[i - j]++;
    }
    List<Integer> lags = new ArrayList<>();
    for (int lag = least; lag < n; lag++) if (votes[lag] >= 5) lags.add(lag);
    lags.sort((a, b) -> votes[a] == votes[b] ? Integer.compare(a, b) : Integer.compare(votes[b], votes[a]));
    return lags.subList(0, Math.min(CANDIDATES, lags.size()));
  }

  /**
   * The repeat at {@code lag} that reaches the file's end: {start, equal frames}, start being its
   * earliest equal frame; null when the last {@code gap} frames hold none.
   */
  private static int[] run(long[] h, int n, int lag, int gap) {
    int start = -1, hits = 0, since = 0, misses = 0, missesAtStart = 0;
    for (int i = n - 1; i >= lag; i--) {
      if (h[i] == SILENT || h[i - lag] == SILENT) {
        continue; // silence on either side is no evidence either way
      }
      if (h[i] == h[i - lag]) {
        start = i;
        hits++;
        since = 0;
        missesAtStart = misses;
      } else {
        misses++;
        if (++since >= gap) break;
      }
    }
    return start < 0 ? null : new int[] {start, hits, missesAtStart};
  }

  private static int frames(Duration d) {
    return (int) (d.toMillis() / FRAME_MS);
  }

  private static Duration millis(int frames) {
    return Duration.ofMillis((long) frames * FRAME_MS);
  }

  /**
   * One hash per 20 ms frame ({@link #SILENT} for a frame of one repeated byte) and, for 16-bit
   * audio, its loudness (log of the RMS) for {@link CorrelatedRepeat}.
   */
  private record Frames(long[] hashes, int longestZeroRun, float[] envelope) {
    static Frames read(SeekableByteChannel ch, long offset, long bytes, int frameBytes, boolean pcm, boolean loudness)
        throws IOException {
      int n = (int) Math.min(Integer.MAX_VALUE - 8, bytes / frameBytes);
      long[] hashes = new long[n];
      float[] envelope = loudness ? new float[n] : null;
      ByteBuffer buf = ByteBuffer.allocate(frameBytes * Math.max(1, (1 << 20) / frameBytes));
      ch.position(offset);
      int frame = 0, zeros = 0, longest = 0;
      while (frame < n) {
        buf.clear();
        long left = (long) (n - frame) * frameBytes;
        if (left < buf.capacity()) buf.limit((int) left);
        while (buf.hasRemaining()) if (ch.read(buf) < 0) break;
        buf.flip();
        if (buf.remaining() < frameBytes) break; // the file shrank under us: what was read stands
        byte[] a = buf.array();
        for (int p = 0; p + frameBytes <= buf.limit() && frame < n; p += frameBytes, frame++) {
          long hash = hash(a, p, frameBytes);
          hashes[frame] = hash;
          if (loudness) envelope[frame] = loudness(a, p, frameBytes);
          if (hash == SILENT && pcm && a[p] == 0) longest = Math.max(longest, ++zeros);
          else zeros = 0;
        }
      }
      if (frame < n) {
        hashes = java.util.Arrays.copyOf(hashes, frame);
        if (loudness) envelope = java.util.Arrays.copyOf(envelope, frame);
      }
      return new Frames(hashes, longest, envelope);
    }

    /** log10(1 + RMS) of a frame of 16-bit little-endian samples. */
    private static float loudness(byte[] a, int from, int len) {
      double sum = 0;
      for (int i = from; i + 1 < from + len; i += 2) {
        int v = (short) ((a[i] & 0xff) | (a[i + 1] << 8));
        sum += (double) v * v;
      }
      return (float) Math.log10(1 + Math.sqrt(sum / (len / 2)));
    }

    /** FNV-1a over the frame, 0 reserved for a frame of one repeated byte. */
    private static long hash(byte[] a, int from, int len) {
      long h = 0xcbf29ce484222325L;
      boolean same = true;
      byte first = a[from];
      for (int i = from; i < from + len; i++) {
        same &= a[i] == first;
        h = (h ^ (a[i] & 0xff)) * 0x100000001b3L;
      }
      if (same) return SILENT;
      return h == SILENT ? 1 : h;
    }
  }
}
