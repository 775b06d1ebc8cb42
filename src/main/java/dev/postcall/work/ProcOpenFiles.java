package dev.postcall.work;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Linux: a file is open when a link under {@code /proc/<pid>/fd/} points at it. Processes we may
 * not inspect (other users, when not root) are skipped, so run postcall as the asterisk user or
 * rely on the quiet period.
 */
public final class ProcOpenFiles implements OpenFileProbe {
  private final Path proc;

  public ProcOpenFiles() {
    this(Path.of("/proc"));
  }

  ProcOpenFiles(Path proc) {
    this.proc = proc;
  }

  public static boolean available() {
    return Files.isDirectory(Path.of("/proc/self/fd"));
  }

  @Override
  public boolean isOpen(Path file) {
    Path target = file.toAbsolutePath().normalize();
    try (DirectoryStream<Path> pids = Files.newDirectoryStream(proc, ProcOpenFiles::isPid)) {
      for (Path pid : pids) {
        if (holds(pid.resolve("fd"), target)) return true;
      }
    } catch (IOException e) {
      return false;
    }
    return false;
  }

  private static boolean isPid(Path p) {
    String n = p.getFileName().toString();
    return !n.isEmpty() && n.chars().allMatch(Character::isDigit);
  }

  private static boolean holds(Path fdDir, Path target) {
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(fdDir)) {
      for (Path fd : fds) {
        try {
          if (Files.readSymbolicLink(fd).equals(target)) return true;
        } catch (AccessDeniedException e) {
          // Listing allowed but reading denied (another user namespace, ptrace rules): so is
          // every other descriptor of this process. Stop here: trying each one costs two
          // exceptions per descriptor on every check.
          return false;
        } catch (IOException | UnsupportedOperationException ignored) {
          // the descriptor closed while we looked, or is not a link: not our file
        }
      }
    } catch (IOException | SecurityException e) {
      // the process ended, or we may not look at it
    }
    return false;
  }
}
