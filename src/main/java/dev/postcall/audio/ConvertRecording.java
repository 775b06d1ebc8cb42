package dev.postcall.audio;

import dev.postcall.PostcallException;
import dev.postcall.config.PostcallConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ws.schild.jave.Encoder;
import ws.schild.jave.EncoderException;
import ws.schild.jave.InputFormatException;
import ws.schild.jave.MultimediaObject;
import ws.schild.jave.encode.AudioAttributes;
import ws.schild.jave.encode.EncodingAttributes;
import ws.schild.jave.info.AudioInfo;
import ws.schild.jave.info.MultimediaInfo;
import ws.schild.jave.process.ProcessLocator;

/**
 * WAV → MP3 with JAVE2 (its bundled static ffmpeg unless {@code audio.ffmpeg} is set), at
 * telephony settings: {@code audio.channels} (mono), the WAV's own sample rate, {@code
 * audio.bitrate} (32 kbit/s), ffmpeg under {@code nice -n audio.nice}.
 *
 * <p>The MP3 is written as {@code <name>.tmp} and renamed only once it is checked (non-empty, as
 * long as the WAV within {@link #MAX_DRIFT}), so a reader never sees a half-written MP3 and a crash
 * leaves no file that looks finished. A WAV that is empty, cut short or not a WAV fails with a
 * non-retryable {@link PostcallException} naming the reason; a missing ffmpeg or a full disk is
 * retryable. Thread-safe: each conversion runs its own ffmpeg process.
 */
public final class ConvertRecording {
  private static final Logger log = LoggerFactory.getLogger(ConvertRecording.class);
  public static final Duration MAX_DRIFT = Duration.ofSeconds(1);
  /** Below this much free space a failed encode is blamed on the disk, and retried later. */
  private static final long LOW_DISK_BYTES = 16L << 20;

  /** The converted file and what it holds. */
  public record Mp3(Path path, Duration duration, long bytes) {}

  private final PostcallConfig.Audio cfg;
  private final NicedFfmpeg ffmpeg;
  /** ffmpeg is CPU-bound: more processes than cores only slow each other (and the PBX) down. */
  private final Semaphore slots;

  public ConvertRecording(PostcallConfig.Audio cfg) {
    this.cfg = cfg;
    // resolving the bundled binary copies it to ${java.io.tmpdir}/jave once (~0.4 s): done here, not per call
    this.ffmpeg = new NicedFfmpeg(cfg.ffmpeg(), cfg.niceLevel());
    this.slots = new Semaphore(cfg.conversions(), true);
    log.info("audio: ffmpeg {} (nice {}), {} bit/s, {} channel(s), {} at once", ffmpeg.getExecutablePath(),
        cfg.niceLevel(), cfg.bitrate(), cfg.channels(), cfg.conversions());
  }

  /** The ffmpeg binary conversions run (for the benchmark and the start-up log). */
  public String ffmpegPath() {
    return ffmpeg.getExecutablePath();
  }

  /** Converts, waiting for one of the {@code audio.conversions} slots first. */
  public Mp3 convert(Path wav, Path mp3) throws InterruptedException {
    slots.acquire();
    try {
      return convertNow(wav, mp3);
    } finally {
      slots.release();
    }
  }

