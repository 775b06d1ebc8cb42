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
 * unchanged (inode, size, mtime, ctime) since it was last compared with the resource's SHA-256 —
 * that stamp is kept beside it, so a start does not hash 77 MB twice; otherwise it is hashed again
 * and replaced if it differs.
 */
final class BundledFfmpeg {
  private static final Logger log = LoggerFactory.getLogger(BundledFfmpeg.class);
  /** Where JAVE2's native-binary jar keeps it. */
  static final String RESOURCE_DIR = "/ws/schild/jave/nativebin/";
  private static final Set<PosixFilePermission> OTHERS_WRITE = Set.of(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);

  private final Path dir;
  private final String resource;
  private final long size;
  private final Path binary;
  /** What the binary looked like when it was last verified, kept beside it for the next start. */
  private final Path stampFile;
  private volatile Stamp verified;

  /** Inode, size, mtime and ctime: any write, rename or chmod of the file changes one of them. */
  private record Stamp(String fileKey, long size, long mtimeNanos, long ctimeNanos) {
    String line() {
      return fileKey + " " + size + " " + mtimeNanos + " " + ctimeNanos;
    }
  }

  BundledFfmpeg(Path dir) {
    this(dir, "ffmpeg-" + System.getProperty("os.arch").toLowerCase(Locale.ROOT));
  }

  BundledFfmpeg(Path dir, String resourceName) {
    this.dir = dir.toAbsolutePath().normalize();
    this.resource = RESOURCE_DIR + resourceName;
    // the jar entry's size, without inflating 77 MB at every start
    java.net.URL url = BundledFfmpeg.class.getResource(resource);
    if (url == null) throw new PostcallException("no " + resource + " for this platform on the class path: set audio.ffmpeg", false);
    try {
      this.size = url.openConnection().getContentLengthLong();
    } catch (IOException e) {
      throw new PostcallException("cannot read the bundled ffmpeg " + resource + ": " + e.getMessage(), true, e);
    }
    this.binary = this.dir.resolve(resourceName + "-" + size);
    this.stampFile = this.dir.resolve(binary.getFileName() + ".verified");
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
    PosixFileAttributes a = attributes(binary);
    return a.isRegularFile() && trusted(a) && s.equals(stamp(a)) && trusted(attributes(dir));
  }

  private synchronized void install() throws IOException {
    prepareFolder();
    if (Files.exists(binary, LinkOption.NOFOLLOW_LINKS)) {
      PosixFileAttributes a = attributes(binary);
      if (a.isRegularFile() && trusted(a) && a.size() == size) {
        Stamp now = stamp(a);
        // unchanged since this user verified it (the stamp sits in the same 0700 folder): no hashing at start
        if (now.line().equals(readStamp())) {
          verified = now;
          return;
        }
        if (Objects.deepEquals(hashOf(binary), hashOfResource())) {
          writeStamp(now);
          verified = now;
          return;
        }
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
      if (Files.size(tmp) != size) throw new IOException("the unpacked copy has " + Files.size(tmp) + " bytes, not " + size);
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("r-x------"));
      Files.move(tmp, binary, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
    Stamp now = stamp(attributes(binary));
    writeStamp(now);
    verified = now;
    log.info("audio: unpacked the bundled ffmpeg to {}", binary);
  }

  private String readStamp() throws IOException {
    if (!Files.exists(stampFile, LinkOption.NOFOLLOW_LINKS)) return null;
    PosixFileAttributes a = attributes(stampFile);
    if (!a.isRegularFile() || !trusted(a)) return null;
    return Files.readString(stampFile).strip();
  }

  private void writeStamp(Stamp s) throws IOException {
    Path tmp = Files.createTempFile(dir, "stamp-", ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(tmp, s.line() + "\n");
    Files.move(tmp, stampFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static PosixFileAttributes attributes(Path p) throws IOException {
    return Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
  }

  /** The folder must be ours, a real folder (no symlink), writable by us alone. */
  private void prepareFolder() throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS))
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    PosixFileAttributes a = attributes(dir);
    if (!a.isDirectory()) throw new IOException(dir + " is not a folder (a symlink?)");
    if (!a.owner().equals(me()))
      throw new IOException(dir + " belongs to " + a.owner().getName() + ", not to " + me().getName() + " who runs postcall");
    if (a.permissions().stream().anyMatch(OTHERS_WRITE::contains))
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
  }

  private boolean trusted(PosixFileAttributes a) throws IOException {
    return a.owner().equals(me()) && a.permissions().stream().noneMatch(OTHERS_WRITE::contains);
  }

  private Stamp stamp(PosixFileAttributes a) throws IOException {
    Object ctime = Files.getAttribute(binary, "unix:ctime", LinkOption.NOFOLLOW_LINKS);
    long c = ctime instanceof java.nio.file.attribute.FileTime t ? t.to(java.util.concurrent.TimeUnit.NANOSECONDS) : 0;
    return new Stamp(String.valueOf(a.fileKey()).replace(' ', '_'), a.size(), a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS), c);
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

  private byte[] hashOfResource() throws IOException {
    MessageDigest md = sha256();
    try (InputStream in = open()) {
      update(md, in);
    }
    return md.digest();
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
