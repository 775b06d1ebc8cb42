package dev.postcall.db;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

/**
 * The embedded MariaDB's {@code postcall} account password: generated at first start (32 random
 * bytes), kept in a file only postcall's user may read, and read back by every later start and by
 * the CLI. Refuses a file others may read or a symbolic link: the password is only as good as that file.
 */
final class EmbeddedCredentials {
  static final String FILE = "postcall-db.password";
  static final String USER = "postcall";
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

  private EmbeddedCredentials() {}

  /** The password in {@code dir}, created (0600) when there is none yet. */
  static String loadOrCreate(Path dir) throws IOException {
    Path file = dir.resolve(FILE);
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      byte[] b = new byte[32];
      new SecureRandom().nextBytes(b);
      String pw = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
      try {
        Files.writeString(file, pw + "\n", StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        Files.setPosixFilePermissions(file, OWNER_ONLY);
      } catch (FileAlreadyExistsException raced) {
        // another postcall process created it at the same moment: use theirs
      }
    }
    return load(dir);
  }

  /** The password in {@code dir}; fails when the file is missing, a link, or readable by others. */
  static String load(Path dir) throws IOException {
    Path file = dir.resolve(FILE);
    if (Files.isSymbolicLink(file)) throw new IOException(file + " is a symbolic link; expected a plain file");
    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
    if (!OWNER_ONLY.containsAll(perms)) throw new IOException(file + " may be read by others ("
        + PosixFilePermissions.toString(perms) + "); expected rw------- (chmod 600)");
    String pw = Files.readString(file, StandardCharsets.US_ASCII).strip();
    // generated passwords are base64url; anything else would need quoting in the SQL that sets it
    if (!pw.matches("[A-Za-z0-9_-]{20,200}")) throw new IOException(file + " does not hold a generated password");
    return pw;
  }
}
