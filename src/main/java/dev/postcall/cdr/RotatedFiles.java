package dev.postcall.cdr;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The rotated siblings of a log file, newest first: logrotate's {@code Master.csv.1} (rename or
 * copytruncate) and {@code Master.csv-20261122} (dateext). Compressed ones are left out: the rows in
 * them were read before compression or are the sweep's business no longer.
 */
final class RotatedFiles {
  private RotatedFiles() {}

  static List<Path> of(Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    String base = file.getFileName().toString();
    List<Path> out = new ArrayList<>();
    if (dir == null || !Files.isDirectory(dir)) return out;
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        String n = p.getFileName().toString();
        if (n.length() <= base.length() || !n.startsWith(base)) continue;
        char sep = n.charAt(base.length());
        if (sep != '.' && sep != '-') continue;
        String lower = n.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".gz") || lower.endsWith(".bz2") || lower.endsWith(".xz") || lower.endsWith(".zst")
            || lower.endsWith(".zip")) continue;
        if (Files.isRegularFile(p)) out.add(p);
      }
    }
    out.sort(Comparator.comparing(RotatedFiles::modified).reversed());
    return out;
  }

  private static FileTime modified(Path p) {
    try {
      return Files.getLastModifiedTime(p);
    } catch (IOException e) {
      return FileTime.fromMillis(0);
    }
  }
}
