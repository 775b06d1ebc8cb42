package dev.postcall.cdr;

import dev.postcall.db.Database;
import dev.postcall.db.EmbeddedDatabase;
import dev.postcall.db.Sql;

import dev.postcall.call.CallRecord;
import dev.postcall.cdr.CsvCalls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A server with {@code local_infile=OFF} — from the start, or switched off while postcall
 * runs — gets the Master.csv calls through multi-row INSERTs, not a failed import. On a MariaDB of
 * its own (its administrator may change a global variable there; the shared test server is left alone).
 */
class LocalInfileOffIT {
  static final Path DIR = dev.postcall.TestDb.persistentDir("local-infile-off-it");
  static EmbeddedDatabase server;
  static Database db;

  @BeforeAll
  static void start() throws Exception {
    if (Files.exists(DIR.resolve("data"))) {
      try (var walk = Files.walk(DIR.resolve("data"))) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    server = EmbeddedDatabase.start(DIR, 0);
    db = Database.open(server.jdbcUrl(), server.user(), server.password(), 2, Duration.ofSeconds(5));
    db.migrate();
  }

  @AfterAll
  static void stop() {
    if (db != null) db.close();
    if (server != null) server.close();
  }

  /** As the server's administrator: postcall's own account may not change globals. */
  static void localInfile(boolean on) {
    server.administer("SET GLOBAL local_infile = " + (on ? 1 : 0));
  }

  static List<CallRecord> batch(String prefix) {
    return List.of(CsvCallsLoadIT.call(prefix + ".1", "tab\there"), CsvCallsLoadIT.call(prefix + ".2", "Jürgen"));
  }

  static long count(String sql) throws SQLException {
    try (Connection c = db.dataSource().getConnection()) {
      return Sql.scalarLong(c, sql);
    }
  }

  @Test
  void off_from_the_start_stores_through_inserts_and_switched_off_later_moves_to_inserts_in_the_same_batch()
      throws SQLException {
    localInfile(false);
    CsvCallsLoadIT.Stored off = CsvCallsLoadIT.insertNew(db.csvImport(), new CsvCalls(), batch("off"));
    assertEquals(Set.of("off.1", "off.2"), off.fresh());
    assertEquals(0, off.loads());

    localInfile(true);
    CsvCalls running = new CsvCalls();
    CsvCallsLoadIT.Stored on = CsvCallsLoadIT.insertNew(db.csvImport(), running, batch("on"));
    assertEquals(1, on.loads(), "LOAD DATA while the server allows it");
    localInfile(false);
    CsvCallsLoadIT.Stored switched = CsvCallsLoadIT.insertNew(db.csvImport(), running, batch("switched"));
    assertEquals(Set.of("switched.1", "switched.2"), switched.fresh(), "refused, then inserted in the same transaction");
    assertEquals(6, count("SELECT COUNT(*) FROM calls"));
    assertEquals(6, count("SELECT COUNT(*) FROM jobs"));
    assertEquals(1, count("SELECT COUNT(*) FROM calls WHERE uniqueid = 'switched.1' AND caller_name = 'tab\\there'"));
  }
}