  private Mp3 convertNow(Path wav, Path mp3) {
    WavInfo info = WavInfo.read(wav);
    if (info.headerOnly())
      throw new PostcallException("recording " + wav + " has no audio (header only, " + info.fileBytes() + " bytes)", false);
    if (info.truncated())
      throw new PostcallException("recording " + wav + " is truncated: its header promises " + info.declaredDataBytes()
          + " bytes of audio, the file holds " + info.dataBytes(), false);
    Path tmp = mp3.resolveSibling(mp3.getFileName() + ".tmp");
    boolean done = false;
    try {
      Files.deleteIfExists(tmp);
      encode(wav, tmp, info);
      Mp3 result = check(wav, tmp, info);
      Files.move(tmp, mp3, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      done = true;
      return new Mp3(mp3, result.duration(), result.bytes());
    } catch (IOException e) {
      throw new PostcallException("cannot write " + mp3 + ": " + e.getMessage(), true, e);
    } finally {
      if (!done) deleteQuietly(tmp);
    }
  }

  private void encode(Path wav, Path tmp, WavInfo info) {
    AudioAttributes audio = new AudioAttributes();
    audio.setCodec("libmp3lame");
    audio.setBitRate(cfg.bitrate());
    audio.setChannels(cfg.channels());
    audio.setSamplingRate(info.sampleRate());
    EncodingAttributes attrs = new EncodingAttributes();
    attrs.setOutputFormat("mp3"); // the .tmp name says nothing about the format
    attrs.setAudioAttributes(audio);
    try {
      new Encoder(ffmpeg).encode(new KnownWav(wav, ffmpeg, info), tmp.toFile(), attrs);
    } catch (InputFormatException e) {
      throw new PostcallException("recording " + wav + " cannot be decoded by ffmpeg: " + e.getMessage(), false, e);
    } catch (EncoderException | RuntimeException e) {
      throw encodeFailure(wav, tmp, e);
    }
  }

  /**
   * The WAV as JAVE sees it, described from the header already read. JAVE otherwise starts ffmpeg
   * once more per file just to learn the duration for its progress reports — ~7 % of the CPU a
   * 3-minute call's conversion costs.
   */
  private static final class KnownWav extends MultimediaObject {
    private final MultimediaInfo info;

    KnownWav(Path wav, ProcessLocator locator, WavInfo w) {
      super(wav.toFile(), locator);
      AudioInfo audio = new AudioInfo().setSamplingRate(w.sampleRate()).setChannels(w.channels()).setBitRate(w.byteRate() * 8);
      this.info = new MultimediaInfo().setFormat("wav").setDuration(w.duration().toMillis()).setAudio(audio);
    }

    @Override
    public MultimediaInfo getInfo() {
      return info;
    }
  }

  private PostcallException encodeFailure(Path wav, Path tmp, Exception e) {
    String msg = String.valueOf(e.getMessage());
    if (!ffmpeg.exists() || hasCause(e, IOException.class) && msg.contains("Cannot run program"))
      return new PostcallException("ffmpeg cannot be started (" + ffmpeg.getExecutablePath() + "): " + msg, true, e);
    if (msg.contains("No space left") || freeSpace(tmp) < LOW_DISK_BYTES)
      return new PostcallException("disk full while converting " + wav + ": " + msg, true, e);
    return new PostcallException("converting " + wav + " failed: " + msg, false, e);
  }

  private Mp3 check(Path wav, Path tmp, WavInfo info) throws IOException {
    long bytes = Files.exists(tmp) ? Files.size(tmp) : 0;
    if (bytes == 0) throw new PostcallException("converting " + wav + " produced an empty MP3", false);
    Duration got = Mp3Frames.duration(tmp);
    Duration want = info.duration();
    if (got.minus(want).abs().compareTo(MAX_DRIFT) > 0)
      throw new PostcallException("converting " + wav + " produced " + seconds(got) + " s of MP3 from "
          + seconds(want) + " s of WAV (corrupt audio?)", false);
    return new Mp3(tmp, got, bytes);
  }

  private static String seconds(Duration d) {
    return String.format(java.util.Locale.ROOT, "%.2f", d.toMillis() / 1000.0);
  }

  private static long freeSpace(Path p) {
    try {
      return Files.getFileStore(p.toAbsolutePath().getParent()).getUsableSpace();
    } catch (IOException e) {
      return Long.MAX_VALUE;
    }
  }

  private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) if (type.isInstance(t)) return true;
    return false;
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      log.warn("cannot delete {}: {}", p, e.getMessage());
    }
  }
}
