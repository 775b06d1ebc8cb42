package dev.postcall;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Modes for what postcall writes about calls (spool, MP3 archive): folders 0750, files 0640 —
 * readable by postcall's group (a backup, an admin), never by every local account, whatever the
 * umask of the shell that started it. File systems without POSIX modes are left as they are.
 */
public final class FileModes {
  public static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwxr-x---");
  public static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-r-----");
  private static final boolean POSIX = java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  private FileModes() {}

  /** For {@code Files.createFile}/{@code FileChannel.open(…, CREATE)}: a new file is 0640 (at most: the umask may narrow it). */
  public static FileAttribute<?>[] newFile() {
    return POSIX ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE)} : new FileAttribute<?>[0];
  }

  /** Creates {@code dir} and any missing parent as 0750; folders that exist already are left alone. */
  public static Path createDirectories(Path dir) throws IOException {
    Path abs = dir.toAbsolutePath();
    if (Files.isDirectory(abs)) return dir;
    Path parent = abs.getParent();
    if (parent != null && !Files.isDirectory(parent)) createDirectories(parent);
    try {
      if (POSIX) Files.createDirectory(abs, PosixFilePermissions.asFileAttribute(DIRECTORY));
      else Files.createDirectory(abs);
    } catch (FileAlreadyExistsException raced) {
      if (!Files.isDirectory(abs)) throw raced;
    }
    return dir;
  }

  /** Narrows an existing file or folder of ours to 0640/0750 (one written before postcall set modes). */
  public static void restrict(Path p) throws IOException {
    if (!POSIX || !Files.exists(p)) return;
    Files.setPosixFilePermissions(p, Files.isDirectory(p) ? DIRECTORY : FILE);
  }
}
