package dev.postcall.cdr;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.CallTablesDb;
import dev.postcall.MutableClock;
import dev.postcall.config.PostcallConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several PBX nodes with the tailer role on one database, each with its own cdr-csv folder: every
 * node tails its own files, keeps its own positions and history horizon, and leaves the other's alone.
 */
class PerNodeTailIT {
  @RegisterExtension static final CallTablesDb db = new CallTablesDb();
  @TempDir Path dir;
  static final Duration INTERVAL = Duration.ofSeconds(1);
  static final DateTimeFormatter CDR_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final AtomicInteger sequence = new AtomicInteger();

  /** csv.start-at=end (the default), no hold, one-second tail interval. */
  static PostcallConfig.Csv csv(Path master) {
    var b = CsvFiles.config(List.of(master), "rig");
    return new PostcallConfig.Csv(b.files(), b.columns(), b.zone(), b.contexts(), b.excludeChannels(), b.excludeApps(),
        INTERVAL, b.sweepCron(), b.batchSize(), b.zone(), true, Duration.ZERO);
  }

  private BackfillService node(String id, Path master) {
    return new BackfillService(csv(master).forPbx(id), id, db.csvDs(), Clock.systemUTC(), registry, new CdrNotices(), Instant.now());
  }

  /** Appends a call that started at {@code at} (its uniqueid names that second) and returns its uniqueid. */
  private String call(Path master, Instant at) throws IOException {
    String uid = at.getEpochSecond() + "." + sequence.incrementAndGet();
    CsvFiles.append(master, CsvFiles.row(uid, "200", CDR_TIME.format(at), CDR_TIME.format(at.plusSeconds(5)), 5, "BUSY"));
    return uid;
  }

  private String callNow(Path master) throws IOException {
    return call(master, Instant.now());
  }

  private boolean stored(String uid) {
    return db.count("SELECT COUNT(*) FROM calls WHERE uniqueid = '" + uid + "'") == 1;
  }

  private double rowsRead(String node) {
    return registry.get("postcall.csv.rows").tag("node", node).tag("result", "read").counter().count();
  }

  private double lag(String node, Path file) {
    return registry.get("postcall.csv.lag.bytes").tag("node", node).tag("file", file.toString()).gauge().value();
  }

  private static Path master(Path folder) throws IOException {
    Files.createDirectories(folder);
    Path m = folder.resolve("Master.csv");
    Files.createFile(m);
    return m;
  }

  @Test
  void each_nodes_master_csv_only_calls_are_stored_within_two_tail_intervals_while_the_other_keeps_running()
      throws Exception {
    Path a = master(dir.resolve("pbx-a/cdr-csv"));
    Path b = master(dir.resolve("pbx-b/cdr-csv"));
    List<Long> millis = new ArrayList<>();
    try (BackfillService nodeA = node("pbx-a", a); BackfillService nodeB = node("pbx-b", b)) {
      nodeA.start();
      nodeB.start();
      await().atMost(Duration.ofSeconds(10)).until(() -> db.count("SELECT COUNT(*) FROM csv_history") == 2);
      for (int round = 0; round < 4; round++) {
        String ua = callNow(a);
        String ub = callNow(b);
        long t0 = System.nanoTime();
        await().atMost(INTERVAL.multipliedBy(2)).pollInterval(Duration.ofMillis(20)).until(() -> stored(ua) && stored(ub));
        millis.add((System.nanoTime() - t0) / 1_000_000);
      }
      assertEquals(8, db.count("SELECT COUNT(*) FROM jobs"), "one job per call");
      assertEquals(4, db.count("SELECT COUNT(*) FROM calls WHERE pbx_id = 'pbx-a'"), "a's calls are a's PBX's");
      assertEquals(4, db.count("SELECT COUNT(*) FROM calls WHERE pbx_id = 'pbx-b'"));
      assertEquals(1, db.count("SELECT COUNT(*) FROM csv_offsets WHERE node_id = 'pbx-a'"), "a's position");
      assertEquals(1, db.count("SELECT COUNT(*) FROM csv_offsets WHERE node_id = 'pbx-b'"), "b's position");
      await().atMost(INTERVAL.multipliedBy(3)).until(() -> lag("pbx-a", a) == 0 && lag("pbx-b", b) == 0);
      CsvFiles.append(b, "\"partial"); // no newline yet: lag on b only
      await().atMost(INTERVAL.multipliedBy(3)).until(() -> lag("pbx-b", b) == 8);
      assertEquals(0.0, lag("pbx-a", a), "each node's gauge is its own file's");
    }
    System.out.println("per-node tail: Master.csv-only calls of both nodes stored after " + millis + " ms (interval "
        + INTERVAL.toMillis() + " ms)");
  }

