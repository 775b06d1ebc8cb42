package dev.postcall.cdr;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A file's identity the way log shippers track it: device + inode survive a rename (logrotate), and
 * a fingerprint of the first bytes tells a reused inode, or a copytruncate'd file written anew, from
 * the file we were reading. Master.csv's first line holds a timestamp and a uniqueid, so 1 KiB
 * names a file well.
 */
final class FileIdentity {
  static final int FINGERPRINT_BYTES = 1024;

  private FileIdentity() {}

  record Fingerprint(String hash, int length) {}

  /** {@code (dev=…,ino=…)} on Linux; the absolute path where the file system has no file key. */
  static String key(Path p) throws IOException {
    Object k = Files.readAttributes(p, BasicFileAttributes.class).fileKey();
    return k != null ? k.toString() : p.toAbsolutePath().toString();
  }

  /** The fingerprint of the first {@code min(size, 1 KiB)} bytes. */
  static Fingerprint of(Path p) throws IOException {
    return of(p, FINGERPRINT_BYTES);
  }

  /** The fingerprint of the first {@code len} bytes, or fewer if the file is shorter. */
  static Fingerprint of(Path p, int len) throws IOException {
    byte[] head;
    try (InputStream in = Files.newInputStream(p)) {
      head = in.readNBytes(len);
    }
    try {
      return new Fingerprint(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(head)), head.length);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Whether {@code p} still starts with the bytes {@code state} was fingerprinted from. */
  static boolean sameContent(Path p, FileState state) throws IOException {
    Fingerprint now = of(p, state.fingerprintLen());
    return now.length() == state.fingerprintLen() && now.hash().equals(state.fingerprint());
  }
}
