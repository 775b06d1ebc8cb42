package dev.postcall.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.CallBuilder;
import dev.postcall.TestDb;
import dev.postcall.queue.CallStore;
import dev.postcall.queue.Job;
import dev.postcall.queue.JobQueue;
import dev.postcall.queue.JobState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The failed queue from a shell when two PBXs' failed calls share a uniqueid: --pbx names the one. */
class SeveralPbxCliIT {
  @TempDir Path dir;
  TestDb db;
  Path config;

  @BeforeEach
  void seed() throws Exception {
    db = TestDb.create();
    CallStore store = new CallStore(db.ds());
    Instant start = Instant.parse("2026-11-22T22:29:21Z");
    store.insert(CallBuilder.agi("800.1").pbx("pbx-a").caller("1111").channel("PJSIP/a-1").start(start).build());
    store.insert(CallBuilder.agi("800.1").pbx("pbx-b").caller("2222").channel("PJSIP/b-1").start(start).build());
    JobQueue queue = new JobQueue(db.ds(), Clock.systemUTC());
    for (Job j : queue.claim("w", 10, Duration.ofSeconds(30))) queue.fail(j, "SOAP fault: invalid attribute caller");
    config = dir.resolve("postcall.properties");
    Files.writeString(config, db.properties() + "recordings.dir=" + Files.createDirectories(dir.resolve("monitor")) + "\n");
  }

  @AfterEach
  void drop() {
    db.close();
  }

  CliRun run(String... args) {
    return CliRun.of(config, args);
  }

  @Test
  void a_uniqueid_two_pbxs_share_needs_the_pbx_and_then_only_that_call_is_touched() {
    CliRun list = run("failed", "list");
    assertTrue(list.out().contains("pbx-a") && list.out().contains("pbx-b"), list.out());

    CliRun ambiguous = run("failed", "retry", "800.1");
    assertEquals(1, ambiguous.rc(), ambiguous.out());
    assertTrue(ambiguous.err().contains("uniqueid 800.1 is a call of several PBXs (pbx-a, pbx-b)"), ambiguous.err());
    assertEquals(JobState.FAILED, db.state("pbx-a", "800.1"));
    assertEquals(JobState.FAILED, db.state("pbx-b", "800.1"));

    CliRun show = run("failed", "show", "800.1", "--pbx", "pbx-b");
    assertEquals(0, show.rc(), show.err());
    assertTrue(show.out().contains("pbx pbx-b  2222"), show.out());
    assertEquals(1, run("failed", "show", "800.1").rc(), "ambiguous without --pbx");

    CliRun retry = run("failed", "retry", "800.1", "--pbx", "pbx-b");
    assertEquals(0, retry.rc(), retry.err());
    assertEquals(JobState.PENDING, db.state("pbx-b", "800.1"));
    assertEquals(JobState.FAILED, db.state("pbx-a", "800.1"), "the other PBX's call is left alone");

    // one failed call left with that uniqueid: the plain uniqueid names it
    CliRun discard = run("failed", "discard", "800.1", "--reason", "test call");
    assertEquals(0, discard.rc(), discard.err());
    assertEquals(JobState.DISCARDED, db.state("pbx-a", "800.1"));
    assertEquals(JobState.PENDING, db.state("pbx-b", "800.1"));
  }
}