  @Test
  void a_restarted_node_neither_rereads_nor_skips_a_rotated_file_and_the_other_node_keeps_its_offsets_alone()
      throws Exception {
    Path a = master(dir.resolve("pbx-a/cdr-csv"));
    Path b = master(dir.resolve("pbx-b/cdr-csv"));
    List<String> bCalls = new ArrayList<>();
    try (BackfillService nodeA = node("pbx-a", a)) {
      nodeA.start();
      BackfillService nodeB = node("pbx-b", b);
      nodeB.start();
      for (int i = 0; i < 3; i++) bCalls.add(callNow(b));
      await().atMost(Duration.ofSeconds(10)).until(() -> bCalls.stream().allMatch(this::stored));
      await().atMost(INTERVAL.multipliedBy(3)).until(() -> lag("pbx-b", b) == 0);
      nodeB.close();
      long bOffset = db.count("SELECT byte_offset FROM csv_offsets WHERE node_id = 'pbx-b'");

      // while b is down: two more calls, logrotate renames the file, a late row in the old one, two in the new one
      bCalls.add(callNow(b));
      bCalls.add(callNow(b));
      Files.move(b, b.resolveSibling("Master.csv.1"));
      bCalls.add(callNow(b.resolveSibling("Master.csv.1")));
      bCalls.add(callNow(b));
      bCalls.add(callNow(b));
      // a keeps tailing meanwhile: it neither reads b's files nor forgets b's position
      for (int i = 0; i < 3; i++) {
        String ua = callNow(a);
        await().atMost(INTERVAL.multipliedBy(2)).pollInterval(Duration.ofMillis(20)).until(() -> stored(ua));
      }
      assertEquals(bOffset, db.count("SELECT byte_offset FROM csv_offsets WHERE node_id = 'pbx-b'"),
          "b's position is untouched while b is down");
      assertEquals(3, bCalls.stream().filter(this::stored).count(), "nobody read b's files while it was down");

      double readBefore = rowsRead("pbx-b");
      try (BackfillService restarted = node("pbx-b", b)) { // a new process: started now, after those calls
        restarted.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> bCalls.stream().allMatch(this::stored));
        await().atMost(INTERVAL.multipliedBy(3)).until(() -> lag("pbx-b", b) == 0);
        assertEquals(5.0, rowsRead("pbx-b") - readBefore, "only the five rows written while b was down are read");
      }
      assertEquals(2, db.count("SELECT COUNT(*) FROM csv_offsets WHERE node_id = 'pbx-b'"), "Master.csv and Master.csv.1");
      assertEquals(1, db.count("SELECT COUNT(*) FROM csv_offsets WHERE node_id = 'pbx-a'"));
    }
    assertEquals(11, db.count("SELECT COUNT(*) FROM calls"), "8 of b, 3 of a, each once");
    assertEquals(11, db.count("SELECT COUNT(*) FROM jobs"));
  }

  /** Through single steps on a clock the test moves: the history horizon and the positions are per node. */
  @Test
  void each_node_has_its_own_history_horizon_and_forgets_only_its_own_files() throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
    Path a = master(dir.resolve("pbx-a/cdr-csv"));
    Path b = master(dir.resolve("pbx-b/cdr-csv"));
    Instant halfPast = Instant.parse("2026-11-23T10:30:00Z");
    String aCall = call(a, halfPast);
    String bHistory = call(b, halfPast); // b's PBX handled it before postcall first ran on b (11:00)
    TailMasterCsv tailA = Backfill.tailer(csv(a).forPbx("pbx-a"), "pbx-a", db.csvDs(), clock, new CsvMetrics(registry, "pbx-a"),
        clock.instant());
    clock.set(Instant.parse("2026-11-23T11:00:00Z"));
    TailMasterCsv tailB = Backfill.tailer(csv(b).forPbx("pbx-b"), "pbx-b", db.csvDs(), clock, new CsvMetrics(registry, "pbx-b"),
        clock.instant());
    assertEquals(1, tailA.tailOnce().fresh());
    assertEquals(0, tailB.tailOnce().fresh(), "b's history");
    assertTrue(stored(aCall));
    assertTrue(!stored(bHistory));
    String bNew = call(b, Instant.parse("2026-11-23T11:00:05Z"));
    assertEquals(1, tailB.tailOnce().fresh());
    assertTrue(stored(bNew));

    Files.move(b, b.resolveSibling("Master.csv.1"));
    String rotatedUnseen = call(b.resolveSibling("Master.csv.2"), Instant.parse("2026-11-23T11:00:07Z"));
    assertEquals(1, tailB.tailOnce().fresh(), "a rotated file b never tracked is read, not marked read");
    assertTrue(stored(rotatedUnseen));

    Files.delete(b.resolveSibling("Master.csv.1"));
    Files.delete(b.resolveSibling("Master.csv.2"));
    tailB.tailOnce();
    assertEquals(0, db.count("SELECT COUNT(*) FROM csv_offsets WHERE node_id = 'pbx-b'"), "b forgets its gone files");
    assertEquals(1, db.count("SELECT COUNT(*) FROM csv_offsets WHERE node_id = 'pbx-a'"), "a's position stays");
    tailA.tailOnce();
    assertEquals(1, db.count("SELECT COUNT(*) FROM csv_offsets WHERE node_id = 'pbx-a'"));
    assertEquals(2, db.count("SELECT COUNT(*) FROM csv_history"), "one horizon per node");
  }

  /** A database a single tailer used before positions were per node: no setting, no re-read, the same horizon. */
  @Test
  void positions_and_horizon_from_before_per_node_offsets_become_the_nodes_own() throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
    Path m = master(dir.resolve("cdr-csv"));
    for (int i = 0; i < 3; i++) call(m, Instant.parse("2026-11-23T10:00:05Z"));
    TailMasterCsv before = Backfill.tailer(csv(m).forPbx("old"), "old", db.csvDs(), clock, new CsvMetrics(registry, "old"), clock.instant());
    assertEquals(3, before.tailOnce().fresh());
    // as V21 leaves the rows of a single tailer: no node
    db.exec("UPDATE csv_offsets SET node_id = ''");
    db.exec("UPDATE csv_history SET node_id = ''");
    db.exec("INSERT INTO csv_offsets (node_id, file_key, path, fingerprint, fingerprint_len, byte_offset, line_no, file_size,"
        + " updated_at) VALUES ('', '(dev=1,ino=1)', '/var/log/asterisk/cdr-csv/Master.csv.1', '" + "0".repeat(64)
        + "', 1024, 10, 1, 10, UTC_TIMESTAMP(3))"); // a file this node does not have
    String later = call(m, Instant.parse("2026-11-23T10:00:09Z"));
    clock.set(Instant.parse("2026-11-23T12:00:00Z")); // upgraded and started two hours later

    TailMasterCsv upgraded = Backfill.tailer(csv(m).forPbx("pbx1"), "pbx1", db.csvDs(), clock, new CsvMetrics(registry, "pbx1"),
        clock.instant());
    ImportCounts c = upgraded.tailOnce();
    assertEquals(1, c.lines(), "resumes at the old position: nothing read twice");
    assertEquals(1, c.fresh());
    assertTrue(stored(later));
    assertEquals(1, db.count("SELECT COUNT(*) FROM csv_offsets WHERE node_id = 'pbx1'"), "its file's row is its own now");
    assertEquals(1, db.count("SELECT COUNT(*) FROM csv_offsets WHERE node_id = ''"), "a file it does not have stays");
    assertEquals(1, db.count("SELECT COUNT(*) FROM csv_history WHERE node_id = 'pbx1' AND tail_from = '2026-11-23 10:00:00'"),
        "the horizon of the old database, not the upgrade's start");
    upgraded.tailOnce();
    assertEquals(1, db.count("SELECT COUNT(*) FROM csv_offsets WHERE node_id = ''"), "never forgotten by a node");
  }
}
