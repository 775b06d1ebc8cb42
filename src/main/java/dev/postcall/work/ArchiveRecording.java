package dev.postcall.work;

import dev.postcall.PostcallException;
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

  /**
   * Whether a path from the database names a file under this worker's archive folder. One that does
   * not is another worker's MP3 (a job taken over after that worker died): never read here, the
   * recording is converted again instead.
   */
  public boolean holds(String mp3Path) {
    try {
      return Path.of(mp3Path).toAbsolutePath().normalize().startsWith(cfg.dir().toAbsolutePath().normalize());
    } catch (java.nio.file.InvalidPathException e) {
      return false;
    }
  }

  /**
   * A path read back from the database ({@code jobs.mp3_path}), checked to be an MP3 under the
   * archive folder — also after symlinks — before it is read, uploaded or deleted: the database is
   * not the authority on which files postcall may touch. Throws a non-retryable error otherwise.
   */
  public Path checked(String mp3Path) {
    return checked(cfg.dir(), mp3Path);
  }

  /** {@link #checked(String)} against the archive folder {@code dir} (for readers without the whole configuration). */
  public static Path checked(Path dir, String mp3Path) {
    Path root = dir.toAbsolutePath().normalize();
    Path p;
    try {
      p = Path.of(mp3Path).toAbsolutePath().normalize();
    } catch (java.nio.file.InvalidPathException e) {
      throw refused(mp3Path, "is not a valid path");
    }
    if (!p.startsWith(root) || !p.getFileName().toString().endsWith(".mp3")) throw refused(mp3Path, "is not an MP3 under " + root);
    try {
      if (Files.isSymbolicLink(p)) throw refused(mp3Path, "is a symlink");
      Path parent = p.getParent();
      if (Files.exists(parent) && Files.exists(root) && !parent.toRealPath().startsWith(root.toRealPath()))
        throw refused(mp3Path, "links outside " + root);
    } catch (IOException e) {
      throw new PostcallException("MP3 " + mp3Path + ": " + e.getMessage(), true, e);
    }
    return p;
  }

  private static PostcallException refused(String path, String why) {
    return new PostcallException("refused MP3 path '" + path.replaceAll("\\p{Cntrl}", "?") + "' from the database: it " + why, false);
  }

  public boolean deletesWav() {
    return cfg.deleteWav();
  }

  /** After a successful delivery: drop the MP3 unless archived (the WAV is the worker's to delete). */
  public void cleanUp(Path mp3) throws IOException {
    if (mp3 != null && !cfg.keepMp3()) Files.deleteIfExists(mp3);
  }
}
