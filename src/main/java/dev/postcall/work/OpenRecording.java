package dev.postcall.work;

import dev.postcall.PostcallException;
import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * A recording opened once, relative to the recordings folder, without following any symlink: each
 * folder below the root is opened with {@code O_NOFOLLOW} relative to the one above
 * ({@code openat}, Java's {@link SecureDirectoryStream}), then the file itself. What is read,
 * converted and deleted is then this file, whatever is renamed or swapped under its name
 * meanwhile. The root itself is configuration and trusted.
 */
public final class OpenRecording implements AutoCloseable {
  private final Path path;
  private final SecureDirectoryStream<Path> folder;
  private final Path name;
  private final SeekableByteChannel channel;
  private final Object fileKey;
  private final long size;

  private OpenRecording(Path path, SecureDirectoryStream<Path> folder, Path name, SeekableByteChannel channel,
      Object fileKey, long size) {
    this.path = path;
    this.folder = folder;
    this.name = name;
    this.channel = channel;
    this.fileKey = fileKey;
    this.size = size;
  }

  /**
   * Opens {@code file}, which {@link RecordingPath} placed under {@code root}. Throws {@link
   * NoSuchFileException} when it is not there, a non-retryable {@link PostcallException} when a
   * part of the path is a symlink or not a regular file.
   */
  public static OpenRecording open(Path root, Path file) throws IOException {
    SecureDirectoryStream<Path> dir = folderOf(root, file);
    Path name = file.getFileName();
    try {
      BasicFileAttributes before = attributes(dir, name);
      if (!before.isRegularFile()) throw refused(file, before.isSymbolicLink() ? "is a symlink" : "is not a regular file");
      SeekableByteChannel ch = dir.newByteChannel(name, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
      BasicFileAttributes after = attributes(dir, name);
      // a swap between the look and the open shows as another inode
      if (!Objects.equals(before.fileKey(), after.fileKey())) {
        ch.close();
        throw new PostcallException("recording " + file + " was replaced while it was being opened", true);
      }
      return new OpenRecording(file, dir, name, ch, after.fileKey(), ch.size());
    } catch (IOException | RuntimeException e) {
      dir.close();
      if (e instanceof IOException io && io.getMessage() != null && io.getMessage().contains("symbolic link"))
        throw refused(file, "is a symlink");
      throw e;
    }
  }

  /**
   * Deletes {@code file} if it is a regular file not modified after {@code notAfter}: for a later
   * run that no longer holds the file it converted (a crash, a retry) — a WAV written after the
   * upload is not the one uploaded. Returns whether it deleted.
   */
  public static boolean deleteIfNotModifiedAfter(Path root, Path file, Instant notAfter) throws IOException {
    try (SecureDirectoryStream<Path> dir = folderOf(root, file)) {
      Path name = file.getFileName();
      BasicFileAttributes a = attributes(dir, name);
      if (!a.isRegularFile() || a.lastModifiedTime().toInstant().isAfter(notAfter)) return false;
      dir.deleteFile(name);
      return true;
    } catch (NoSuchFileException e) {
      return false;
    }
  }

  public Path path() {
    return path;
  }

  public SeekableByteChannel channel() {
    return channel;
  }

  /** The size when opened. */
  public long size() {
    return size;
  }

  /**
   * Deletes the file if its name still points at the inode that was opened; a file swapped in
   * under the name is left alone. Returns whether it deleted.
   */
  public boolean deleteIfUnchanged() throws IOException {
    try {
      BasicFileAttributes now = attributes(folder, name);
      if (!now.isRegularFile() || !Objects.equals(now.fileKey(), fileKey)) return false;
      folder.deleteFile(name);
      return true;
    } catch (NoSuchFileException e) {
      return false;
    }
  }

  @Override
  public void close() throws IOException {
    try {
      channel.close();
    } finally {
      folder.close();
    }
  }

  private static BasicFileAttributes attributes(SecureDirectoryStream<Path> dir, Path name) throws IOException {
    return dir.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).readAttributes();
  }

  /** The folder holding {@code file}, reached from the root one component at a time, no symlink followed. */
  private static SecureDirectoryStream<Path> folderOf(Path root, Path file) throws IOException {
    Path rel = root.relativize(file);
    if (rel.getNameCount() < 1 || rel.startsWith("..") || rel.isAbsolute()) throw refused(file, "is outside " + root);
    SecureDirectoryStream<Path> dir = secure(Files.newDirectoryStream(root), root);
    try {
      for (int i = 0; i < rel.getNameCount() - 1; i++) {
        Path part = rel.getName(i);
        SecureDirectoryStream<Path> sub;
        try {
          sub = dir.newDirectoryStream(part, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
          if (Files.isSymbolicLink(root.resolve(rel.subpath(0, i + 1)))) throw refused(file, "lies under a symlink");
          throw e;
        }
        dir.close();
        dir = sub;
      }
      return dir;
    } catch (IOException | RuntimeException e) {
      dir.close();
      throw e;
    }
  }

  private static SecureDirectoryStream<Path> secure(DirectoryStream<Path> ds, Path root) throws IOException {
    if (ds instanceof SecureDirectoryStream<Path> s) return s;
    ds.close();
    throw new IOException("this platform cannot open " + root + " safely (no openat): recordings need Linux");
  }

  private static PostcallException refused(Path file, String why) {
    return new PostcallException("refused recording " + RecordingPath.printable(file.toString()) + ": it " + why, false);
  }
}
