package dev.postcall.audio;

import dev.postcall.PostcallException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The static ffmpeg that JAVE2 ships as a resource, unpacked into a folder of postcall's own
 * ({@code audio.ffmpeg-dir}, mode 0700) instead of JAVE's shared {@code ${java.io.tmpdir}/jave},
 * where any local user can plant a binary first. Before every use the binary must still be a
 * regular file owned by this process's user, writable by nobody else, of the resource's size and
 * unchanged since it was hashed; otherwise it is hashed again against the resource and replaced.
 */
final class BundledFfmpeg {
  private static final Logger log = LoggerFactory.getLogger(BundledFfmpeg.class);
  /** Where JAVE2's native-binary jar keeps it. */
  static final String RESOURCE_DIR = "/ws/schild/jave/nativebin/";
  private static final Set<PosixFilePermission> OTHERS_WRITE = Set.of(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);

  private final Path dir;
  private final String resource;
  private final byte[] sha256;
  private final long size;
  private final Path binary;
  /** What the binary looked like when last hashed; a change in any of these means hash again. */
  private volatile Stamp verified;

  private record Stamp(Object fileKey, long size, long mtimeNanos) {}

  BundledFfmpeg(Path dir) {
    this(dir, "ffmpeg-" + System.getProperty("os.arch").toLowerCase(Locale.ROOT));
  }

  BundledFfmpeg(Path dir, String resourceName) {
    this.dir = dir.toAbsolutePath().normalize();
    this.resource = RESOURCE_DIR + resourceName;
    try (InputStream in = open()) {
      MessageDigest md = sha256();
      this.size = update(md, in);
      this.sha256 = md.digest();
    } catch (IOException e) {
      throw new PostcallException("cannot read the bundled ffmpeg " + resource + ": " + e.getMessage(), true, e);
    }
    this.binary = this.dir.resolve(resourceName + "-" + HexFormat.of().formatHex(sha256, 0, 6));
  }

  /** The checked binary, unpacked (again) when missing or not exactly the bundled one. */
  Path path() {
    try {
      if (!stillVerified()) install();
      return binary;
    } catch (IOException e) {
      throw new PostcallException("cannot prepare the bundled ffmpeg in " + dir + " (audio.ffmpeg-dir): " + e.getMessage(), true, e);
    }
  }

  private boolean stillVerified() throws IOException {
    Stamp s = verified;
    if (s == null || !Files.exists(binary, LinkOption.NOFOLLOW_LINKS)) return false;
    PosixFileAttributes a = Files.readAttributes(binary, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    return a.isRegularFile() && trusted(a) && s.equals(stamp(a)) && trusted(folderAttributes());
  }

  private synchronized void install() throws IOException {
    prepareFolder();
    if (Files.exists(binary, LinkOption.NOFOLLOW_LINKS)) {
      PosixFileAttributes a = Files.readAttributes(binary, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (a.isRegularFile() && trusted(a) && a.size() == size && Objects.deepEquals(hashOf(binary), sha256)) {
        verified = stamp(a);
        return;
      }
      log.warn("audio: {} is not the bundled ffmpeg (owner {}, mode {}, {} bytes): replacing it", binary, a.owner(),
          PosixFilePermissions.toString(a.permissions()), a.size());
      Files.delete(binary);
    }
    Path tmp = Files.createTempFile(dir, "ffmpeg-", ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      try (InputStream in = open(); OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.WRITE)) {
        in.transferTo(out);
      }
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("r-x------"));
      if (!Objects.deepEquals(hashOf(tmp), sha256)) throw new IOException("the unpacked copy differs from the bundled resource");
      Files.move(tmp, binary, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
    verified = stamp(Files.readAttributes(binary, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
    log.info("audio: unpacked the bundled ffmpeg to {}", binary);
  }

  /** The folder must be ours, a real folder (no symlink), writable by us alone. */
  private void prepareFolder() throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS))
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    PosixFileAttributes a = folderAttributes();
    if (!a.isDirectory()) throw new IOException(dir + " is not a folder (a symlink?)");
    if (!a.owner().equals(me()))
      throw new IOException(dir + " belongs to " + a.owner().getName() + ", not to " + me().getName() + " who runs postcall");
    if (a.permissions().stream().anyMatch(OTHERS_WRITE::contains))
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
  }

  private PosixFileAttributes folderAttributes() throws IOException {
    return Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
  }

  private boolean trusted(PosixFileAttributes a) throws IOException {
    return a.owner().equals(me()) && a.permissions().stream().noneMatch(OTHERS_WRITE::contains);
  }

  private static Stamp stamp(PosixFileAttributes a) {
    return new Stamp(a.fileKey(), a.size(), a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS));
  }

  /** The user this process runs as: the owner of its own /proc entry on Linux. */
  private static UserPrincipal me() throws IOException {
    Path self = Path.of("/proc/self");
    if (Files.exists(self)) return Files.getOwner(self);
    return java.nio.file.FileSystems.getDefault().getUserPrincipalLookupService()
        .lookupPrincipalByName(System.getProperty("user.name"));
  }

  private InputStream open() throws IOException {
    InputStream in = BundledFfmpeg.class.getResourceAsStream(resource);
    if (in == null) throw new IOException("no " + resource + " for this platform on the class path: set audio.ffmpeg");
    return in;
  }

  private static byte[] hashOf(Path f) throws IOException {
    MessageDigest md = sha256();
    try (InputStream in = Files.newInputStream(f, LinkOption.NOFOLLOW_LINKS)) {
      update(md, in);
    }
    return md.digest();
  }

  private static long update(MessageDigest md, InputStream in) throws IOException {
    byte[] buf = new byte[1 << 16];
    long n = 0;
    for (int r; (r = in.read(buf)) > 0; n += r) md.update(buf, 0, r);
    return n;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
