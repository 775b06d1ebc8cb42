package dev.postcall.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.CallBuilder;
import dev.postcall.TestDb;
import dev.postcall.call.CallRecord;
import dev.postcall.call.CallRef;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A database written by the postcall before calls carried their PBX (schema V18, pbx_nodes already
 * there) upgrades to V20 and keeps working: its calls become the registered PBX's, its pending job
 * is delivered as before, the same call again is still a duplicate — and a second PBX's call with
 * the same uniqueid is a call of its own.
 */
class PbxMigrationIT {
  TestDb db;

  @AfterEach
  void tearDown() {
    if (db != null) db.close();
  }

  /** What a V18-era postcall left behind: a delivered call, a pending one with a correction, a conflict. */
  void seedV18(boolean withPbxNode) {
    if (withPbxNode)
      db.exec("INSERT INTO pbx_nodes (pbx_id, host, explicit_id, first_seen, last_seen) VALUES ('pbx1', 'h1', 0, NOW(), NOW())");
    db.exec("INSERT INTO calls (uniqueid, channel, caller_number, start_time, disposition, source, received_at) VALUES "
        + "('1795386561.77', 'PJSIP/a-1', '5550200', '2026-11-22 22:29:21', 'BUSY', 'AGI', NOW()),"
        + "('1795386561.78', 'PJSIP/a-2', '5550201', '2026-11-22 22:29:22', 'ANSWERED', 'CSV', NOW())");
    db.exec("INSERT INTO jobs (call_id, state, stage, attempts, next_attempt_at, created_at, updated_at, done_at) "
        + "SELECT id, IF(uniqueid = '1795386561.77', ?, ?), IF(uniqueid = '1795386561.77', ?, ?), 0,"
        + " NOW() - INTERVAL 1 SECOND, NOW(), NOW(), IF(uniqueid = '1795386561.77', NOW(), NULL) FROM calls",
        JobState.DONE, JobState.PENDING, Stage.DONE, Stage.WAIT);
    db.exec("INSERT INTO call_corrections (call_id, uniqueid, new_duration, recorded_at) "
        + "SELECT id, uniqueid, 42, NOW() FROM calls WHERE uniqueid = '1795386561.77'");
    db.exec("INSERT INTO call_conflicts (uniqueid, kind, fields, kept, rejected, fingerprint, detected_at) VALUES "
        + "('1795386561.77', 'HANGUP_DIFFERS', 'channel', '{}', '{}', REPEAT('a', 64), NOW())");
  }

  @Test
  void a_v18_database_with_one_registered_pbx_gives_its_calls_to_that_pbx_and_keeps_working() throws SQLException {
    db = TestDb.createAt("18");
    seedV18(true);
    db.db.migrate();

    assertEquals(2, db.count("SELECT COUNT(*) FROM calls WHERE pbx_id = 'pbx1'"));
    assertEquals(1, db.count("SELECT COUNT(*) FROM call_corrections WHERE pbx_id = 'pbx1'"));
    assertEquals(1, db.count("SELECT COUNT(*) FROM call_conflicts WHERE pbx_id = 'pbx1'"));

    CallStore store = new CallStore(db.ds());
    CallRecord again = CallBuilder.agi("1795386561.78").pbx("pbx1").channel("PJSIP/a-2").build();
    assertFalse(store.insert(again), "the same call of the same PBX is still a duplicate");
    assertTrue(store.insert(CallBuilder.agi("1795386561.78").pbx("pbx2").channel("PJSIP/b-9").build()),
        "another PBX's call with that uniqueid is a call of its own");
    assertEquals(3, store.count());
    assertEquals("5550201", store.find("pbx1", "1795386561.78").orElseThrow().callerNumber());
    assertThrows(CallRef.AmbiguousException.class, () -> store.find("1795386561.78"));

    // the pending job of the old era is claimed with its call's PBX
    JobQueue queue = new JobQueue(db.ds(), Clock.systemUTC());
    List<Job> claimed = queue.claim("w", 10, Duration.ofSeconds(30));
    assertEquals(List.of("pbx1/1795386561.78", "pbx2/1795386561.78"),
        claimed.stream().map(j -> j.call().key().toString()).sorted().toList());

    // nothing may store a call without its PBX any more
    assertThrows(IllegalStateException.class,
        () -> db.exec("INSERT INTO calls (uniqueid, source, received_at) VALUES ('9.9', 'AGI', NOW())"));
  }

  @Test
  void without_a_single_registered_pbx_the_old_calls_wait_for_the_first_pbx_to_register_alone() throws SQLException {
    db = TestDb.createAt("18");
    seedV18(false);
    db.db.migrate();
    assertEquals(2, db.count("SELECT COUNT(*) FROM calls WHERE pbx_id = ''"));

    PbxRegistry pbxs = new PbxRegistry(db.ds());
    pbxs.register("pbx7", "h7", false);
    assertEquals(2, pbxs.adoptUnmarked("pbx7"));
    assertEquals(2, db.count("SELECT COUNT(*) FROM calls WHERE pbx_id = 'pbx7'"));
    assertEquals(1, db.count("SELECT COUNT(*) FROM call_corrections WHERE pbx_id = 'pbx7'"));
    assertEquals(1, db.count("SELECT COUNT(*) FROM call_conflicts WHERE pbx_id = 'pbx7'"));
    assertEquals(0, pbxs.adoptUnmarked("pbx7"), "once");
    assertFalse(new CallStore(db.ds())
        .insert(CallBuilder.csv("1795386561.77").pbx("pbx7").channel("PJSIP/a-1").build()), "adopted: a duplicate now");
  }
}
