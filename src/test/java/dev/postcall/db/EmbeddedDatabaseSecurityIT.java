package dev.postcall.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.config.ConfigException;
import dev.postcall.config.PostcallConfig;
import dev.postcall.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The embedded MariaDB has real accounts, and postcall's login only ever goes to the server it
 * started: a stranger listening on the port first, or taking the port after the server stopped,
 * receives nothing.
 */
class EmbeddedDatabaseSecurityIT {
  static final Path DIR = dev.postcall.TestDb.persistentDir("embedded-db-security-it");
  static EmbeddedDatabase server;

  @BeforeAll
  static void start() throws Exception {
    if (Files.exists(DIR)) {
      try (var walk = Files.walk(DIR.resolve("data"))) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (java.io.IOException noData) {
        // first run
      }
      Files.deleteIfExists(DIR.resolve(EmbeddedCredentials.FILE));
    }
    server = EmbeddedDatabase.start(DIR, 0);
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
  }

  static String plainUrl(int port) {
    return "jdbc:mysql://127.0.0.1:" + port + "/postcall?sslMode=DISABLED&allowPublicKeyRetrieval=true&connectTimeout=3000";
  }

  static int sqlError(String user, String password) {
    try (Connection c = DriverManager.getConnection(plainUrl(server.port()), user, password)) {
      return 0;
    } catch (SQLException e) {
      return e.getErrorCode();
    }
  }

  @Test
  void only_the_generated_password_logs_in() throws Exception {
    assertEquals(1045, sqlError("postcall", "wrong"), "wrong password refused");
    assertEquals(1045, sqlError("postcall", ""), "no password refused");
    assertTrue(Set.of(1045, 1698).contains(sqlError("root", "")), "root without password refused over TCP");
    assertEquals(1045, sqlError("anyone", "anything"), "an unknown name refused (no anonymous account)");
    assertEquals(1045, sqlError("", ""), "the anonymous account is gone");
    assertEquals(0, sqlError(server.user(), server.password()), "postcall's own login works");
    try (Database db = Database.open(server.jdbcUrl(), server.user(), server.password(), 2, Duration.ofSeconds(5))) {
      db.migrate();
      try (Connection c = db.dataSource().getConnection(); var st = c.createStatement()) {
        SQLException e = assertThrows(SQLException.class, () -> st.execute("SET GLOBAL local_infile = 0"));
        assertTrue(e.getMessage().contains("denied"), e.getMessage());
      }
    }
    Path file = DIR.resolve(EmbeddedCredentials.FILE);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(DIR)));
    assertEquals(server.password(), Files.readString(file).strip());
  }

  @Test
  void a_stranger_on_the_port_gets_a_one_line_refusal_and_no_login() throws Exception {
    try (RogueMysqlServer rogue = new RogueMysqlServer(0)) {
      // control: a plain client against the rogue does hand over its login
      assertThrows(SQLException.class, () -> DriverManager.getConnection(plainUrl(rogue.port()), "postcall", "pw").close());
      assertTrue(rogue.received().contains("postcall"), "the rogue server is convincing enough to get a login");
    }
    try (RogueMysqlServer rogue = new RogueMysqlServer(0)) {
      PostcallConfig cfg = PostcallConfig.from(Settings.of(Map.of("db.embedded-dir", DIR.toString(),
          "db.embedded-port", String.valueOf(rogue.port()))));
      ConfigException e = assertThrows(ConfigException.class, () -> OpenDatabase.open(cfg.db()).close());
      assertTrue(e.getMessage().startsWith("db.embedded-port: "), e.getMessage());
      assertFalse(e.getMessage().contains("\n"), "one line");
      ConfigException start = assertThrows(ConfigException.class, () -> EmbeddedDatabase.start(DIR.resolveSibling("unused-embedded"), rogue.port()));
      assertTrue(start.getMessage().startsWith("db.embedded-port: "), start.getMessage());
      assertEquals("", rogue.received(), "nothing sent to the stranger");
    }
  }

  @Test
  void a_stranger_taking_the_port_later_receives_nothing() throws Exception {
    // the embedded server's login, aimed at a port its pid file does not hold
    int port = dev.postcall.FreePorts.next();
    OwnServerSocketFactory.register(port, DIR.resolve("run").resolve("mysqld.pid"));
    EmbeddedDatabase.Login stolen = new EmbeddedDatabase.Login(port, server.user(), server.password());
    try (RogueMysqlServer rogue = new RogueMysqlServer(port)) {
      SQLException e = assertThrows(SQLException.class,
          () -> DriverManager.getConnection(stolen.jdbcUrl() + "&connectTimeout=3000", stolen.user(), stolen.password()).close());
      StringBuilder chain = new StringBuilder();
      for (Throwable t = e; t != null; t = t.getCause()) chain.append(t.getMessage()).append(" / ");
      assertTrue(chain.toString().contains("db.embedded-port: 127.0.0.1:" + port + " is held by another process"), chain.toString());
      assertEquals(1, rogue.connections(), "the connection was made");
      assertEquals("", rogue.received(), "but not a byte of the login sent");
    }
  }
}
