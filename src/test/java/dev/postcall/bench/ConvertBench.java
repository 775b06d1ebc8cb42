package dev.postcall.bench;

import dev.postcall.audio.ConvertRecording;
import dev.postcall.config.PostcallConfig;
import dev.postcall.config.Settings;
import dev.postcall.sim.WavWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code scripts/bench convert}: WAV→MP3 throughput (audio seconds per wall second) of postcall's
 * ConvertRecording against the same static ffmpeg binary started directly with the same arguments,
 * and against {@code lame} when installed — same WAVs, same parallelism, same nice level, rounds
 * interleaved so all three see the same machine. Prints medians and the ratios.
 *
 * <p>The machine may be shared, so each round runs the three back to back and the ratio reported is
 * the median of the per-round ratios (a neighbour's burst then hits one round, not one contender).
 *
 * <p>Arguments: [files=20] [minutes=3] [parallelism=2] [rounds=5].
 */
public final class ConvertBench {
  private interface Converter {
    void convert(Path wav, Path mp3) throws Exception;
  }

  public static void main(String[] args) throws Exception {
    int files = arg(args, 0, 20);
    int minutes = arg(args, 1, 3);
    int parallelism = arg(args, 2, 2);
    int rounds = arg(args, 3, 5);
    PostcallConfig.Audio audio = PostcallConfig.from(Settings.of(Map.of())).audio();
    Path dir = Files.createTempDirectory("postcall-bench-convert");
    try {
      List<Path> wavs = new ArrayList<>();
      for (int i = 0; i < files; i++)
        wavs.add(WavWriter.tone(dir.resolve("call-" + i + ".wav"), Duration.ofMinutes(minutes), 8000, 300 + 20 * i));
      double audioSeconds = files * minutes * 60.0;

      ConvertRecording postcall = new ConvertRecording(audio);
      String ffmpeg = postcall.ffmpegPath();
      List<String> nice = audio.niceLevel() == 0 ? List.of() : List.of("nice", "-n", Integer.toString(audio.niceLevel()));
      Converter direct = (wav, mp3) -> run(concat(nice, List.of(ffmpeg, "-hide_banner", "-y", "-i", wav.toString(), "-vn",
          "-acodec", "libmp3lame", "-b:a", Integer.toString(audio.bitrate()), "-ac", Integer.toString(audio.channels()),
          "-ar", "8000", "-f", "mp3", mp3.toString())));
      boolean haveLame = new ProcessBuilder("sh", "-c", "command -v lame").start().waitFor() == 0;
      Converter lame = (wav, mp3) -> run(concat(nice, List.of("lame", "--quiet", "-m", "m", "--cbr", "-b",
          Integer.toString(audio.bitrate() / 1000), "--resample", "8", wav.toString(), mp3.toString())));

      System.out.printf(Locale.ROOT, "convert: %d WAVs x %d min 8 kHz mono 16-bit (%.0f s of audio), parallelism %d, "
          + "%d rounds, nice %d, %d kbit/s%n", files, minutes, audioSeconds, parallelism, rounds, audio.niceLevel(),
          audio.bitrate() / 1000);
      System.out.println("ffmpeg: " + ffmpeg);
      // warm-up: JIT, page cache, JAVE's copy of the binary
      postcall.convert(wavs.get(0), dir.resolve("warm.mp3"));
      direct.convert(wavs.get(0), dir.resolve("warm.mp3"));

      double[] pc = new double[rounds], ff = new double[rounds], lm = new double[rounds];
      double[] ratioFf = new double[rounds], ratioLame = new double[rounds];
      double[] cpuPc = new double[rounds], cpuFf = new double[rounds], cpuLm = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        pc[r] = audioSeconds / timed(wavs, dir, parallelism, (w, m) -> postcall.convert(w, m));
        cpuPc[r] = audioSeconds / lastCpuSeconds;
        ff[r] = audioSeconds / timed(wavs, dir, parallelism, direct);
        cpuFf[r] = audioSeconds / lastCpuSeconds;
        if (haveLame) {
          lm[r] = audioSeconds / timed(wavs, dir, parallelism, lame);
          cpuLm[r] = audioSeconds / lastCpuSeconds;
        }
        ratioFf[r] = pc[r] / ff[r];
        ratioLame[r] = haveLame ? pc[r] / lm[r] : 0;
        System.out.printf(Locale.ROOT, "round %d: postcall %.0f, ffmpeg %.0f%s audio-s/wall-s; postcall/ffmpeg %.3f%n",
            r + 1, pc[r], ff[r], haveLame ? String.format(Locale.ROOT, ", lame %.0f", lm[r]) : "", ratioFf[r]);
      }
      double p = median(pc), f = median(ff);
      System.out.printf(Locale.ROOT, "medians:%npostcall (JAVE2)   %8.0f audio-s/wall-s%n", p);
      System.out.printf(Locale.ROOT, "ffmpeg direct      %8.0f audio-s/wall-s%n", f);
      if (haveLame) System.out.printf(Locale.ROOT, "lame               %8.0f audio-s/wall-s%n", median(lm));
      else System.out.println("lame               not installed (scripts/bench installs it when run as root)");
      System.out.printf(Locale.ROOT, "ratio postcall/ffmpeg = %.3f (median of rounds; target >= 0.9)%n", median(ratioFf));
      if (haveLame) System.out.printf(Locale.ROOT, "ratio postcall/lame   = %.3f (median of rounds)%n", median(ratioLame));
      System.out.printf(Locale.ROOT, "per CPU second (JVM + ffmpeg/lame processes; insensitive to neighbours):%n"
          + "postcall %.0f, ffmpeg %.0f%s audio-s/cpu-s; ratio postcall/ffmpeg = %.3f%n", median(cpuPc), median(cpuFf),
          haveLame ? String.format(Locale.ROOT, ", lame %.0f", median(cpuLm)) : "", median(cpuPc) / median(cpuFf));
      BenchResult.row("convert: audio-s per wall-s", String.format(Locale.ROOT, "%.0f", p),
          String.format(Locale.ROOT, "ffmpeg direct %.0f", f), BenchResult.ratio(median(ratioFf)), ">= 0.9");
      BenchResult.row("convert: audio-s per CPU-s", String.format(Locale.ROOT, "%.0f", median(cpuPc)),
          String.format(Locale.ROOT, "ffmpeg direct %.0f", median(cpuFf)), BenchResult.ratio(median(cpuPc) / median(cpuFf)), ">= 0.9");
      if (haveLame) BenchResult.row("convert: vs lame, audio-s per wall-s", String.format(Locale.ROOT, "%.0f", p),
          String.format(Locale.ROOT, "lame %.0f", median(lm)), BenchResult.ratio(median(ratioLame)), "-");
    } finally {
      try (var s = Files.walk(dir)) {
        s.sorted((a, b) -> b.compareTo(a)).forEach(x -> x.toFile().delete());
      }
    }
  }

  /** CPU seconds of the last {@link #timed} run: this JVM plus every child process it waited for. */
  private static double lastCpuSeconds;

  /** Wall seconds to convert every WAV with {@code parallelism} threads. */
  private static double timed(List<Path> wavs, Path dir, int parallelism, Converter c) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(parallelism);
    try {
      double cpu0 = cpuSeconds();
      long t0 = System.nanoTime();
      List<Future<?>> done = new ArrayList<>();
      for (Path wav : wavs) {
        Path mp3 = dir.resolve(wav.getFileName().toString().replace(".wav", ".mp3"));
        done.add(pool.submit(() -> {
          c.convert(wav, mp3);
          return null;
        }));
      }
      for (Future<?> f : done) f.get();
      double wall = (System.nanoTime() - t0) / 1e9;
      lastCpuSeconds = cpuSeconds() - cpu0;
      return wall;
    } finally {
      pool.shutdown();
    }
  }

  /**
   * This JVM's CPU time plus its reaped children's (cutime + cstime in /proc/self/stat): a figure a
   * busy neighbour on the same cores does not distort the way it distorts wall time.
   */
  private static double cpuSeconds() throws IOException {
    double jvm = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
    String stat = Files.readString(Path.of("/proc/self/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    double ticks = Long.parseLong(f[13]) + Long.parseLong(f[14]); // fields 16, 17: cutime, cstime
    return jvm + ticks / 100.0; // USER_HZ is 100 on Linux
  }

  private static void run(List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    if (p.waitFor() != 0) throw new IOException("failed: " + String.join(" ", cmd));
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

  private static int arg(String[] args, int i, int dflt) {
    return args.length > i ? Integer.parseInt(args[i]) : dflt;
  }
}
