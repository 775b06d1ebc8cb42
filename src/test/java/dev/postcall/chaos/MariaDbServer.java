package dev.postcall.chaos;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A MariaDB server of the test's own, from Debian's {@code mariadbd} (scripts/test installs it),
 * with binary log and GTIDs so two of them can be primary and replica. Semi-synchronous in the
 * lossless mode (AFTER_SYNC): a commit returns only once the replica has it in its relay log — what
 * makes a switch lose nothing. Users: {@code postcall} (the service's, no SUPER: read_only stops
 * it), {@code repl} (replication), {@code admin} (the test's switch).
 */
final class MariaDbServer implements AutoCloseable {
  static final String USER = "postcall";
  static final String PASSWORD = "postcall-switch";
  private static final String ADMIN = "admin";
  private static final String ADMIN_PASSWORD = "admin-switch";
  private static final Path MARIADBD = Path.of("/usr/sbin/mariadbd");
  private static final Path INSTALL_DB = Path.of("/usr/bin/mariadb-install-db");

  final int port;
  private final Path dir;
  private final Process process;

  private MariaDbServer(Path dir, int port, Process process) {
    this.dir = dir;
    this.port = port;
    this.process = process;
  }

  static boolean available() {
    return Files.isExecutable(MARIADBD) && Files.isExecutable(INSTALL_DB);
  }

  /** A fresh server in {@code dir}: {@code replica} starts read-only, waiting for {@link #replicateFrom}. */
  static MariaDbServer start(Path dir, int port, int serverId, boolean replica) throws Exception {
    ChaosRun.deleteTree(dir);
    Path data = Files.createDirectories(dir.resolve("data"));
    boolean root = "root".equals(System.getProperty("user.name"));
    List<String> install = new ArrayList<>(List.of(INSTALL_DB.toString(), "--no-defaults", "--datadir=" + data,
        "--auth-root-authentication-method=socket", "--skip-test-db"));
    if (root) install.add("--user=root");
    run(install, dir.resolve("install.log"));
    Path init = dir.resolve("init.sql");
    // not written to the binary log: the same accounts exist on both servers, nothing to replicate
    Files.writeString(init, String.join("\n",
        "SET sql_log_bin = 0;",
        "CREATE DATABASE IF NOT EXISTS postcall;",
        "CREATE USER IF NOT EXISTS '" + USER + "'@'127.0.0.1' IDENTIFIED BY '" + PASSWORD + "';",
        "GRANT ALL ON postcall.* TO '" + USER + "'@'127.0.0.1';",
        "CREATE USER IF NOT EXISTS 'repl'@'127.0.0.1' IDENTIFIED BY 'repl-switch';",
        "GRANT REPLICATION SLAVE ON *.* TO 'repl'@'127.0.0.1';",
        "CREATE USER IF NOT EXISTS '" + ADMIN + "'@'127.0.0.1' IDENTIFIED BY '" + ADMIN_PASSWORD + "';",
        "GRANT ALL ON *.* TO '" + ADMIN + "'@'127.0.0.1' WITH GRANT OPTION;", ""), StandardCharsets.UTF_8);
    List<String> cmd = new ArrayList<>(List.of(MARIADBD.toString(), "--no-defaults", "--datadir=" + data,
        "--port=" + port, "--bind-address=127.0.0.1", "--skip-name-resolve", "--socket=" + dir.resolve("mysqld.sock"),
        "--pid-file=" + dir.resolve("mysqld.pid"), "--log-error=" + dir.resolve("error.log"), "--init-file=" + init,
        "--server-id=" + serverId, "--log-bin=" + dir.resolve("binlog"), "--binlog-format=ROW", "--log-slave-updates",
        "--innodb-buffer-pool-size=64M", "--innodb-flush-log-at-trx-commit=1", "--sync-binlog=1",
        "--max-connections=200"));
    if (replica) {
      cmd.addAll(List.of("--read-only=ON", "--rpl-semi-sync-slave-enabled=ON"));
    } else {
      cmd.addAll(List.of("--rpl-semi-sync-master-enabled=ON", "--rpl-semi-sync-master-wait-point=AFTER_SYNC",
          "--rpl-semi-sync-master-timeout=30000"));
    }
    if (root) cmd.add("--user=root");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("mariadbd.out").toFile()).start();
    MariaDbServer s = new MariaDbServer(dir, port, p);
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
        .until(() -> {
          if (!p.isAlive()) throw new IllegalStateException("mariadbd exited: " + ServiceProcess.tail(dir.resolve("error.log"), 20));
          try (Connection c = s.admin()) {
            return c.isValid(1);
          }
        });
    return s;
  }

  /** {@code jdbc:mysql://127.0.0.1:port} — the host part of a URL. */
  String hostPort() {
    return "127.0.0.1:" + port;
  }

  Connection admin() throws SQLException {
    return DriverManager.getConnection("jdbc:mysql://" + hostPort() + "/?sslMode=DISABLED&allowPublicKeyRetrieval=true"
        + "&connectTimeout=2000", ADMIN, ADMIN_PASSWORD);
  }

  /** Starts replicating everything {@code primary} logged, and waits until the replica is connected. */
  void replicateFrom(MariaDbServer primary) throws Exception {
    try (Connection c = admin(); Statement st = c.createStatement()) {
      st.execute("CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=" + primary.port
          + ", MASTER_USER='repl', MASTER_PASSWORD='repl-switch', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1");
      st.execute("START SLAVE");
    }
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
        .until(() -> "Yes".equals(replicaStatus().get("Slave_IO_Running")));
  }

  Map<String, String> replicaStatus() throws SQLException {
    Map<String, String> m = new TreeMap<>();
    try (Connection c = admin(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW SLAVE STATUS")) {
      if (rs.next()) for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) m.put(rs.getMetaData().getColumnLabel(i), rs.getString(i));
    }
    return m;
  }

  long status(String variable) throws SQLException {
    try (Connection c = admin(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SHOW GLOBAL STATUS LIKE '" + variable + "'")) {
      return rs.next() ? Long.parseLong(rs.getString(2)) : -1;
    }
  }

  /**
   * What an operator (or a failover manager) does once the primary is gone: apply what the relay log
   * holds, stop replicating, and take writes.
   */
  void promote() throws Exception {
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
      Map<String, String> s = replicaStatus();
      return s.get("Master_Log_File") != null && s.get("Master_Log_File").equals(s.get("Relay_Master_Log_File"))
          && s.get("Read_Master_Log_Pos").equals(s.get("Exec_Master_Log_Pos"));
    });
    try (Connection c = admin(); Statement st = c.createStatement()) {
      st.execute("STOP SLAVE");
      st.execute("RESET SLAVE ALL");
      st.execute("SET GLOBAL read_only = OFF");
    }
  }

  /** The machine under it dies: no shutdown, no flush. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    if (!process.isAlive()) return;
    process.destroy(); // SIGTERM: a clean shutdown
    if (!process.waitFor(30, TimeUnit.SECONDS)) kill();
  }

  private static void run(List<String> cmd, Path log) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0)
      throw new IllegalStateException(String.join(" ", cmd) + " failed: " + ServiceProcess.tail(log, 20));
  }
}
