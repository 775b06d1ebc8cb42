package dev.postcall.bench;

import dev.postcall.audio.ConvertRecording;
import dev.postcall.audio.OverwrittenRecording;
import dev.postcall.audio.WavInfo;
import dev.postcall.config.PostcallConfig;
import dev.postcall.config.Settings;
import dev.postcall.sim.WavWriter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * {@code scripts/bench overwrite}: the check for a recording two MixMonitors wrote, against reading
 * the same file once and against converting it to MP3 (postcall's ConvertRecording), on one long
 * recording — speech-like noise overwritten the way Asterisk does it (the worst case for its frame
 * index: every frame distinct), a tone (every frame repeats: the most candidate lags) and a genuine
 * recording of the same speech (the exact rule finds nothing, so the waveform rule runs too). Runs
 * under a small heap (scripts/bench gives it -Xmx64m) to show the check's memory is bounded.
 *
 * <p>Arguments: [minutes=60] [rounds=3].
 */
public final class OverwriteBench {
  public static void main(String[] args) throws Exception {
    int minutes = args.length > 0 ? Integer.parseInt(args[0]) : 60;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    PostcallConfig.Audio audio = PostcallConfig.from(Settings.of(Map.of())).audio();
    ConvertRecording convert = new ConvertRecording(audio);
    Path dir = Files.createTempDirectory("postcall-bench-overwrite");
    try {
      Path speech = overwritten(dir.resolve("speech.wav"), minutes);
      Path tone = WavWriter.tone(dir.resolve("tone.wav"), java.time.Duration.ofMinutes(minutes), 8000, 440);
      Path genuine = genuine(dir.resolve("genuine.wav"), minutes);
      System.out.printf(Locale.ROOT, "%d min of 8 kHz 16-bit audio: %d bytes per file; %d rounds; max heap %d MB%n",
          minutes, Files.size(speech), rounds, Runtime.getRuntime().maxMemory() >> 20);
      check(speech);
      read(speech);
      for (Path wav : new Path[] {speech, tone, genuine}) {
        double[] c = new double[rounds], r = new double[rounds], f = new double[rounds];
        for (int i = 0; i < rounds; i++) {
          long t0 = System.nanoTime();
          String found = check(wav);
          c[i] = (System.nanoTime() - t0) / 1e9;
          t0 = System.nanoTime();
          read(wav);
          r[i] = (System.nanoTime() - t0) / 1e9;
          t0 = System.nanoTime();
          convert.convert(wav, dir.resolve("out.mp3"));
          f[i] = (System.nanoTime() - t0) / 1e9;
          System.out.printf(Locale.ROOT, "%s round %d: check %.3f s (%s), read once %.3f s, convert %.3f s%n",
              wav.getFileName(), i + 1, c[i], found, r[i], f[i]);
        }
        String name = wav.getFileName().toString().replace(".wav", "");
        double check = median(c), read = median(r), conv = median(f);
        BenchResult.row("overwrite check, " + minutes + " min " + name + ": s", String.format(Locale.ROOT, "%.3f", check),
            String.format(Locale.ROOT, "convert %.2f (read once %.3f)", conv, read), BenchResult.ratio(check / conv), "<= 0.1");
      }
    } finally {
      try (var s = Files.walk(dir)) {
        s.sorted((a, b) -> b.compareTo(a)).forEach(x -> x.toFile().delete());
      }
    }
  }

  private static String check(Path wav) throws IOException {
    try (FileChannel ch = FileChannel.open(wav)) {
      return OverwrittenRecording.check(ch, WavInfo.read(wav, ch)).map(Object::toString).orElse("none");
    }
  }

  private static long read(Path wav) throws IOException {
    long sum = 0;
    ByteBuffer b = ByteBuffer.allocate(1 << 20);
    try (FileChannel ch = FileChannel.open(wav)) {
      while (ch.read(b) > 0) {
        b.flip();
        while (b.hasRemaining()) sum += b.get();
        b.clear();
      }
    }
    return sum;
  }

  /** A call of {@code minutes} whose second MixMonitor started at a third: its part, then the first's last third. */
  private static Path overwritten(Path wav, int minutes) throws IOException {
    long total = minutes * 60L * 8000, t1 = total / 3;
    long n = (total - t1) + t1;
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(wav), 1 << 16)) {
      out.write(WavWriter.header(8000, 1, n * 2));
      writeSpeech(out, t1, total, 1);
      writeSpeech(out, total - t1, total, 1);
    }
    return wav;
  }

  /** A call of {@code minutes} no second MixMonitor wrote: both rules run to the end and find nothing. */
  private static Path genuine(Path wav, int minutes) throws IOException {
    long total = minutes * 60L * 8000;
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(wav), 1 << 16)) {
      out.write(WavWriter.header(8000, 1, total * 2));
      writeSpeech(out, 0, total, 2);
    }
    return wav;
  }

  /** Samples [from, to) of a deterministic speech-like noise (seeded per second, so any span can be written). */
  private static void writeSpeech(OutputStream out, long from, long to, long seed) throws IOException {
    byte[] sec = new byte[16000];
    for (long s = from / 8000; s * 8000 < to; s++) {
      Random r = new Random(seed * 1_000_003 + s);
      double y = 0, env = 0.5;
      for (int i = 0; i < 8000; i++) {
        if (i % 800 == 0) env = 0.1 + 0.9 * r.nextDouble();
        y = 0.8 * y + r.nextGaussian();
        short v = (short) Math.max(-32768, Math.min(32767, Math.round(y * 2000 * env)));
        sec[2 * i] = (byte) v;
        sec[2 * i + 1] = (byte) (v >> 8);
      }
      long a = Math.max(from, s * 8000), b = Math.min(to, s * 8000 + 8000);
      out.write(sec, (int) (a - s * 8000) * 2, (int) (b - a) * 2);
    }
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }
}
