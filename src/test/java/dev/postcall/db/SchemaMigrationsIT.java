package dev.postcall.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.postcall.TestDb;
import dev.postcall.config.PostcallConfig;
import dev.postcall.config.Settings;
import dev.postcall.incident.SoapIncidentSystem;
import dev.postcall.service.PostcallService;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;
import dev.postcall.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A migration cut off part-way, as a database restart leaves it on MariaDB (no transactional DDL):
 * V1 and V2 applied, then only the first two of V3's CREATE TABLEs before the connection died — no
 * history row for V3. The next start must not hang on "already exists" for ever.
 */
class SchemaMigrationsIT {
  String name;
  String url;
  Database db;

  @TempDir
  Path dir;

  @BeforeEach
  void cutOffDatabase() throws Exception {
    name = "pc_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    admin("CREATE DATABASE " + name + " CHARACTER SET utf8mb4");
    url = TestDb.urlFor(TestDb.SERVER, name);
    db = Database.open(url, TestDb.USER, TestDb.PASSWORD, 2, Duration.ofSeconds(5));
    Flyway.configure().dataSource(db.dataSource()).locations("classpath:db/migration").target("2").load().migrate();
    String[] v3 = SchemaMigrations.script("V3__quartz_tables.sql").split(";\\s*\\n");
    try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
      st.execute(v3[0]);
      st.execute(v3[1]);
    }
  }

  @AfterEach
  void drop() throws Exception {
    db.close();
    admin("DROP DATABASE IF EXISTS " + name);
  }

  @Test
  void a_cut_off_first_migration_is_redone_from_scratch() throws Exception {
    db.migrate();
    assertWhole();
    assertEquals(0, count("SELECT COUNT(*) FROM calls"));
  }

  @Test
  void with_data_it_says_what_happened_and_db_repair_gets_it_going() throws Exception {
    exec("INSERT INTO calls (uniqueid, source, received_at) VALUES ('1765000000.7', 'AGI', UTC_TIMESTAMP(3))");

    SchemaMigrations.HalfMigrated first = assertThrows(SchemaMigrations.HalfMigrated.class, db::migrate);
    assertTrue(first.getMessage().startsWith("schema half-migrated: migration 3 (quartz tables) stopped part-way"), first.getMessage());
    assertTrue(first.getMessage().contains("already exists"), first.getMessage());
    assertTrue(first.getMessage().contains("run 'postcall db repair'"), first.getMessage());
    assertEquals(1, first.getMessage().lines().count(), first.getMessage());
    // Flyway now keeps a FAILED row: the next start says the same, instead of a validation error
    SchemaMigrations.HalfMigrated again = assertThrows(SchemaMigrations.HalfMigrated.class, db::migrate);
    assertTrue(again.getMessage().startsWith("schema half-migrated: migration 3 (quartz tables)"), again.getMessage());

    Run show = postcall("db", "repair", "--show");
    assertEquals(0, show.code, show.out);
    assertTrue(show.out.startsWith("-- V3__quartz_tables.sql (migration 3, failed)"), show.out);
    assertTrue(show.out.contains("CREATE TABLE QRTZ_JOB_DETAILS"), show.out);

    // the admin drops what the cut-off run created, as repair's output says, then repairs
    exec("DROP TABLE QRTZ_TRIGGERS");
    exec("DROP TABLE QRTZ_JOB_DETAILS");
    Run repair = postcall("db", "repair");
    assertEquals(0, repair.code, repair.out);
    assertTrue(repair.out.startsWith("removed the FAILED row of migration 3 (quartz tables)"), repair.out);

    db.migrate();
    assertWhole();
    assertEquals(1, count("SELECT COUNT(*) FROM calls"), "the stored call is kept");
    Run nothing = postcall("db", "repair");
    assertTrue(nothing.out.startsWith("nothing to repair"), nothing.out);
  }

  @Test
  void db_repair_drops_the_empty_tables_of_a_cut_off_first_migration() throws Exception {
    assertThrows(SchemaMigrations.HalfMigrated.class, () -> {
      // a service without this class's reset (an older postcall) left Flyway's FAILED row behind
      exec("INSERT INTO calls (uniqueid, source, received_at) VALUES ('x', 'AGI', UTC_TIMESTAMP(3))");
      try {
        db.migrate();
      } finally {
        exec("DELETE FROM calls");
      }
    });
    Run repair = postcall("db", "repair");
    assertEquals(0, repair.code, repair.out);
    assertTrue(repair.out.contains("postcall's tables were all empty: dropped them"), repair.out);
    assertEquals(0, count("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()"));
    db.migrate();
    assertWhole();
  }

  @Test
  void the_service_says_it_once_waits_and_starts_after_the_repair() throws Exception {
    exec("INSERT INTO calls (uniqueid, source, received_at) VALUES ('1765000000.8', 'AGI', UTC_TIMESTAMP(3))");
    Logger logger = (Logger) LoggerFactory.getLogger("dev.postcall.service");
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    log.start();
    logger.addAppender(log);
    PostcallConfig cfg = PostcallConfig.from(Settings.of(Map.of("db.url", url, "db.user", TestDb.USER,
        "db.password", TestDb.PASSWORD, "roles", "agi", "agi.port", "0", "agi.spool-dir", dir.resolve("spool").toString(),
        "web.port", "0")));
    PostcallService service = new PostcallService(cfg, Clock.systemUTC(), SoapIncidentSystem::new);
    try {
      service.start();
      await().atMost(Duration.ofSeconds(30)).until(() -> errors(log).size() == 1);
      assertTrue(errors(log).get(0).startsWith("schema half-migrated: migration 3 (quartz tables)"), errors(log).toString());
      Thread.sleep(4000); // a few more attempts (0.5 s, 1 s, 2 s apart): still that one line
      assertEquals(1, errors(log).size(), errors(log).toString());
      assertFalse(service.ready());

      exec("DROP TABLE QRTZ_TRIGGERS");
      exec("DROP TABLE QRTZ_JOB_DETAILS");
      assertEquals(0, postcall("db", "repair").code);
      await().atMost(Duration.ofSeconds(40)).until(service::ready);
      assertWhole();
    } finally {
      service.close();
      logger.detachAppender(log);
    }
  }

  private static List<String> errors(ListAppender<ILoggingEvent> log) {
    synchronized (log) {
      return log.list.stream().filter(e -> e.getLevel() == Level.ERROR).map(ILoggingEvent::getFormattedMessage).toList();
    }
  }

  private void assertWhole() throws Exception {
    Flyway flyway = Flyway.configure().dataSource(db.dataSource()).locations("classpath:db/migration").load();
    assertTrue(Arrays.stream(flyway.info().all()).allMatch(i -> i.getState() == MigrationState.SUCCESS),
        Arrays.toString(Arrays.stream(flyway.info().all()).map(i -> i.getVersion() + ":" + i.getState()).toArray()));
    assertNull(new SchemaMigrations(db.dataSource()).failedMigration());
    assertEquals(11, count("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()"
        + " AND table_name LIKE 'QRTZ\\_%'"));
  }

  private record Run(int code, String out) {}

  private Run postcall(String... args) throws Exception {
    Path conf = Files.writeString(dir.resolve("postcall.properties"), "db.url=" + url + "\ndb.user=" + TestDb.USER
        + "\ndb.password=" + TestDb.PASSWORD + "\n");
    String[] all = Arrays.copyOf(args, args.length + 2);
    all[args.length] = "--config";
    all[args.length + 1] = conf.toString();
    StringWriter out = new StringWriter();
    int code = Main.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(out, true)).execute(all);
    return new Run(code, out.toString());
  }

  private long count(String sql) throws Exception {
    try (Connection c = db.dataSource().getConnection()) {
      return Sql.scalarLong(c, sql);
    }
  }

  private void exec(String sql) throws Exception {
    try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  private static void admin(String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(TestDb.urlFor(TestDb.SERVER, ""), TestDb.USER, TestDb.PASSWORD);
        Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }
}
