package dev.postcall.audio;

import dev.postcall.FileModes;
import dev.postcall.PostcallException;
import dev.postcall.config.PostcallConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WAV → MP3 with ffmpeg (JAVE2's bundled static binary unless {@code audio.ffmpeg} is set), at
 * telephony settings: {@code audio.channels} (mono), the WAV's own sample rate, {@code
 * audio.bitrate} (32 kbit/s), under {@code nice -n audio.nice}.
 *
 * <p>ffmpeg never opens the recording by name: postcall opens it once, reads the header through
 * that channel, and feeds exactly the header and audio it checked to ffmpeg's stdin, with the
 * format forced to WAV and no protocol but the pipe allowed (a file swapped in, or a playlist
 * pointing elsewhere, cannot make ffmpeg read anything else). ffmpeg writes a temporary file of
 * this conversion's own; it is killed past {@link #deadline}.
 *
 * <p>The MP3 is renamed into place only once it is checked (non-empty, as long as the WAV within
 * {@link #MAX_DRIFT}), so a reader never sees a half-written MP3. A WAV that is empty, cut short
 * or not a WAV fails with a non-retryable {@link PostcallException} naming the reason; a missing
 * ffmpeg, a full disk or a conversion past its deadline is retryable. One conversion per target
 * at a time in this process; each runs its own ffmpeg.
 */
public final class ConvertRecording {
  private static final Logger log = LoggerFactory.getLogger(ConvertRecording.class);
  public static final Duration MAX_DRIFT = Duration.ofSeconds(1);
  /** Time for ffmpeg to start and finish, on top of the audio's share. */
  static final Duration DEADLINE_BASE = Duration.ofSeconds(30);
  /** Below this much free space a failed encode is blamed on the disk, and retried later. */
  private static final long LOW_DISK_BYTES = 16L << 20;
  private static final int STDERR_TAIL = 2048;

  /** The converted file and what it holds. */
  public record Mp3(Path path, Duration duration, long bytes) {}

  private final PostcallConfig.Audio cfg;
  private final Duration deadlineBase;
  private final NicedFfmpeg ffmpeg;
  /** ffmpeg is CPU-bound: more processes than cores only slow each other (and the PBX) down. */
  private final Semaphore slots;
  /** Targets being converted now: a second run of the same job (a lease taken over) must not start another ffmpeg. */
  private final Set<Path> converting = ConcurrentHashMap.newKeySet();

  public ConvertRecording(PostcallConfig.Audio cfg) {
    this(cfg, DEADLINE_BASE);
  }

  ConvertRecording(PostcallConfig.Audio cfg, Duration deadlineBase) {
    this.cfg = cfg;
    this.deadlineBase = deadlineBase;
    this.ffmpeg = new NicedFfmpeg(cfg.ffmpeg(), cfg.ffmpegDir(), cfg.niceLevel());
    this.slots = new Semaphore(cfg.conversions(), true);
    log.info("audio: ffmpeg {} (nice {}), {} bit/s, {} channel(s), {} at once", ffmpeg.executable(),
        cfg.niceLevel(), cfg.bitrate(), cfg.channels(), cfg.conversions());
  }

  /** The ffmpeg binary conversions run (for the benchmark and the start-up log). */
  public String ffmpegPath() {
    return ffmpeg.executable();
  }

  /** How long converting this audio may take before ffmpeg is killed. */
  public Duration deadline(WavInfo info) {
    return deadlineBase.plus(info.duration().dividedBy(cfg.minSpeed()));
  }

  /** Opens {@code wav} (a symlink is refused) and converts what that one open file holds. */
  public Mp3 convert(Path wav, Path mp3) throws InterruptedException {
    try (SeekableByteChannel in = Files.newByteChannel(wav, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      return convert(wav, in, WavInfo.read(wav, in), mp3);
    } catch (IOException e) {
      throw new PostcallException("cannot read recording " + wav + ": " + e.getMessage(), true, e);
    }
  }

  /**
   * Converts the recording open on {@code in} (whose header {@code info} was read through it),
   * waiting for one of the {@code audio.conversions} slots first. {@code wav} only names it.
   */
  public Mp3 convert(Path wav, SeekableByteChannel in, WavInfo info, Path mp3) throws InterruptedException {
    if (info.headerOnly())
      throw new PostcallException("recording " + wav + " has no audio (header only, " + info.fileBytes() + " bytes)", false);
    if (info.truncated())
      throw new PostcallException("recording " + wav + " is truncated: its header promises " + info.declaredDataBytes()
          + " bytes of audio, the file holds " + info.dataBytes(), false);
    Path target = mp3.toAbsolutePath().normalize();
    if (!converting.add(target))
      throw new PostcallException("a conversion to " + mp3 + " is already running in this process", true);
    try {
      slots.acquire();
      try {
        return convertNow(wav, in, info, mp3);
      } finally {
        slots.release();
      }
    } finally {
      converting.remove(target);
    }
  }

  private Mp3 convertNow(Path wav, SeekableByteChannel in, WavInfo info, Path mp3) throws InterruptedException {
    // this conversion's own: another one of the same call (elsewhere) cannot delete or overwrite it
    Path tmp = mp3.resolveSibling(mp3.getFileName() + "." + UUID.randomUUID().toString().substring(0, 8) + ".tmp");
    createFolder(mp3.toAbsolutePath().getParent());
    boolean done = false;
    try {
      encode(wav, in, info, tmp);
      Mp3 result = check(wav, tmp, info);
      FileModes.restrict(tmp); // every call's audio: 0640, whatever the umask of the shell that started postcall
      Files.move(tmp, mp3, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      done = true;
      return new Mp3(mp3, result.duration(), result.bytes());
    } catch (IOException e) {
      throw new PostcallException("cannot write " + mp3 + ": " + e.getMessage(), true, e);
    } finally {
      if (!done) deleteQuietly(tmp);
    }
  }

  /** An archive folder that cannot be made (a file in the way, no permission) needs an admin, not retries. */
  private static void createFolder(Path dir) {
    try {
      FileModes.createDirectories(dir); // 0750
    } catch (IOException e) {
      boolean disk = String.valueOf(e.getMessage()).contains("No space left");
      throw new PostcallException("cannot create the archive folder " + dir + ": " + e, disk, e);
    }
  }

  private void encode(Path wav, SeekableByteChannel in, WavInfo info, Path tmp) throws IOException, InterruptedException {
    List<String> args = List.of("-hide_banner", "-nostats", "-loglevel", "error",
        "-protocol_whitelist", "pipe", "-f", "wav", "-i", "pipe:0",
        "-vn", "-ac", Integer.toString(cfg.channels()), "-ar", Integer.toString(info.sampleRate()),
        "-c:a", "libmp3lame", "-b:a", Integer.toString(cfg.bitrate()), "-f", "mp3",
        // a seekable output, so ffmpeg writes the LAME tag (encoder delay and padding) players trim by
        "-y", "file:" + tmp.toAbsolutePath());
    Process proc;
    try {
      proc = new ProcessBuilder(ffmpeg.command(args)).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      throw new PostcallException("ffmpeg cannot be started (" + ffmpeg.executable() + "): " + e.getMessage(), true, e);
    }
    Duration deadline = deadline(info);
    StderrTail stderr = new StderrTail(proc.getErrorStream());
    Thread feeder = new Thread(() -> feed(in, info.dataOffset() + info.dataBytes(), proc.getOutputStream()), "ffmpeg-feed");
    feeder.setDaemon(true);
    stderr.start();
    feeder.start();
    try {
      if (!proc.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
        proc.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        throw new PostcallException("converting " + wav + " took longer than " + seconds(deadline) + " s for "
            + seconds(info.duration()) + " s of audio (audio.min-speed " + cfg.minSpeed() + "): ffmpeg killed", true);
      }
    } catch (InterruptedException e) {
      proc.destroyForcibly();
      throw e;
    } finally {
      feeder.join(5_000);
      stderr.join(5_000);
    }
    int rc = proc.exitValue();
    if (rc != 0) throw encodeFailure(wav, tmp, "ffmpeg exited with " + rc + ": " + stderr.text());
  }

  /** Copies the checked header and audio — nothing beyond — into ffmpeg. */
  private static void feed(SeekableByteChannel in, long bytes, OutputStream stdin) {
    try (WritableByteChannel out = Channels.newChannel(stdin)) {
      ByteBuffer buf = ByteBuffer.allocate(1 << 16);
      in.position(0);
      long left = bytes;
      while (left > 0) {
        buf.clear().limit((int) Math.min(buf.capacity(), left));
        int r = in.read(buf);
        if (r < 0) break;
        buf.flip();
        while (buf.hasRemaining()) out.write(buf);
        left -= r;
      }
    } catch (IOException e) {
      // ffmpeg stopped reading (it failed, or was killed): its exit code tells why
    }
  }

  /** The end of ffmpeg's error output, for the failure reason. */
  private static final class StderrTail extends Thread {
    private final InputStream err;
    private final byte[] tail = new byte[STDERR_TAIL];
    private int len;

    StderrTail(InputStream err) {
      super("ffmpeg-stderr");
      setDaemon(true);
      this.err = err;
    }

    @Override
    public void run() {
      byte[] buf = new byte[4096];
      try (err) {
        for (int r; (r = err.read(buf)) > 0; ) append(buf, r);
      } catch (IOException e) {
        // the process is gone
      }
    }

    private synchronized void append(byte[] b, int n) {
      if (n >= tail.length) {
        System.arraycopy(b, n - tail.length, tail, 0, tail.length);
        len = tail.length;
        return;
      }
      int keep = Math.min(len, tail.length - n);
      System.arraycopy(tail, len - keep, tail, 0, keep);
      System.arraycopy(b, 0, tail, keep, n);
      len = keep + n;
    }

    synchronized String text() {
      return new String(tail, 0, len, StandardCharsets.UTF_8).strip().replaceAll("\\p{Cntrl}+", " ");
    }
  }

  private PostcallException encodeFailure(Path wav, Path tmp, String msg) {
    if (!ffmpeg.exists()) return new PostcallException("ffmpeg cannot be started (" + ffmpeg.executable() + "): " + msg, true);
    if (msg.contains("No space left") || freeSpace(tmp) < LOW_DISK_BYTES)
      return new PostcallException("disk full while converting " + wav + ": " + msg, true);
    return new PostcallException("converting " + wav + " failed: " + msg, false);
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

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      log.warn("cannot delete {}: {}", p, e.getMessage());
    }
  }
}
