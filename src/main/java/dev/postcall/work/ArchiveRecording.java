package dev.postcall.work;

import dev.postcall.config.PostcallConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.regex.Pattern;

/**
 * Where MP3s are written ({@code archive/yyyy/mm/dd/<uniqueid>.mp3}) and what is removed once a call
 * is delivered. Nothing is deleted before the upload succeeded: {@link #cleanUp} runs only in the
 * last stage.
 */
public final class ArchiveRecording {
  private static final Pattern UNSAFE = Pattern.compile("[^A-Za-z0-9._-]");
  private final PostcallConfig.Archive cfg;

  public ArchiveRecording(PostcallConfig.Archive cfg) {
    this.cfg = cfg;
  }

  /** The MP3's path for a call; hostile uniqueids are made file-safe (and kept apart by job id). */
  public Path mp3For(String uniqueid, long jobId, LocalDate day) {
    String safe = UNSAFE.matcher(uniqueid).replaceAll("_");
    if (!safe.equals(uniqueid) || safe.startsWith(".")) safe = "_" + safe + "-j" + jobId;
    return cfg.dir().resolve(String.format("%04d/%02d/%02d", day.getYear(), day.getMonthValue(), day.getDayOfMonth()))
        .resolve(safe + ".mp3");
  }

  public static LocalDate dayOf(java.time.Instant t) {
    return LocalDate.ofInstant(t, ZoneOffset.UTC);
  }

  /** After a successful delivery: drop the MP3 unless archived, drop the WAV if configured. */
  public void cleanUp(Path mp3, Path wav) throws IOException {
    if (mp3 != null && !cfg.keepMp3()) Files.deleteIfExists(mp3);
    if (wav != null && cfg.deleteWav()) Files.deleteIfExists(wav);
  }
}
